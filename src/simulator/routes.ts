/**
 * Which API call a request names: the two writes (PATCH) and the four reads (GET), with the ids
 * exactly as they appear in the path and the query of the reads.
 */
import { propertyOf } from './validation.js';

/** A call of the API, with the ids from its path and, for reads, the query. */
export type Route =
  | { call: 'po-number'; customerId: string; subscriptionId: string }
  | { call: 'internal-identifier'; customerId: string }
  | { call: 'subscription'; customerId: string; subscriptionId: string; query: URLSearchParams }
  | { call: 'customer'; customerId: string; query: URLSearchParams }
  | { call: 'customers'; query: URLSearchParams }
  | { call: 'subscriptions'; customerId: string; query: URLSearchParams };

/** The name of a call. */
export type Call = Route['call'];

/** The one method each call takes; any other answers 405. */
export const METHOD_OF: Record<Call, 'GET' | 'PATCH'> = {
  'po-number': 'PATCH',
  'internal-identifier': 'PATCH',
  subscription: 'GET',
  customer: 'GET',
  customers: 'GET',
  subscriptions: 'GET',
};

/** Whether the call changes a value (else it reads). */
export const isWrite = (
  route: Route,
): route is Extract<Route, { call: 'po-number' | 'internal-identifier' }> =>
  METHOD_OF[route.call] === 'PATCH';

// The real API routes case-insensitively (ASP.NET), and its docs spell "customers" both ways.
const PO_NUMBER_ROUTE = /^\/v1\/customers\/([^/]+)\/subscriptions\/([^/]+)\/po-number\/?$/i;
const INTERNAL_IDENTIFIER_ROUTE = /^\/v1\/customers\/([^/]+)\/internal-identifier\/?$/i;
const SUBSCRIPTION_ROUTE = /^\/v1\/customers\/([^/]+)\/subscriptions\/([^/]+)\/?$/i;
const SUBSCRIPTIONS_ROUTE = /^\/v1\/customers\/([^/]+)\/subscriptions\/?$/i;
const CUSTOMER_ROUTE = /^\/v1\/customers\/([^/]+)\/?$/i;
const CUSTOMERS_ROUTE = /^\/v1\/customers\/?$/i;

function decodeSegment(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return segment ?? '';
  }
}

/** The call a request path names, with its query (`?…` or empty), or undefined for an unknown route. */
export function matchRoute(path: string, search = ''): Route | undefined {
  let match = PO_NUMBER_ROUTE.exec(path);
  if (match) {
    return {
      call: 'po-number',
      customerId: decodeSegment(match[1]),
      subscriptionId: decodeSegment(match[2]),
    };
  }
  match = INTERNAL_IDENTIFIER_ROUTE.exec(path);
  if (match) return { call: 'internal-identifier', customerId: decodeSegment(match[1]) };
  const query = new URLSearchParams(search);
  match = SUBSCRIPTION_ROUTE.exec(path);
  if (match) {
    const [customerId, subscriptionId] = [decodeSegment(match[1]), decodeSegment(match[2])];
    return { call: 'subscription', customerId, subscriptionId, query };
  }
  match = SUBSCRIPTIONS_ROUTE.exec(path);
  if (match) return { call: 'subscriptions', customerId: decodeSegment(match[1]), query };
  match = CUSTOMER_ROUTE.exec(path);
  if (match) return { call: 'customer', customerId: decodeSegment(match[1]), query };
  if (CUSTOMERS_ROUTE.test(path)) return { call: 'customers', query };
  return undefined;
}

/** A query parameter by name, matched case-insensitively as ASP.NET binds them; undefined when absent. */
export function queryValue(query: URLSearchParams, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of query) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/**
 * The thing a request changes or reads, `${customerId}/${subscriptionId}` or
 * `${customerId}/${resellerId ?? 'csp'}` (lower-case), worked out even for bad requests: two of
 * them in flight at once is what the per-key concurrency count must catch, whatever the server
 * answers. The paged lists read no one thing: undefined.
 */
export function callKey(route: Route, parsed: unknown): string | undefined {
  if (route.call === 'customers' || route.call === 'subscriptions') return undefined;
  const customerId = route.customerId.toLowerCase();
  if (route.call === 'po-number' || route.call === 'subscription')
    return `${customerId}/${route.subscriptionId.toLowerCase()}`;
  const resellerId =
    route.call === 'customer'
      ? queryValue(route.query, 'resellerId') || null
      : typeof parsed === 'object' && parsed !== null
        ? propertyOf(parsed, 'resellerid').value
        : null;
  return `${customerId}/${typeof resellerId === 'string' ? resellerId.toLowerCase() : 'csp'}`;
}
