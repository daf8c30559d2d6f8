/**
 * The API client against the simulator: how a row's attempts are counted when the token endpoint
 * fails and when the API refuses a token (issue 16, items 2 and 3), and the read-only check made
 * before a run (item 6).
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ApiClient, type ClientOptions, type RetryInfo } from '../../src/api/client.js';
import { ClientCredentialsToken, StaticToken, type TokenProvider } from '../../src/api/token.js';
import { poNumbers } from '../../src/kinds.js';
import { RateLimiter } from '../../src/pacing/rate-limiter.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';

const SCOPE = 'api://b92a36a4-feb8-4f47-a69c-29a180aa6d0a/.default';
const change = {
  values: {
    customerId: '0c6e3b9e-7d0c-4c56-9f51-1f6f2d0b6a11',
    subscriptionId: '8b7f5e2a-45c1-4f0e-a3d2-6c9e1b2d3f44',
    poNumber: 'PO-1',
  },
};

let sim: Simulator;
let agents: { http: http.Agent; https: https.Agent };
beforeEach(async () => {
  sim = await startSimulator({ clientId: 'id', clientSecret: 'the-secret-123' });
  agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
});
afterEach(async () => {
  agents.http.destroy();
  agents.https.destroy();
  await sim.close();
});

const credentials = (tokenUrl = sim.tokenUrl) =>
  new ClientCredentialsToken({
    tokenUrl,
    clientId: 'id',
    clientSecret: 'the-secret-123',
    scope: SCOPE,
    timeoutMs: 5000,
  });

/** A client for the simulator that records every retry it tells of. */
function client(token: TokenProvider, retries: number, onRetry: (info: RetryInfo) => void = () => {}) {
  const retried: RetryInfo[] = [];
  const options: ClientOptions = {
    baseUrl: sim.url,
    tenant: 'portal.cloudcockpit.com',
    token,
    limiter: new RateLimiter(0),
    agents,
    retries,
    timeoutMs: 5000,
    maxRetryAfterMs: 60_000,
    onRetry: (info) => {
      retried.push(info);
      onRetry(info);
    },
  };
  return { api: new ApiClient(options), retried };
}

/** A loopback port nothing listens on: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a token endpoint that cannot be reached', () => {
  test('is not an API retry: nothing is sent, no retry is told, and the row stops the run at once', async () => {
    const tokenUrl = `http://127.0.0.1:${await closedPort()}/x/oauth2/v2.0/token`;
    const tokens = credentials(tokenUrl);
    const { api, retried } = client(tokens, 5);
    const result = await api.send(poNumbers, change, crypto.randomUUID());
    // Only the token's own quick waits (at most 1.05 s in all), no API backoff: counted, not timed.
    expect(tokens.requests).toBe(4);
    expect(tokens.waitedMs).toBeLessThanOrEqual(1050);
    expect(retried).toEqual([]);
    expect(sim.counters.api).toBe(0);
    expect(result).toMatchObject({ status: 'not_attempted', attempts: 0, errorType: 'TokenError' });
    expect(result.stopRun).toMatch(
      /^Could not reach the token endpoint http:\/\/127\.0\.0\.1:\d+\/x\/oauth2\/v2\.0\/token \(ECONNREFUSED\) after 4 attempts/,
    );
  });
});

describe('one retry budget per row', () => {
  test('after a 401 the renewed token gets one more try, not a fresh budget: at most retries + 2 attempts', async () => {
    sim.configure({ failureRate: 1 });
    const retries = 2;
    // The token is revoked while the row waits for its last retry: that attempt gets 401, the
    // client renews the token, and the 500s go on.
    const { api } = client(credentials(), retries, (info) => {
      if (info.attempt === retries) sim.revokeIssuedTokens();
    });
    const correlationId = crypto.randomUUID();
    const result = await api.send(poNumbers, change, correlationId);
    const sent = sim.requests.filter((r) => r.correlationId === correlationId).map((r) => r.status);
    expect(sent).toEqual([500, 500, 401, 500]);
    expect(result).toMatchObject({ status: 'failed', httpStatus: 500, attempts: retries + 2, correlationId });
    expect(sim.issuedTokens).toBe(2);
  });

  test('a 401 on the first attempt leaves the whole budget: retries + 2 attempts in all', async () => {
    sim.configure({ failureRate: 1 });
    const tokens = credentials();
    const { api, retried } = client(tokens, 2);
    await tokens.get();
    sim.revokeIssuedTokens();
    const correlationId = crypto.randomUUID();
    const result = await api.send(poNumbers, change, correlationId);
    const sent = sim.requests.filter((r) => r.correlationId === correlationId).map((r) => r.status);
    expect(sent).toEqual([401, 500, 500, 500]);
    expect(result).toMatchObject({ status: 'failed', httpStatus: 500, attempts: 4 });
    // The retries are told with the row's own attempt numbers, counted across the renewal.
    expect(retried.map((r) => r.attempt)).toEqual([2, 3]);
  });

  test('a token that cannot be renewed is not sent again after a 401', async () => {
    sim.configure({ rejectAllTokens: true });
    const { api } = client(new StaticToken('sim-static-token'), 5);
    const result = await api.send(poNumbers, change, crypto.randomUUID());
    expect(result).toMatchObject({ status: 'failed', httpStatus: 401, attempts: 1 });
    expect(result.stopRun).toBe('the API refused the bearer token (HTTP 401)');
  });
});

describe('check, one read-only call before the run', () => {
  test('answers the status of one GET, sent with the tenant, the token and a correlation id', async () => {
    const { api } = client(new StaticToken('sim-static-token'), 5);
    expect(await api.check('v1/Customers?pageSize=1')).toBe(200);
    expect(sim.requests).toHaveLength(1);
    expect(sim.requests[0]).toMatchObject({
      method: 'GET',
      path: '/v1/Customers?pageSize=1',
      tenant: 'portal.cloudcockpit.com',
      authorization: 'Bearer sim-static-token',
      status: 200,
    });
    expect(sim.requests[0]?.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('a refused ready token answers 401 after one request: it cannot be renewed', async () => {
    sim.configure({ rejectAllTokens: true });
    const { api } = client(new StaticToken('sim-static-token'), 5);
    expect(await api.check('v1/Customers?pageSize=1')).toBe(401);
    expect(sim.counters.api).toBe(1);
  });

  test('is never retried: a 500 is its answer, and a refused connection gives no status', async () => {
    sim.configure({ failureRate: 1 });
    const { api, retried } = client(new StaticToken('sim-static-token'), 5);
    expect(await api.check('v1/Customers?pageSize=1')).toBe(500);
    expect(sim.counters.api).toBe(1);
    const away = new ApiClient({
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      tenant: 'portal.cloudcockpit.com',
      token: new StaticToken('sim-static-token'),
      limiter: new RateLimiter(0),
      agents,
      retries: 5,
      timeoutMs: 5000,
      maxRetryAfterMs: 60_000,
    });
    expect(await away.check('v1/Customers?pageSize=1')).toBeUndefined();
    expect(retried).toEqual([]);
  });
});
