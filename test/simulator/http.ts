/** Talking to a simulator over real HTTP in the simulator's tests: the calls with good headers, and their URLs. */
import { afterEach, expect } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server.js';

export const CUSTOMER = '0b8f5ad4-6c3e-4f0e-9a51-2d7c4b1e9f30';
export const SUBSCRIPTION = '5e2a9c71-8d4b-4a6f-b3e0-7f1c2d9a8b45';
export const RESELLER = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f';
export const GOOD_HEADERS = {
  authorization: 'Bearer sim-static-token',
  'x-tenant': 'portal.cloudcockpit.com',
};

type Headers = Record<string, string | undefined>;

let running: Simulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** A simulator for this test, closed after it. */
export async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  running = await startSimulator(options);
  return running;
}

const headersOf = (extra: Headers) =>
  Object.fromEntries(
    Object.entries({ ...GOOD_HEADERS, ...extra }).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;

/** A GET with good headers; a header given as undefined is left out. */
export function get(url: string, headers: Headers = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(url, { headers: headersOf(headers), signal });
}

/** A PATCH of a JSON body with good headers. */
export function patch(
  url: string,
  body: string,
  headers: Headers = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(url, {
    method: 'PATCH',
    headers: headersOf({ 'content-type': 'application/json', ...headers }),
    body,
    signal,
  });
}

/** One subscription: the read of its PO number, and with `/po-number` its write. */
export const subscriptionUrl = (s: Simulator, customerId = CUSTOMER, subscriptionId = SUBSCRIPTION) =>
  `${s.url}/v1/customers/${customerId}/subscriptions/${subscriptionId}`;

/** One customer, scoped to a reseller's relationship when one is given. */
export const customerUrl = (s: Simulator, customerId = CUSTOMER, resellerId?: string) =>
  `${s.url}/v1/Customers/${customerId}${resellerId === undefined ? '' : `?resellerId=${resellerId}`}`;

/** The PO number write. */
export const poNumberUrl = (s: Simulator, customerId = CUSTOMER, subscriptionId = SUBSCRIPTION) =>
  `${subscriptionUrl(s, customerId, subscriptionId)}/po-number`;

/** The internal identifier write. */
export const internalIdentifierUrl = (s: Simulator, customerId = CUSTOMER) =>
  `${s.url}/v1/Customers/${customerId}/internal-identifier`;

/** The JSON body of an answer. */
export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/**
 * Waits for `condition` however long a loaded machine takes (it waited up to a second), and says
 * whether it holds; only jest's timeout ends a wait for something that never happens.
 */
export async function until(condition: () => boolean): Promise<boolean> {
  while (!condition()) await sleep(5);
  return condition();
}

/** The good headers with the JSON content type a PATCH sends, for calls made with fetch itself. */
export const JSON_HEADERS = { ...GOOD_HEADERS, 'content-type': 'application/json' };

/** The documented error body, its fields in the documented order. */
export interface ErrorBody {
  statusCode: number;
  type: string;
  description: string;
  correlationId: string;
  errors: Array<{ propertyName: string; description: string[] }> | null;
}

/** The error body of an answer, which must come as JSON. */
export async function errorBody(response: Response): Promise<ErrorBody> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return (await response.json()) as ErrorBody;
}
