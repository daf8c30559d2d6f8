/**
 * The words of an error answer, whatever its body holds: the documented JSON
 * (`{statusCode, type, description, correlationId, errors: [{propertyName, description[]}]}`),
 * RFC 9457 problem details as ASP.NET writes them (`type`, `title`, `status`, `detail`, `errors`
 * as an object of arrays), Azure's `{"error": {code, message}}`, a JSON string, plain text, a
 * gateway's HTML page, or nothing. Only what is text is kept, whatever the JSON types; nothing here
 * throws, so no answer can cost a row its status, attempts or correlation id.
 */
import { flattenErrors } from '../result.js';
import { isMarkup, pageExcerpt, textExcerpt } from './page-text.js';

/** What an error body says, each part only when it holds text. */
export interface ErrorWords {
  /** The kind of error, e.g. `ValidationError`. */
  readonly type?: string | undefined;
  /** The API's own description of what went wrong. */
  readonly description?: string | undefined;
  /** The body's `errors` flattened as `name: first; second | other: …`. */
  readonly details?: string | undefined;
  /** Text from an HTML page that answered instead of the API (a gateway's): its title or first words. */
  readonly page?: string | undefined;
}

/** Longest text kept from one JSON field; a results cell stays readable and Excel keeps all of it. */
const FIELD_LENGTH = 2000;
/** Longest error type kept: a type is a word or two, anything longer is not one. */
const TYPE_LENGTH = 100;

/** Problem types that only name the HTTP status (RFC links, `about:blank`): they say nothing more. */
const STATUS_ONLY_TYPE =
  /^(about:blank$|https?:\/\/(tools\.ietf\.org|datatracker\.ietf\.org|www\.rfc-editor\.org)\/)/i;
/** A `type` that is a URI reference (RFC 9457) rather than a plain word. */
const URI = /^([a-z][a-z0-9+.-]*:\/\/|urn:|about:|tag:|\/)/i;

/** The words of an error answer with HTTP status `status`; never throws. */
export function readErrorBody(body: unknown, contentType: string | undefined, status: number): ErrorWords {
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
  if (text.trim() === '') return {};
  if (isMarkup(text, contentType)) return { page: pageExcerpt(text) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: plain text, e.g. ASP.NET's `BadRequest("…")` under a text formatter, or a proxy's line.
    return { description: textExcerpt(text) };
  }
  if (typeof parsed === 'string') return { description: textOf(parsed) };
  if (!isRecord(parsed)) return {};
  return wordsOf(parsed, status);
}

/** The words of a JSON object body, in whichever of the known shapes it comes. */
function wordsOf(body: Record<string, unknown>, status: number): ErrorWords {
  const azure = isRecord(body.error) ? body.error : {};
  const details = flattenErrors(fieldErrors(body.errors));
  const type = typeOf(textOf(body.type, TYPE_LENGTH) ?? textOf(azure.code, TYPE_LENGTH), details, status);
  const description =
    sentence(body.description) ??
    joined(sentence(body.title), sentence(body.detail)) ??
    sentence(body.message) ??
    sentence(azure.message);
  return { type, description, details: details && clip(details, FIELD_LENGTH) };
}

/**
 * The error type: a plain word as given; for problem details, `ValidationError` when a 400 lists
 * errors, else the last segment of a `type` URI that names a kind of its own. A URI that only
 * names the status gives none, so the row gets the same type as a bodiless answer of that status.
 */
function typeOf(type: string | undefined, details: string | undefined, status: number): string | undefined {
  if (type !== undefined && !URI.test(type)) return type;
  if (details !== undefined && status === 400) return 'ValidationError';
  if (type === undefined || STATUS_ONLY_TYPE.test(type)) return undefined;
  // The path's segments only: a URL's scheme and host name no kind of error.
  const path = type.replace(/[?#].*$/, '').replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const segments = path.split(/[/:]/);
  const last = segments.reverse().find((s) => s !== '');
  // `…/Status/404` or `…/rfc7231` names the status again, not a kind of error.
  if (last === undefined || /^(\d+|rfc\d+)$/i.test(last)) return undefined;
  return textOf(safeDecode(last), TYPE_LENGTH);
}

/** A problem's title and detail as one sentence; either alone if the other is missing or the same. */
function joined(title: string | undefined, detail: string | undefined): string | undefined {
  if (title === undefined || detail === undefined || title === detail) return title ?? detail;
  return /[.!?:]$/.test(title) ? `${title} ${detail}` : `${title}: ${detail}`;
}

/** One property's errors, as `flattenErrors` takes them. */
type FieldErrors = { propertyName?: string; description: string[] };

/**
 * `errors` in either shape, keeping only text: the documented array of `{propertyName,
 * description[]}` (also RFC 9457's `{pointer, detail}`), ASP.NET's object of arrays
 * `{"PoNumber": ["…"]}`, or a bare string. Entries without any description are dropped.
 */
function fieldErrors(errors: unknown): FieldErrors[] {
  let entries: FieldErrors[];
  if (typeof errors === 'string') entries = [{ description: texts(errors) }];
  else if (Array.isArray(errors)) entries = errors.map(arrayEntry);
  else if (isRecord(errors))
    entries = Object.entries(errors).map(([name, value]) => ({
      propertyName: textOf(name),
      description: texts(value),
    }));
  else entries = [];
  return entries.filter((e) => e.description.length > 0);
}

function arrayEntry(entry: unknown): FieldErrors {
  if (!isRecord(entry)) return { description: texts(entry) };
  return {
    propertyName: textOf(entry.propertyName) ?? textOf(entry.pointer) ?? textOf(entry.name),
    description: texts(entry.description ?? entry.detail ?? entry.message),
  };
}

/** The text in a value: a string, or the strings of an array; anything else holds none. */
function texts(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => textOf(item)).filter((item): item is string => item !== undefined);
}

/** The text of a field meant to hold a sentence: a string, or the strings of an array joined. */
function sentence(value: unknown): string | undefined {
  if (!Array.isArray(value)) return textOf(value);
  return textOf(texts(value).join('; '));
}

/** A string trimmed and clipped, or undefined when the value is not a string or holds nothing. */
function textOf(value: unknown, length = FIELD_LENGTH): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : clip(trimmed, length);
}

function clip(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
