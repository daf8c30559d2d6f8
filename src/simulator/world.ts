import { SAMPLE_WORLD } from './sample-world.js';

export { SAMPLE_WORLD } from './sample-world.js';

/**
 * What exists on the server side, which the client cannot know before it calls. Ids are passed
 * lower-case. The simulator asks in this order: customer, subscription, permission, relationship.
 */
export interface World {
  /** Whether the customer exists (else 404 NotFound). */
  hasCustomer(customerId: string): boolean;
  /** Whether the subscription exists and belongs to this customer (else 404). */
  hasSubscription(customerId: string, subscriptionId: string): boolean;
  /** Whether the caller may change the subscription: the CSP, or the reseller associated to it (else 403). */
  mayTouchSubscription(customerId: string, subscriptionId: string): boolean;
  /** Whether the reseller, or the caller's own CSP relationship when null, has a relationship with the customer (else 404). */
  hasRelationship(customerId: string, resellerId: string | null): boolean;
  /** Why the server refuses a PO number or internal identifier, or undefined when it accepts it. */
  rejectText(value: string): string | undefined;
}

/** The server-side rule no client can check from the documentation alone: no angle brackets. */
export function rejectAngleBrackets(value: string): string | undefined {
  return value.includes('<') || value.includes('>')
    ? "The value contains characters that are not allowed ('<', '>')."
    : undefined;
}

/** A world where every well-formed id exists and may be changed; the bulk tests and the benchmark use it. */
export function openWorld(): World {
  return {
    hasCustomer: () => true,
    hasSubscription: () => true,
    mayTouchSubscription: () => true,
    hasRelationship: () => true,
    rejectText: rejectAngleBrackets,
  };
}

/** The small fixed world of SAMPLE_WORLD: six customers, their subscriptions and reseller relationships. */
export function sampleWorld(): World {
  const customers = new Map<string, { subscriptions: Set<string>; resellers: Set<string> }>();
  for (const customer of Object.values(SAMPLE_WORLD.customers)) {
    customers.set(customer.id, {
      subscriptions: new Set<string>(Object.values(customer.subscriptions)),
      resellers: new Set<string>(customer.resellers),
    });
  }
  const forbidden = `${SAMPLE_WORLD.forbidden.customerId}/${SAMPLE_WORLD.forbidden.subscriptionId}`;
  return {
    hasCustomer: (customerId) => customers.has(customerId),
    hasSubscription: (customerId, subscriptionId) =>
      customers.get(customerId)?.subscriptions.has(subscriptionId) ?? false,
    mayTouchSubscription: (customerId, subscriptionId) => `${customerId}/${subscriptionId}` !== forbidden,
    hasRelationship: (customerId, resellerId) => {
      const customer = customers.get(customerId);
      return customer !== undefined && (resellerId === null || customer.resellers.has(resellerId));
    },
    rejectText: rejectAngleBrackets,
  };
}
