import type { FieldError } from './error-styles.js';

/** The canonical 8-4-4-4-12 UUID form, any case. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The longest PO number or internal identifier the API stores. */
export const MAX_TEXT_LENGTH = 255;

/** Stand-in for a request body that was empty. */
export const EMPTY_BODY = Symbol('empty body');
/** Stand-in for a request body that was not JSON. */
export const INVALID_JSON = Symbol('invalid JSON');

/** The body parsed once per request: a JSON value, EMPTY_BODY or INVALID_JSON. */
export function parseBody(text: string): unknown {
  if (text.length === 0) return EMPTY_BODY;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

/** The id lower-cased when it is a UUID; otherwise records an error for `name` and returns undefined. */
export function checkUuid(value: string, name: string, errors: FieldError[]): string | undefined {
  if (UUID_PATTERN.test(value)) return value.toLowerCase();
  errors.push({ propertyName: name, description: [`The value '${value}' is not a valid UUID.`] });
  return undefined;
}

/** Records why the body is not JSON at all, and tells whether it was. */
function checkParsed(parsed: unknown, errors: FieldError[]): boolean {
  if (parsed === EMPTY_BODY)
    errors.push({ propertyName: '', description: ['A non-empty request body is required.'] });
  else if (parsed === INVALID_JSON)
    errors.push({ propertyName: '', description: ['The request body is not valid JSON.'] });
  else return true;
  return false;
}

/** Checks a string-or-null text field's type and length; returns it when good. */
function checkText(
  value: unknown,
  name: string,
  nullable: boolean,
  errors: FieldError[],
): string | null | undefined {
  if (value === null && nullable) return null;
  if (typeof value !== 'string') {
    const expected = nullable ? 'a string or null' : 'a string';
    errors.push({ propertyName: name, description: [`The JSON value must be ${expected}.`] });
    return undefined;
  }
  if (value.length > MAX_TEXT_LENGTH) {
    const message = `The field ${name} must be a string with a maximum length of ${MAX_TEXT_LENGTH}.`;
    errors.push({ propertyName: name, description: [message] });
    return undefined;
  }
  return value;
}

/** The PO number from a body that must be a JSON string of at most 255 characters ("" clears it). */
export function checkPoNumberBody(parsed: unknown, errors: FieldError[]): string | undefined {
  if (!checkParsed(parsed, errors)) return undefined;
  return checkText(parsed, 'poNumber', false, errors) ?? undefined;
}

/** The value of a property matched case-insensitively, as ASP.NET's JSON binding does. */
export function propertyOf(body: object, name: string): { found: boolean; value: unknown } {
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === name) return { found: true, value };
  }
  return { found: false, value: undefined };
}

/** The body of an internal-identifier call; a missing resellerId means null, as the documentation says. */
export function checkInternalIdentifierBody(
  parsed: unknown,
  errors: FieldError[],
): { internalIdentifier: string | null; resellerId: string | null } | undefined {
  if (!checkParsed(parsed, errors)) return undefined;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const message = 'The body must be a JSON object with internalIdentifier and resellerId.';
    errors.push({ propertyName: '', description: [message] });
    return undefined;
  }
  const before = errors.length;
  for (const key of Object.keys(parsed)) {
    const known = key.toLowerCase() === 'internalidentifier' || key.toLowerCase() === 'resellerid';
    if (!known) errors.push({ propertyName: key, description: [`The property '${key}' is not allowed.`] });
  }
  const identifier = propertyOf(parsed, 'internalidentifier');
  let internalIdentifier: string | null | undefined;
  if (identifier.found) internalIdentifier = checkText(identifier.value, 'internalIdentifier', true, errors);
  else
    errors.push({
      propertyName: 'internalIdentifier',
      description: ['The internalIdentifier field is required.'],
    });
  const reseller = propertyOf(parsed, 'resellerid').value ?? null;
  let resellerId: string | null | undefined = null;
  if (typeof reseller === 'string') resellerId = checkUuid(reseller, 'resellerId', errors);
  else if (reseller !== null) {
    errors.push({
      propertyName: 'resellerId',
      description: ['The JSON value must be a UUID string or null.'],
    });
  }
  if (errors.length > before || internalIdentifier === undefined || resellerId === undefined)
    return undefined;
  return { internalIdentifier, resellerId };
}
