import type { FieldError } from './error-styles.js';
import { FORBIDDEN, errorOutcome, validationOutcome, type Outcome } from './responses.js';
import { checkInternalIdentifierBody, checkPoNumberBody, checkUuid, propertyOf } from './validation.js';
import type { World } from './world.js';

/** Which of the two calls a path names, with the ids exactly as they appear in the path. */
export type Route =
  | { call: 'po-number'; customerId: string; subscriptionId: string }
  | { call: 'internal-identifier'; customerId: string };

// The real API routes case-insensitively (ASP.NET), and its docs spell "customers" both ways.
const PO_NUMBER_ROUTE = /^\/v1\/customers\/([^/]+)\/subscriptions\/([^/]+)\/po-number\/?$/i;
const INTERNAL_IDENTIFIER_ROUTE = /^\/v1\/customers\/([^/]+)\/internal-identifier\/?$/i;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The call a request path (without query) names, or undefined for an unknown route. */
export function matchRoute(path: string): Route | undefined {
  let match = PO_NUMBER_ROUTE.exec(path);
  if (match) {
    const [, customerId = '', subscriptionId = ''] = match;
    return {
      call: 'po-number',
      customerId: decodeSegment(customerId),
      subscriptionId: decodeSegment(subscriptionId),
    };
  }
  match = INTERNAL_IDENTIFIER_ROUTE.exec(path);
  if (match) return { call: 'internal-identifier', customerId: decodeSegment(match[1] ?? '') };
  return undefined;
}

/**
 * The thing a request changes, `${customerId}/${subscriptionId}` or `${customerId}/${resellerId ?? 'csp'}`
 * (lower-case), worked out even for bad requests: two of them in flight at once is what the
 * per-key concurrency count must catch, whatever the server answers.
 */
export function callKey(route: Route, parsed: unknown): string {
  const customerId = route.customerId.toLowerCase();
  if (route.call === 'po-number') return `${customerId}/${route.subscriptionId.toLowerCase()}`;
  const resellerId =
    typeof parsed === 'object' && parsed !== null ? propertyOf(parsed, 'resellerid').value : null;
  return `${customerId}/${typeof resellerId === 'string' ? resellerId.toLowerCase() : 'csp'}`;
}

function notFound(description: string, correlationId: string | undefined): Outcome {
  return errorOutcome(404, 'NotFound', description, correlationId);
}

function checkAllowedText(value: string | null, name: string, world: World, errors: FieldError[]): void {
  const reason = value === null ? undefined : world.rejectText(value);
  if (reason !== undefined) errors.push({ propertyName: name, description: [reason] });
}

/** Validates one well-routed, authorised call and looks it up in the world: a 204 with its write, or why not. */
export function decideCall(
  route: Route,
  parsed: unknown,
  correlationId: string | undefined,
  world: World,
): Outcome {
  const errors: FieldError[] = [];
  const customerId = checkUuid(route.customerId, 'customerId', errors);
  if (route.call === 'po-number') {
    const subscriptionId = checkUuid(route.subscriptionId, 'subscriptionId', errors);
    const poNumber = checkPoNumberBody(parsed, errors);
    if (poNumber !== undefined) checkAllowedText(poNumber, 'poNumber', world, errors);
    if (
      errors.length > 0 ||
      customerId === undefined ||
      subscriptionId === undefined ||
      poNumber === undefined
    ) {
      return validationOutcome(errors, correlationId);
    }
    if (!world.hasCustomer(customerId))
      return notFound(`Customer ${customerId} was not found.`, correlationId);
    if (!world.hasSubscription(customerId, subscriptionId)) {
      return notFound(`Subscription ${subscriptionId} not found for customer ${customerId}.`, correlationId);
    }
    if (!world.mayTouchSubscription(customerId, subscriptionId)) return FORBIDDEN;
    const write = { target: 'poNumber' as const, key: `${customerId}/${subscriptionId}`, value: poNumber };
    return { action: 'answer', status: 204, write };
  }
  const body = checkInternalIdentifierBody(parsed, errors);
  if (body) checkAllowedText(body.internalIdentifier, 'internalIdentifier', world, errors);
  if (errors.length > 0 || customerId === undefined || body === undefined) {
    return validationOutcome(errors, correlationId);
  }
  if (!world.hasCustomer(customerId)) return notFound(`Customer ${customerId} was not found.`, correlationId);
  if (!world.hasRelationship(customerId, body.resellerId)) {
    return notFound(
      `Reseller ${body.resellerId} has no relationship with customer ${customerId}.`,
      correlationId,
    );
  }
  const key = `${customerId}/${body.resellerId ?? 'csp'}`;
  return {
    action: 'answer',
    status: 204,
    write: { target: 'internalIdentifier', key, value: body.internalIdentifier },
  };
}
