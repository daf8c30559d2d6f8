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
  /** Whether the reseller exists at all: a read scoped to one that does not answers 404. Every one does when absent. */
  hasReseller?(resellerId: string): boolean;
  /** The customers `GET /v1/Customers` lists, in order. When absent: those with a stored value. */
  customers?(): readonly string[];
  /** The subscriptions `GET /v1/customers/{id}/subscriptions` lists. When absent: those with a stored PO number. */
  subscriptions?(customerId: string): readonly string[];
  /** A readable name for a customer or subscription id, when the world has one. */
  nameOf?(id: string): string | undefined;
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
  const names = new Map<string, string>();
  for (const customer of Object.values(SAMPLE_WORLD.customers)) {
    customers.set(customer.id, {
      subscriptions: new Set<string>(Object.values(customer.subscriptions)),
      resellers: new Set<string>(customer.resellers),
    });
    names.set(customer.id, customer.name);
    for (const [name, id] of Object.entries(customer.subscriptions)) names.set(id, readable(name));
  }
  const resellers = new Set<string>(Object.values(SAMPLE_WORLD.resellers).map((r) => r.id));
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
    hasReseller: (resellerId) => resellers.has(resellerId),
    customers: () => [...customers.keys()],
    subscriptions: (customerId) => [...(customers.get(customerId)?.subscriptions ?? [])],
    nameOf: (id) => names.get(id),
  };
}

/** `microsoft365E3` as `Microsoft365 E3`: the sample's keys are close enough to product names. */
function readable(key: string): string {
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
