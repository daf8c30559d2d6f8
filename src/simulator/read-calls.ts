/**
 * The four reads: one subscription (with its `poNumber`), one customer (with its
 * `internalIdentifier` for a relationship, `?resellerId=`), and the paged lists of both. A read is
 * validated and looked up in the world like a write, and answers 200 with the values as stored.
 */
import { createHash } from 'node:crypto';
import type { FieldError } from './error-styles.js';
import { pageOf, readPage } from './paging.js';
import { FORBIDDEN, errorOutcome, jsonOutcome, validationOutcome, type Outcome } from './responses.js';
import { queryValue, type Route } from './routes.js';
import { checkUuid } from './validation.js';
import type { StoredValues, Target } from './values.js';
import type { World } from './world.js';

/** A read route. */
export type ReadRoute = Extract<Route, { call: 'subscription' | 'customer' | 'customers' | 'subscriptions' }>;

/** What a read looks at: the world, the values, and when (for the read lag). */
export interface ReadContext {
  readonly world: World;
  readonly values: StoredValues;
  /** When the read arrived (ms since the epoch). */
  readonly now: number;
  readonly readLagMs: number;
}

/** Validates one well-routed, authorised read and answers it from the world and the stored values. */
export function decideRead(route: ReadRoute, correlationId: string | undefined, ctx: ReadContext): Outcome {
  const errors: FieldError[] = [];
  switch (route.call) {
    case 'subscription': {
      const customerId = checkUuid(route.customerId, 'customerId', errors);
      const subscriptionId = checkUuid(route.subscriptionId, 'subscriptionId', errors);
      if (customerId === undefined || subscriptionId === undefined)
        return validationOutcome(errors, correlationId);
      return (
        missingSubscription(customerId, subscriptionId, ctx.world, correlationId) ??
        jsonOutcome(subscriptionModel(customerId, subscriptionId, ctx))
      );
    }
    case 'customer': {
      const customerId = checkUuid(route.customerId, 'customerId', errors);
      const resellerId = resellerOf(route.query, errors);
      if (customerId === undefined || resellerId === undefined)
        return validationOutcome(errors, correlationId);
      return (
        missingRelationship(customerId, resellerId, ctx.world, correlationId) ??
        jsonOutcome(customerModel(customerId, resellerId, ctx))
      );
    }
    case 'customers':
      return listCustomers(route.query, correlationId, ctx);
    case 'subscriptions':
      return listSubscriptions(route, correlationId, ctx);
  }
}

function listCustomers(query: URLSearchParams, correlationId: string | undefined, ctx: ReadContext): Outcome {
  const errors: FieldError[] = [];
  const page = readPage(query, errors);
  const resellerId = resellerOf(query, errors);
  if (page === undefined || resellerId === undefined) return validationOutcome(errors, correlationId);
  const { world, values } = ctx;
  const ids = (world.customers?.() ?? values.customerIds()).filter((id) =>
    world.hasRelationship(id, resellerId),
  );
  const paged = pageOf(ids, page);
  return jsonOutcome({ ...paged, items: paged.items.map((id) => customerModel(id, resellerId, ctx)) });
}

function listSubscriptions(
  route: Extract<Route, { call: 'subscriptions' }>,
  correlationId: string | undefined,
  ctx: ReadContext,
): Outcome {
  const errors: FieldError[] = [];
  const customerId = checkUuid(route.customerId, 'customerId', errors);
  const page = readPage(route.query, errors);
  if (customerId === undefined || page === undefined) return validationOutcome(errors, correlationId);
  const { world, values } = ctx;
  if (!world.hasCustomer(customerId)) return notFound(`Customer ${customerId} was not found.`, correlationId);
  // Subscriptions another partner manages are left out, as reading one of them alone is refused.
  const ids = (world.subscriptions?.(customerId) ?? values.subscriptionIds(customerId)).filter((id) =>
    world.mayTouchSubscription(customerId, id),
  );
  const paged = pageOf(ids, page);
  return jsonOutcome({ ...paged, items: paged.items.map((id) => subscriptionModel(customerId, id, ctx)) });
}

/** The `resellerId` query, lower-cased; null when absent or empty; undefined (with an error) when not a UUID. */
function resellerOf(query: URLSearchParams, errors: FieldError[]): string | null | undefined {
  const resellerId = queryValue(query, 'resellerId');
  if (resellerId === undefined || resellerId === '') return null;
  return checkUuid(resellerId, 'resellerId', errors);
}

function notFound(description: string, correlationId: string | undefined): Outcome {
  return errorOutcome(404, 'NotFound', description, correlationId);
}

/** Why one subscription cannot be read (404, or 403 when another partner manages it), else undefined. */
function missingSubscription(
  customerId: string,
  subscriptionId: string,
  world: World,
  correlationId: string | undefined,
): Outcome | undefined {
  if (!world.hasCustomer(customerId)) return notFound(`Customer ${customerId} was not found.`, correlationId);
  if (!world.hasSubscription(customerId, subscriptionId)) {
    return notFound(`Subscription ${subscriptionId} not found for customer ${customerId}.`, correlationId);
  }
  return world.mayTouchSubscription(customerId, subscriptionId) ? undefined : FORBIDDEN;
}

/** Why one customer cannot be read for this relationship (404 unknown ids, 403 outside it), else undefined. */
function missingRelationship(
  customerId: string,
  resellerId: string | null,
  world: World,
  correlationId: string | undefined,
): Outcome | undefined {
  if (!world.hasCustomer(customerId)) return notFound(`Customer ${customerId} was not found.`, correlationId);
  if (resellerId !== null && world.hasReseller?.(resellerId) === false) {
    return notFound(`Reseller ${resellerId} was not found.`, correlationId);
  }
  return world.hasRelationship(customerId, resellerId) ? undefined : FORBIDDEN;
}

function valueOf(target: Target, key: string, ctx: ReadContext): string | null {
  return ctx.values.read(target, key, ctx.now, ctx.readLagMs) ?? null;
}

/** A subscription as the API describes one; only `poNumber` changes, the rest is made up from the id. */
function subscriptionModel(customerId: string, subscriptionId: string, ctx: ReadContext): object {
  return {
    id: subscriptionId,
    customerId,
    name: ctx.world.nameOf?.(subscriptionId) ?? `Subscription ${subscriptionId.slice(0, 8)}`,
    status: 'active',
    poNumber: valueOf('poNumber', `${customerId}/${subscriptionId}`, ctx),
    internalId: `S-${subscriptionId.slice(0, 8).toUpperCase()}`,
    autoRenewEnabled: true,
    providerSubscriptionId: uuidFrom(`provider:${subscriptionId}`),
    quantity: 1,
    billingFrequency: 'monthly',
  };
}

/** A customer as the API describes one, for the relationship with `resellerId` (null: the caller's own). */
function customerModel(customerId: string, resellerId: string | null, ctx: ReadContext): object {
  return {
    id: customerId,
    name: ctx.world.nameOf?.(customerId) ?? `Customer ${customerId.slice(0, 8)}`,
    internalIdentifier: valueOf('internalIdentifier', `${customerId}/${resellerId ?? 'csp'}`, ctx),
    resellerId,
    providerCustomerId: uuidFrom(`provider:${customerId}`),
    status: 'active',
  };
}

/** A UUID-shaped id that is always the same for `seed`. */
function uuidFrom(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
