import { afterEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server.js';
import { SAMPLE_WORLD, sampleWorld } from '../../src/simulator/world.js';

const CUSTOMER = '0b8f5ad4-6c3e-4f0e-9a51-2d7c4b1e9f30';
const SUBSCRIPTION = '5e2a9c71-8d4b-4a6f-b3e0-7f1c2d9a8b45';
const RESELLER = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f';
const SCOPE = 'api://b92a36a4-feb8-4f47-a69c-29a180aa6d0a/.default';
const GOOD_HEADERS = {
  authorization: 'Bearer sim-static-token',
  'x-tenant': 'portal.cloudcockpit.com',
  'content-type': 'application/json',
};

let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator(options);
  return sim;
}

type Headers = Record<string, string | undefined>;

/** Sends a PATCH; a header given as undefined is left out. */
function patch(url: string, body: string, headers: Headers = {}, signal?: AbortSignal): Promise<Response> {
  const merged = Object.entries({ ...GOOD_HEADERS, ...headers }).filter(([, v]) => v !== undefined);
  return fetch(url, {
    method: 'PATCH',
    headers: Object.fromEntries(merged) as Record<string, string>,
    body,
    signal,
  });
}

function poNumberUrl(s: Simulator, customerId = CUSTOMER, subscriptionId = SUBSCRIPTION): string {
  return `${s.url}/v1/customers/${customerId}/subscriptions/${subscriptionId}/po-number`;
}

function internalIdentifierUrl(s: Simulator, customerId = CUSTOMER): string {
  return `${s.url}/v1/Customers/${customerId}/internal-identifier`;
}

function requestToken(s: Simulator, fields: Record<string, string>): Promise<Response> {
  return fetch(s.tokenUrl, { method: 'POST', body: new URLSearchParams(fields) });
}

const GOOD_CREDENTIALS = {
  client_id: 'sim-client-id',
  client_secret: 'sim-client-secret',
  scope: SCOPE,
  grant_type: 'client_credentials',
};

interface ErrorBody {
  statusCode: number;
  type: string;
  description: string;
  correlationId: string;
  errors: Array<{ propertyName: string; description: string[] }> | null;
}

async function errorBody(response: Response): Promise<ErrorBody> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return (await response.json()) as ErrorBody;
}

/** Waits for the condition however long the machine takes; only jest's timeout ends a wait that never ends. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

describe('the two PATCH calls', () => {
  test('a PO number answers 204 with an empty body and is stored under its lower-case key', async () => {
    const s = await start();
    const response = await patch(poNumberUrl(s, CUSTOMER.toUpperCase()), '"PO-42"');
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(s.poNumbers.get(`${CUSTOMER}/${SUBSCRIPTION}`)).toBe('PO-42');
  });

  test('paths match case-insensitively, as the documentation spells them both ways', async () => {
    const s = await start();
    const url = `${s.url}/v1/Customers/${CUSTOMER}/Subscriptions/${SUBSCRIPTION}/PO-Number`;
    expect((await patch(url, '"PO-1"')).status).toBe(204);
    const lower = `${s.url}/v1/customers/${CUSTOMER}/internal-identifier`;
    expect((await patch(lower, '{"internalIdentifier":"X","resellerId":null}')).status).toBe(204);
  });

  test('an internal identifier is stored under the CSP key when resellerId is null, else under the reseller', async () => {
    const s = await start();
    const url = internalIdentifierUrl(s);
    expect((await patch(url, JSON.stringify({ internalIdentifier: 'ERP-1', resellerId: null }))).status).toBe(
      204,
    );
    const withReseller = JSON.stringify({ internalIdentifier: null, resellerId: RESELLER.toUpperCase() });
    expect((await patch(url, withReseller)).status).toBe(204);
    expect(s.internalIdentifiers.get(`${CUSTOMER}/csp`)).toBe('ERP-1');
    expect(s.internalIdentifiers.has(`${CUSTOMER}/${RESELLER}`)).toBe(true);
    expect(s.internalIdentifiers.get(`${CUSTOMER}/${RESELLER}`)).toBeNull();
  });

  test('history keeps every value per key in the order applied, and the last one is the final value', async () => {
    const s = await start();
    for (const value of ['A', 'B', 'C']) await patch(poNumberUrl(s), JSON.stringify(value));
    expect(s.history.get(`${CUSTOMER}/${SUBSCRIPTION}`)).toEqual(['A', 'B', 'C']);
    expect(s.poNumbers.get(`${CUSTOMER}/${SUBSCRIPTION}`)).toBe('C');
  });

  test('requests are recorded in arrival order with their headers, body and status', async () => {
    const s = await start();
    const correlationId = '8f14e45f-ceea-467f-a0e6-7b0a1e3d2c11';
    await patch(poNumberUrl(s), '"PO-7"', { 'x-correlation-id': correlationId });
    await patch(poNumberUrl(s), '"PO-8"', { authorization: undefined });
    expect(s.requests).toHaveLength(2);
    expect(s.requests[0]).toMatchObject({
      method: 'PATCH',
      tenant: 'portal.cloudcockpit.com',
      authorization: 'Bearer sim-static-token',
      correlationId,
      body: '"PO-7"',
      status: 204,
    });
    expect(s.requests[1]).toMatchObject({ body: '"PO-8"', status: 401, authorization: undefined });
  });
});

describe('validation answers 400 with the documented error body', () => {
  test('a malformed customer id names customerId, with the fields in the documented order', async () => {
    const s = await start();
    const body = await errorBody(await patch(poNumberUrl(s, 'not-a-uuid'), '"PO-1"'));
    expect(Object.keys(body)).toEqual(['statusCode', 'type', 'description', 'correlationId', 'errors']);
    expect(body).toMatchObject({ statusCode: 400, type: 'ValidationError' });
    expect(body.errors?.map((e) => e.propertyName)).toEqual(['customerId']);
  });

  test('a PO number of 256 characters names poNumber, while 255 is accepted', async () => {
    const s = await start();
    expect((await patch(poNumberUrl(s), JSON.stringify('x'.repeat(255)))).status).toBe(204);
    const response = await patch(poNumberUrl(s), JSON.stringify('x'.repeat(256)));
    expect(response.status).toBe(400);
    expect((await errorBody(response)).errors?.[0]?.propertyName).toBe('poNumber');
  });

  test.each([
    ['an object', '{"poNumber":"PO-1"}', 'poNumber'],
    ['a number', '42', 'poNumber'],
    ['invalid JSON', 'PO-1', ''],
    ['an empty body', '', ''],
  ])('a PO number body that is %s is refused', async (_name, body, property) => {
    const s = await start();
    const response = await patch(poNumberUrl(s), body);
    expect(response.status).toBe(400);
    expect((await errorBody(response)).errors?.[0]?.propertyName).toBe(property);
  });

  test('an internal identifier body with an extra key or wrong types lists every bad property', async () => {
    const s = await start();
    const body = JSON.stringify({ internalIdentifier: 7, resellerId: 'nope', note: 'x' });
    const errors = (await errorBody(await patch(internalIdentifierUrl(s), body))).errors ?? [];
    expect(errors.map((e) => e.propertyName).sort()).toEqual(['internalIdentifier', 'note', 'resellerId']);
  });

  test('angle brackets are refused by the server-side rule though the value is well-formed', async () => {
    const s = await start();
    const body = await errorBody(await patch(poNumberUrl(s), '"PO<script>"'));
    expect(body.type).toBe('ValidationError');
    expect(body.errors?.[0]?.description[0]).toMatch(/characters that are not allowed/);
    expect(s.poNumbers.size).toBe(0);
  });

  test('the error body echoes a valid X-Correlation-Id and refuses one that is not a UUID', async () => {
    const s = await start();
    const correlationId = '3c59dc04-8f7f-4a1b-9d2e-6b5a4c3d2e1f';
    const echoed = await errorBody(
      await patch(poNumberUrl(s, 'bad'), '"x"', { 'x-correlation-id': correlationId }),
    );
    expect(echoed.correlationId).toBe(correlationId);
    const refused = await errorBody(await patch(poNumberUrl(s), '"x"', { 'x-correlation-id': 'row-7' }));
    expect(refused.errors?.[0]?.propertyName).toBe('X-Correlation-Id');
  });

  test('a body that is not sent as application/json answers 415', async () => {
    const s = await start();
    const response = await patch(poNumberUrl(s), '"PO-1"', { 'content-type': 'text/plain' });
    expect(response.status).toBe(415);
    expect((await errorBody(response)).type).toBe('UnsupportedMediaType');
  });
});

describe('authentication and tenant', () => {
  test('a call without a bearer token answers 401 with an empty body', async () => {
    const s = await start();
    const response = await patch(poNumberUrl(s), '"PO-1"', { authorization: undefined });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('');
  });

  test('a token from the token endpoint is accepted until it expires, then answered 401', async () => {
    const s = await start({ tokenLifetimeSeconds: 1 });
    const token = (await (await requestToken(s, GOOD_CREDENTIALS)).json()) as { access_token: string };
    const authorization = `Bearer ${token.access_token}`;
    expect((await patch(poNumberUrl(s), '"PO-1"', { authorization })).status).toBe(204);
    await sleep(1100);
    const expired = await patch(poNumberUrl(s), '"PO-2"', { authorization });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/expired/);
  });

  test('rejectAllTokens refuses even the static token', async () => {
    const s = await start({ rejectAllTokens: true });
    expect((await patch(poNumberUrl(s), '"PO-1"')).status).toBe(401);
  });

  test('a wrong X-Tenant answers 400 InvalidTenant and a missing one 400 ValidationError', async () => {
    const s = await start();
    const wrong = await errorBody(await patch(poNumberUrl(s), '"PO-1"', { 'x-tenant': 'other.example.com' }));
    expect(wrong).toMatchObject({ statusCode: 400, type: 'InvalidTenant', errors: null });
    const missing = await errorBody(await patch(poNumberUrl(s), '"PO-1"', { 'x-tenant': undefined }));
    expect(missing.type).toBe('ValidationError');
  });
});

describe('the token endpoint', () => {
  test('good client credentials get a Bearer token with the configured lifetime', async () => {
    const s = await start({ tokenLifetimeSeconds: 1800 });
    const response = await requestToken(s, GOOD_CREDENTIALS);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 1800, ext_expires_in: 1800 });
    expect(body.access_token).toMatch(/^eyJ/);
    expect(s.issuedTokens).toBe(1);
  });

  test('a wrong secret answers 401 invalid_client with AADSTS7000215', async () => {
    const s = await start();
    const response = await requestToken(s, { ...GOOD_CREDENTIALS, client_secret: 'wrong' });
    expect(response.status).toBe(401);
    const body = (await response.json()) as {
      error: string;
      error_description: string;
      error_codes: number[];
    };
    expect(body.error).toBe('invalid_client');
    expect(body.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided/);
    expect(body.error_codes).toEqual([7000215]);
  });

  test.each([
    ['an unknown client id', { client_id: 'someone-else' }, 400, 'unauthorized_client'],
    ['another grant type', { grant_type: 'password' }, 400, 'unsupported_grant_type'],
    ['a scope without /.default', { scope: 'api://x' }, 400, 'invalid_scope'],
  ])('%s is refused', async (_name, change, status, error) => {
    const s = await start();
    const response = await requestToken(s, { ...GOOD_CREDENTIALS, ...change });
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toBe(error);
  });

  test('a missing scope is refused with invalid_scope', async () => {
    const s = await start();
    const { scope: _scope, ...withoutScope } = GOOD_CREDENTIALS;
    const response = await requestToken(s, withoutScope);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_scope');
  });

  test('tokenEndpointFailures answers 503 to the next N token requests, then recovers', async () => {
    const s = await start({ tokenEndpointFailures: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await requestToken(s, GOOD_CREDENTIALS)).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(s.counters.tokenByStatus).toEqual({ 200: 1, 503: 2 });
  });
});

describe('the sample world', () => {
  const { contoso, fabrikam } = SAMPLE_WORLD.customers;

  test('a known subscription of a known customer answers 204', async () => {
    const s = await start({ world: sampleWorld() });
    expect((await patch(poNumberUrl(s, contoso.id, contoso.subscriptions.azurePlan), '"PO-1"')).status).toBe(
      204,
    );
  });

  test('an unknown customer and another customer’s subscription answer 404 NotFound', async () => {
    const s = await start({ world: sampleWorld() });
    const unknown = await errorBody(await patch(poNumberUrl(s, SAMPLE_WORLD.unknown.customerId), '"PO-1"'));
    expect(unknown).toMatchObject({ statusCode: 404, type: 'NotFound' });
    expect(unknown.description).toMatch(/^Customer .* was not found/);
    const foreign = await patch(
      poNumberUrl(s, contoso.id, fabrikam.subscriptions.dynamics365Sales),
      '"PO-1"',
    );
    expect((await errorBody(foreign)).description).toMatch(/^Subscription .* not found for customer/);
  });

  test('a subscription managed by another partner answers 403 with an empty body', async () => {
    const s = await start({ world: sampleWorld() });
    const { customerId, subscriptionId } = SAMPLE_WORLD.forbidden;
    const response = await patch(poNumberUrl(s, customerId, subscriptionId), '"PO-1"');
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('');
  });

  test('an internal identifier for a related reseller answers 204, for an unrelated one 404', async () => {
    const s = await start({ world: sampleWorld() });
    const { northwind, tailspin } = SAMPLE_WORLD.resellers;
    const related = JSON.stringify({ internalIdentifier: 'C-1', resellerId: northwind.id });
    expect((await patch(internalIdentifierUrl(s, contoso.id), related)).status).toBe(204);
    const unrelated = JSON.stringify({ internalIdentifier: 'C-1', resellerId: tailspin.id });
    expect((await patch(internalIdentifierUrl(s, contoso.id), unrelated)).status).toBe(404);
  });
});

describe('routing', () => {
  test('an unknown route answers 404 with an error body and a wrong method 405', async () => {
    const s = await start();
    const unknown = await fetch(`${s.url}/v1/nothing`, { headers: GOOD_HEADERS });
    expect((await errorBody(unknown)).statusCode).toBe(404);
    const wrongMethod = await fetch(poNumberUrl(s), { method: 'PUT', headers: GOOD_HEADERS, body: '"x"' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('PATCH');
  });
});

describe('rate limiting and failure knobs', () => {
  test('calls beyond rateLimit in one second answer 429 with Retry-After', async () => {
    const s = await start({ rateLimit: 3, retryAfterSeconds: 2 });
    // One window for all five, however slow the machine (see Simulator.clock).
    s.clock = () => 1_796_000_000_000;
    const responses = [];
    for (let i = 0; i < 5; i++) responses.push(await patch(poNumberUrl(s), '"PO-1"'));
    expect(responses.map((r) => r.status)).toEqual([204, 204, 204, 429, 429]);
    expect(responses[3]?.headers.get('retry-after')).toBe('2');
    expect((await errorBody(responses[3]!)).type).toBe('TooManyRequests');
  });

  test('rateLimitHeaders announces the limit on every API answer, 429s included, in the style asked', async () => {
    const s = await start({ rateLimit: 2, rateLimitHeaders: 'ietf' });
    const frozen = 1_796_000_000_250;
    s.clock = () => frozen;
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await patch(poNumberUrl(s), '"PO-1"'));
    expect(answers.map((r) => [r.status, r.headers.get('ratelimit-remaining')])).toEqual([
      [204, '1'],
      [204, '0'],
      [429, '0'],
    ]);
    expect(answers[2]?.headers.get('ratelimit-limit')).toBe('2');
    expect(answers[2]?.headers.get('ratelimit-policy')).toBe('2;w=1');
    s.configure({ rateLimitHeaders: 'github' });
    const github = await patch(poNumberUrl(s), '"PO-1"');
    expect(github.headers.get('ratelimit-limit')).toBeNull();
    expect(github.headers.get('x-ratelimit-limit')).toBe('2');
    // Epoch seconds of the window's end: the frozen second's end, or the next one's.
    const reset = Number(github.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(Math.floor(frozen / 1000));
    expect(reset).toBeLessThanOrEqual(Math.floor(frozen / 1000) + 2);
  });

  test('by default no answer announces a limit', async () => {
    const s = await start({ rateLimit: 2 });
    const answer = await patch(poNumberUrl(s), '"PO-1"');
    expect([...answer.headers.keys()].filter((name) => name.includes('ratelimit'))).toEqual([]);
  });

  test('burst429 answers deterministic bursts of 429', async () => {
    const s = await start({ burst429: { every: 2, length: 1 } });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await patch(poNumberUrl(s), '"PO-1"')).status);
    expect(statuses).toEqual([204, 204, 429, 204, 204, 429]);
  });

  test('authentication is checked before the rate limit', async () => {
    const s = await start({ rateLimit: 1 });
    s.clock = () => 1_796_000_000_000;
    await patch(poNumberUrl(s), '"PO-1"');
    expect((await patch(poNumberUrl(s), '"PO-1"', { authorization: undefined })).status).toBe(401);
  });

  test('failureRate 1 answers 500 with an error body and stores nothing', async () => {
    const s = await start({ failureRate: 1 });
    const response = await patch(poNumberUrl(s), '"PO-1"');
    expect(response.status).toBe(500);
    expect((await errorBody(response)).statusCode).toBe(500);
    expect(s.poNumbers.size).toBe(0);
  });

  test('dropRate 1 makes fetch reject and releases the in-flight count', async () => {
    const s = await start({ dropRate: 1 });
    await expect(patch(poNumberUrl(s), '"PO-1"')).rejects.toThrow();
    expect(s.counters.dropped).toBe(1);
    expect(s.inFlight).toBe(0);
  });

  test('hangRate 1 holds the call until the client gives up, then releases it', async () => {
    const s = await start({ hangRate: 1 });
    const stop = new AbortController();
    const pending = patch(poNumberUrl(s), '"PO-1"', {}, stop.signal);
    // Given up once it is held, not after a fixed 100 ms a loaded machine may not reach it in.
    await until(() => s.counters.hung === 1);
    expect(s.inFlight).toBe(1);
    stop.abort();
    await expect(pending).rejects.toThrow();
    await until(() => s.inFlight === 0);
    expect(s.counters.hung).toBe(1);
  });

  test('close() ends promptly while a call hangs', async () => {
    const s = await start({ hangRate: 1 });
    const pending = patch(poNumberUrl(s), '"PO-1"');
    pending.catch(() => {}); // asserted below, after close()
    await until(() => s.counters.hung === 1);
    // The hang never ends, so a close() that waited for it would never return (jest's timeout).
    await s.close();
    await expect(pending).rejects.toThrow();
  });

  test('the same seed gives the same sequence of random failures', async () => {
    const run = async () => {
      const s = await startSimulator({ failureRate: 0.5, seed: 42 });
      const statuses = [];
      for (let i = 0; i < 12; i++) statuses.push((await patch(poNumberUrl(s), '"PO-1"')).status);
      await s.close();
      return statuses;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(204);
    expect(await run()).toEqual(first);
  });

  test('latency delays the answer by at least latencyMs', async () => {
    const s = await start({ latencyMs: 60 });
    const started = performance.now();
    await patch(poNumberUrl(s), '"PO-1"');
    expect(performance.now() - started).toBeGreaterThanOrEqual(60);
  });

  test('the latency counts from the arrival of the request: a body sent slowly is part of it, not added to it', async () => {
    // The headers go out at once, the body only after more than the latency: the answer is due
    // by then, so it comes as soon as the body is in, not a whole latency later.
    const s = await start({ latencyMs: 300 });
    const url = new URL(poNumberUrl(s));
    const req = request(url, { method: 'PATCH', headers: { ...GOOD_HEADERS, 'content-length': '6' } });
    const answered = once(req, 'response') as Promise<[IncomingMessage]>;
    const started = performance.now();
    req.flushHeaders();
    await until(() => s.inFlight === 1);
    await sleep(500);
    const bodySent = performance.now();
    req.end('"PO-1"');
    const [response] = await answered;
    const done = performance.now();
    response.resume();
    expect(response.statusCode).toBe(204);
    expect(done - started).toBeGreaterThanOrEqual(500);
    // A whole latency after the body would be 300 ms; the answer was due before the body came.
    expect(done - bodySent).toBeLessThan(250);
  });
});

/**
 * Sends the calls with every one held (hung) until all have arrived, then gives them up and waits
 * until the simulator has let them go: they overlap however slowly the machine runs. A fixed
 * latency overlapped them only when they happened to be sent within it.
 */
async function heldTogether(s: Simulator, send: (signal: AbortSignal) => Promise<Response>[]): Promise<void> {
  s.configure({ hangRate: 1 });
  const stop = new AbortController();
  const calls = send(stop.signal).map((call) => call.then(String, () => 'given up'));
  await until(() => s.counters.hung === calls.length);
  stop.abort();
  expect(new Set(await Promise.all(calls))).toEqual(new Set(['given up']));
  await until(() => s.inFlight === 0);
}

describe('concurrency accounting', () => {
  test('calls in flight together for the same key are counted, sequential ones are not', async () => {
    const s = await start({ latencyMs: 40 });
    for (const value of ['A', 'B']) await patch(poNumberUrl(s), JSON.stringify(value));
    expect(s.maxConcurrentPerKey).toBe(1);
    const other = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    await heldTogether(s, (signal) => [
      patch(poNumberUrl(s), '"C"', {}, signal),
      patch(poNumberUrl(s), '"D"', {}, signal),
      patch(poNumberUrl(s, CUSTOMER, other), '"E"', {}, signal),
    ]);
    expect(s.maxConcurrentPerKey).toBe(2);
    expect(s.maxInFlight).toBe(3);
  });

  test('internal identifiers are keyed by customer and reseller', async () => {
    const s = await start();
    const url = internalIdentifierUrl(s);
    await heldTogether(s, (signal) => [
      patch(url, JSON.stringify({ internalIdentifier: 'A', resellerId: null }), {}, signal),
      patch(url, JSON.stringify({ internalIdentifier: 'B', resellerId: RESELLER }), {}, signal),
    ]);
    expect(s.maxConcurrentPerKey).toBe(1);
    expect(s.maxInFlight).toBe(2);
  });

  test('without recording, values are kept but no request log or history grows', async () => {
    const s = await start({ recordRequests: false });
    for (const value of ['A', 'B']) await patch(poNumberUrl(s), JSON.stringify(value));
    expect(s.requests).toHaveLength(0);
    expect(s.history.size).toBe(0);
    expect(s.poNumbers.get(`${CUSTOMER}/${SUBSCRIPTION}`)).toBe('B');
    expect(s.counters.byStatus).toEqual({ 204: 2 });
  });
});

describe('configuration and admin endpoints', () => {
  test('configure() rejects a bad option with a message naming it', async () => {
    const s = await start();
    expect(() => s.configure({ failureRate: 2 })).toThrow(
      'Expected `failureRate` to be a number from 0 to 1',
    );
    await expect(startSimulator({ rateLimit: -1 })).rejects.toThrow('`rateLimit`');
  });

  test('GET /_sim/stats reports counters and admin calls are not counted', async () => {
    const s = await start();
    await patch(poNumberUrl(s), '"PO-1"');
    const stats = (await (await fetch(`${s.url}/_sim/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ api: 1, byStatus: { 204: 1 }, maxInFlight: 1, maxConcurrentPerKey: 1 });
    expect(s.counters.api).toBe(1);
  });

  test('POST /_sim/config applies options and refuses bad ones', async () => {
    const s = await start();
    const applied = await fetch(`${s.url}/_sim/config`, { method: 'POST', body: '{"failureRate":1}' });
    expect(applied.status).toBe(200);
    expect((await patch(poNumberUrl(s), '"PO-1"')).status).toBe(500);
    const refused = await fetch(`${s.url}/_sim/config`, { method: 'POST', body: '{"dropRate":"often"}' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/dropRate/);
  });

  test('POST /_sim/reset clears counters and stored values but keeps the options', async () => {
    const s = await start({ latencyMs: 1 });
    await patch(poNumberUrl(s), '"PO-1"');
    expect((await fetch(`${s.url}/_sim/reset`, { method: 'POST' })).status).toBe(204);
    expect(s.counters.api).toBe(0);
    expect(s.poNumbers.size).toBe(0);
    expect(s.requests).toHaveLength(0);
    expect(s.options.latencyMs).toBe(1);
  });
});

describe('the standalone process', () => {
  test('prints its URLs as one JSON line, serves admin calls, and exits 0 on SIGTERM', async () => {
    const cli = 'dist/simulator/cli.js';
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
    const child = spawn(process.execPath, [cli, '--world', 'sample', '--rate-limit', '1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const { url, tokenUrl } = JSON.parse(line) as { url: string; tokenUrl: string };
      expect(tokenUrl).toBe(`${url}/4e806121-ff28-4286-ab4e-3be0a08f9ce0/oauth2/v2.0/token`);
      const { contoso } = SAMPLE_WORLD.customers;
      const target = `${url}/v1/customers/${contoso.id}/subscriptions/${contoso.subscriptions.azurePlan}/po-number`;
      const statuses = [(await patch(target, '"PO-1"')).status, (await patch(target, '"PO-2"')).status];
      expect(statuses).toEqual([204, 429]);
      const stats = (await (await fetch(`${url}/_sim/stats`)).json()) as { api: number };
      expect(stats.api).toBe(2);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
