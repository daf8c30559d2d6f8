/**
 * The client's read call against the simulator (and, for answers no API should give, a plain local
 * server): the value of the row's target, through the same headers, pacing, retries and token
 * renewal as a write (issue 17).
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ApiClient, type ClientOptions, type RetryInfo } from '../../src/api/client.js';
import { ClientCredentialsToken, StaticToken, type TokenProvider } from '../../src/api/token.js';
import { internalIdentifiers, poNumbers, type Change } from '../../src/kinds.js';
import { RateLimiter } from '../../src/pacing/rate-limiter.js';
import type { ReadResult } from '../../src/result.js';
import { plannedFaults, type FaultPlan } from '../../src/simulator/fault-plan.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { SAMPLE_WORLD, sampleWorld } from '../../src/simulator/world.js';

const CUSTOMER = '0c6e3b9e-7d0c-4c56-9f51-1f6f2d0b6a11';
const SUBSCRIPTION = '8b7f5e2a-45c1-4f0e-a3d2-6c9e1b2d3f44';
const RESELLER = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f';
const po = (customerId = CUSTOMER, subscriptionId = SUBSCRIPTION): Change => ({
  values: { customerId, subscriptionId, poNumber: 'PO-new' },
});
const identifier = (resellerId: string | null, customerId = CUSTOMER): Change => ({
  values: { customerId, resellerId, internalIdentifier: 'ERP-new' },
});

let sim: Simulator;
let agents: { http: http.Agent; https: https.Agent };
beforeEach(async () => {
  sim = await startSimulator({ clientId: 'id', clientSecret: 'the-secret-123', retryAfterSeconds: 0 });
  agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
});
afterEach(async () => {
  agents.http.destroy();
  agents.https.destroy();
  await sim.close();
});

interface Setup {
  token?: TokenProvider;
  retries?: number;
  rate?: number;
  timeoutMs?: number;
  baseUrl?: string;
}

/** A client for the simulator that records the retries and answers it tells of. */
function client(setup: Setup = {}) {
  const retried: RetryInfo[] = [];
  const answered: number[] = [];
  const options: ClientOptions = {
    baseUrl: setup.baseUrl ?? sim.url,
    tenant: 'portal.cloudcockpit.com',
    token: setup.token ?? new StaticToken('sim-static-token'),
    limiter: new RateLimiter(setup.rate ?? 0),
    agents,
    retries: setup.retries ?? 3,
    timeoutMs: setup.timeoutMs ?? 5000,
    maxRetryAfterMs: 60_000,
    onRetry: (info) => retried.push(info),
    onResponse: (status) => answered.push(status),
  };
  return { api: new ApiClient(options), retried, answered };
}

const failure = (read: ReadResult) => (read.ok ? undefined : read.result);

describe('the value read', () => {
  test('a PO number comes back as it was seeded, with the status, attempts and correlation id', async () => {
    sim.configure({ seedValues: { poNumbers: { [`${CUSTOMER}/${SUBSCRIPTION}`]: 'PO-7' } } });
    const correlationId = crypto.randomUUID();
    const read = await client().api.read(poNumbers, po(), correlationId);
    expect(read).toMatchObject({ ok: true, value: 'PO-7', httpStatus: 200, attempts: 1, correlationId });
    expect(read.ok && read.durationMs).toBeGreaterThanOrEqual(0);
  });

  test('the GET carries the tenant, the bearer token and the correlation id, and no body or content type', async () => {
    const correlationId = crypto.randomUUID();
    await client().api.read(poNumbers, po(), correlationId);
    expect(sim.requests).toHaveLength(1);
    expect(sim.requests[0]).toMatchObject({
      method: 'GET',
      path: `/v1/customers/${CUSTOMER}/subscriptions/${SUBSCRIPTION}`,
      tenant: 'portal.cloudcockpit.com',
      authorization: 'Bearer sim-static-token',
      correlationId,
      contentType: undefined,
      body: '',
      status: 200,
    });
    expect(sim.counters.byMethod).toEqual({ GET: 1 });
  });

  test('reads back what a send wrote', async () => {
    const { api } = client();
    await api.send(poNumbers, po(), crypto.randomUUID());
    expect(await api.read(poNumbers, po(), crypto.randomUUID())).toMatchObject({ ok: true, value: 'PO-new' });
  });

  test('a value never written, a cleared PO number ("") and a cleared identifier (null) all read as null', async () => {
    const { api } = client();
    expect(await api.read(poNumbers, po(), crypto.randomUUID())).toMatchObject({ ok: true, value: null });
    sim.configure({
      seedValues: {
        poNumbers: { [`${CUSTOMER}/${SUBSCRIPTION}`]: '' },
        internalIdentifiers: { [`${CUSTOMER}/csp`]: null },
      },
    });
    expect(await api.read(poNumbers, po(), crypto.randomUUID())).toMatchObject({ ok: true, value: null });
    expect(await api.read(internalIdentifiers, identifier(null), crypto.randomUUID())).toMatchObject({
      ok: true,
      value: null,
    });
  });

  test('an internal identifier is read for the row’s relationship: the reseller’s, else the CSP’s own', async () => {
    sim.configure({
      seedValues: {
        internalIdentifiers: { [`${CUSTOMER}/csp`]: 'ERP-csp', [`${CUSTOMER}/${RESELLER}`]: 'ERP-r' },
      },
    });
    const { api } = client();
    expect(await api.read(internalIdentifiers, identifier(RESELLER), crypto.randomUUID())).toMatchObject({
      value: 'ERP-r',
    });
    expect(await api.read(internalIdentifiers, identifier(null), crypto.randomUUID())).toMatchObject({
      value: 'ERP-csp',
    });
    expect(sim.requests.map((r) => r.path)).toEqual([
      `/v1/Customers/${CUSTOMER}?resellerId=${RESELLER}`,
      `/v1/Customers/${CUSTOMER}`,
    ]);
  });
});

describe('a read the API refuses', () => {
  test('an unknown customer is failed with the API’s 404 words, not retried', async () => {
    sim.configure({ world: sampleWorld() });
    const { api, retried } = client();
    const read = await api.read(poNumbers, po(SAMPLE_WORLD.unknown.customerId), crypto.randomUUID());
    expect(failure(read)).toMatchObject({
      status: 'failed',
      httpStatus: 404,
      attempts: 1,
      errorType: 'NotFound',
      errorDescription: `Customer ${SAMPLE_WORLD.unknown.customerId} was not found.`,
    });
    expect(retried).toEqual([]);
  });

  test('a reseller outside the customer’s relationship is failed 403 Forbidden', async () => {
    sim.configure({ world: sampleWorld() });
    const { contoso } = SAMPLE_WORLD.customers;
    const change = identifier(SAMPLE_WORLD.resellers.tailspin.id, contoso.id);
    const read = await client().api.read(internalIdentifiers, change, crypto.randomUUID());
    expect(failure(read)).toMatchObject({
      status: 'failed',
      httpStatus: 403,
      attempts: 1,
      errorType: 'Forbidden',
    });
  });
});

describe('retries, pacing and tokens, as for a write', () => {
  const plan: FaultPlan = { seed: 11, share: 1, maxPerTarget: 3, kinds: ['error', 'throttle'] };
  const key = `${CUSTOMER}/${SUBSCRIPTION}`;

  test('5xx and 429 answers planned for the read are retried with the same correlation id until the value comes', async () => {
    sim.configure({ readFaultPlan: plan, seedValues: { poNumbers: { [key]: 'PO-7' } } });
    const faults = plannedFaults(plan, key).length;
    const { api, retried, answered } = client({ retries: 3 });
    const correlationId = crypto.randomUUID();
    const read = await api.read(poNumbers, po(), correlationId);
    expect(read).toMatchObject({ ok: true, value: 'PO-7', attempts: faults + 1 });
    expect(retried.map((r) => r.attempt)).toEqual(Array.from({ length: faults }, (_, i) => i + 1));
    expect(new Set(sim.requests.map((r) => r.correlationId))).toEqual(new Set([correlationId]));
    // The throttle hears every answer, the retried ones included.
    expect(answered).toHaveLength(faults + 1);
    expect(answered.at(-1)).toBe(200);
  });

  test('when the retries run out, the read fails with the last answer', async () => {
    sim.configure({ failureRate: 1 });
    const read = await client({ retries: 1 }).api.read(poNumbers, po(), crypto.randomUUID());
    expect(failure(read)).toMatchObject({
      status: 'failed',
      httpStatus: 500,
      attempts: 2,
      errorType: 'InternalServerError',
    });
  });

  test('a read with no answer in time fails as a Timeout', async () => {
    sim.configure({ readFaultPlan: { seed: 1, share: 1, maxPerTarget: 1, kinds: ['hang'] } });
    const read = await client({ retries: 0, timeoutMs: 200 }).api.read(poNumbers, po(), crypto.randomUUID());
    expect(failure(read)).toMatchObject({ status: 'failed', attempts: 1, errorType: 'Timeout' });
  });

  test('every attempt is paced by the rate limiter: reads count against the rate', async () => {
    const rate = 10;
    const { api } = client({ rate });
    const started = performance.now();
    const reads = await Promise.all(
      Array.from({ length: 2 * rate }, () =>
        api.read(poNumbers, po(CUSTOMER, crypto.randomUUID()), crypto.randomUUID()),
      ),
    );
    expect(reads.every((r) => r.ok)).toBe(true);
    // 20 starts spaced 1/rate apart take at least 1.9 s, and no wall-clock second sees more than rate + 1.
    expect(performance.now() - started).toBeGreaterThanOrEqual(1800);
    expect(Math.max(...Object.values(sim.stats().perSecond))).toBeLessThanOrEqual(rate + 1);
  });

  test('a refused token is renewed once and the read goes on with the same correlation id', async () => {
    const tokens = new ClientCredentialsToken({
      tokenUrl: sim.tokenUrl,
      clientId: 'id',
      clientSecret: 'the-secret-123',
      scope: 'api://b92a36a4-feb8-4f47-a69c-29a180aa6d0a/.default',
      timeoutMs: 5000,
    });
    await tokens.get();
    sim.revokeIssuedTokens();
    const read = await client({ token: tokens }).api.read(poNumbers, po(), crypto.randomUUID());
    expect(read).toMatchObject({ ok: true, attempts: 2 });
    expect(sim.requests.filter((r) => r.method === 'GET').map((r) => r.status)).toEqual([401, 200]);
    expect(sim.issuedTokens).toBe(2);
  });

  test('a token that cannot be renewed fails the read with 401 and stops the run', async () => {
    sim.configure({ rejectAllTokens: true });
    const read = await client().api.read(poNumbers, po(), crypto.randomUUID());
    expect(failure(read)).toMatchObject({ status: 'failed', httpStatus: 401, attempts: 1 });
    expect(failure(read)?.stopRun).toBe('the API refused the bearer token (HTTP 401)');
  });

  test('after a stop, a read is not attempted and nothing is sent', async () => {
    const { api } = client();
    api.stop();
    const read = await api.read(poNumbers, po(), crypto.randomUUID());
    expect(failure(read)).toMatchObject({ status: 'not_attempted', attempts: 0 });
    expect(sim.counters.api).toBe(0);
  });
});

describe('a 200 that does not hold the value', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  /** A local server that answers every request 200 with `body`. */
  async function answering(body: string, contentType = 'application/json'): Promise<string> {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  test.each([
    ['without the field', '{"id":"x","name":"Azure plan"}', /without a poNumber field/],
    ['with the field of the wrong type', '{"poNumber":42}', /poNumber as a number/],
    ['with a body that is not JSON', 'OK', /not JSON/],
  ])('a 200 %s is failed as an UnexpectedAnswer, not a crash', async (_name, body, words) => {
    const baseUrl = await answering(body);
    const read = await client({ baseUrl }).api.read(poNumbers, po(), crypto.randomUUID());
    expect(failure(read)).toMatchObject({
      status: 'failed',
      httpStatus: 200,
      attempts: 1,
      errorType: 'UnexpectedAnswer',
    });
    expect(failure(read)?.errorDescription).toMatch(words);
  });

  test('a 200 sign-in page of a proxy is failed quoting its title', async () => {
    const baseUrl = await answering('<html><title>Please sign in</title></html>', 'text/html');
    const read = await client({ baseUrl }).api.read(poNumbers, po(), crypto.randomUUID());
    expect(failure(read)?.errorDescription).toMatch(/web page: Please sign in/);
  });
});
