/**
 * The two writes: a PATCH that is well routed and authorised, validated and looked up in the
 * world, as a 204 with the value it stores, or the answer that refuses it.
 */
import type { FieldError } from './error-styles.js';
import { FORBIDDEN, errorOutcome, validationOutcome, type Outcome } from './responses.js';
import type { Route } from './routes.js';
import { checkInternalIdentifierBody, checkPoNumberBody, checkUuid } from './validation.js';
import type { World } from './world.js';

function notFound(description: string, correlationId: string | undefined): Outcome {
  return errorOutcome(404, 'NotFound', description, correlationId);
}

function checkAllowedText(value: string | null, name: string, world: World, errors: FieldError[]): void {
  const reason = value === null ? undefined : world.rejectText(value);
  if (reason !== undefined) errors.push({ propertyName: name, description: [reason] });
}

/** Validates one well-routed, authorised write and looks it up in the world: a 204 with its write, or why not. */
export function decideWrite(
  route: Extract<Route, { call: 'po-number' | 'internal-identifier' }>,
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
