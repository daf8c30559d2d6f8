/**
 * The API client with its circuit breaker, against the simulator on real loopback sockets: an
 * outage after the API answered pauses the rows instead of spending their retries, they go on
 * when it answers again, and an outage past the bound gives up (issue 16, item 5).
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../../src/api/client.js';
import { Circuit, type CircuitSettings } from '../../src/api/circuit.js';
import { StaticToken } from '../../src/api/token.js';
import { poNumbers, type Change } from '../../src/kinds.js';
import { RateLimiter } from '../../src/pacing/rate-limiter.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';

/**
 * Quick enough for a test: pause at the fifth failure in a row (each test sends five rows or more
 * at once, so their first attempts pause it and every row still has its retries), trials after
 * 0.1, 0.2, 0.4, 0.4 s…
 */
const QUICK: CircuitSettings = {
  tripAfterFailures: 5,
  tripAfterMs: 0,
  firstWaitMs: 100,
  maxWaitMs: 400,
  giveUpAfterMs: 20_000,
};

const row = (): Change => ({
  values: { customerId: crypto.randomUUID(), subscriptionId: crypto.randomUUID(), poNumber: 'PO-1' },
});

let sim: Simulator;
let agents: { http: http.Agent; https: https.Agent };
beforeEach(async () => {
  // Retry-After 0: the 500s are retried on the client's own backoff.
  sim = await startSimulator({ retryAfterSeconds: 0 });
  agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
});
afterEach(async () => {
  agents.http.destroy();
  agents.https.destroy();
  await sim.close();
});

/** A client with a breaker whose events are written down, each with the API requests seen so far. */
function client(settings: CircuitSettings, retries: number, baseUrl = sim.url) {
  const told: string[] = [];
  const tell = (event: string) => () => told.push(event);
  const circuit = new Circuit(settings, {
    paused: tell('paused'),
    stillDown: tell('stillDown'),
    resumed: tell('resumed'),
    gaveUp: tell('gaveUp'),
  });
  const api = new ApiClient({
    baseUrl,
    tenant: 'portal.cloudcockpit.com',
    token: new StaticToken('sim-static-token'),
    limiter: new RateLimiter(0),
    agents,
    retries,
    timeoutMs: 2000,
    maxRetryAfterMs: 60_000,
    circuit,
  });
  return { api, circuit, told };
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('an outage after the API answered', () => {
  test('pauses the rows instead of spending their retries; once it answers again they all succeed', async () => {
    const { api, told } = client(QUICK, 2);
    expect((await api.send(poNumbers, row(), crypto.randomUUID())).status).toBe('success');
    sim.configure({ failureRate: 1 });
    const rows = Array.from({ length: 5 }, () => api.send(poNumbers, row(), crypto.randomUUID()));
    // Six failed trials and the failure that paused: seven attempts forgiven among five rows.
    await until(() => told.filter((t) => t === 'stillDown').length >= 6, 'six failed trials');
    // Paused: only one trial at a time goes out.
    const before = sim.counters.api;
    await sleep(300);
    expect(sim.counters.api - before).toBeLessThanOrEqual(2);
    sim.configure({ failureRate: 0 });
    const results = await Promise.all(rows);
    // With 2 retries each, the old client failed every row with its three 500s.
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('success'));
    expect(Math.max(...results.map((r) => r.attempts))).toBeGreaterThan(3);
    expect(told[0]).toBe('paused');
    expect(told.at(-1)).toBe('resumed');
  });

  test('a row whose retries run out before the breaker may pause is held for its verdict, then waits out the outage', async () => {
    // Pausing needs 5 failures in a row over at least 8 s; the row's 5 attempts (4 retries) have
    // all failed within 7.5 s (0.5 + 1 + 2 + 4 s of backoff at most), so before the breaker may
    // pause. Held until then, its try fails too and pauses. Timing can only stretch this.
    const { api, told } = client({ ...QUICK, tripAfterMs: 8000 }, 4);
    expect((await api.send(poNumbers, row(), crypto.randomUUID())).status).toBe('success');
    sim.configure({ failureRate: 1 });
    const held = api.send(poNumbers, row(), crypto.randomUUID());
    await until(() => told.includes('paused'), 'the pause', 30_000);
    sim.configure({ failureRate: 0 });
    const result = await held;
    // The old client failed the row with its fifth 500, and the breaker never paused.
    expect(result.status).toBe('success');
    expect(told[0]).toBe('paused');
    expect(told.at(-1)).toBe('resumed');
  }, 40_000);

  test('a row held so is not tried again if the API answered meanwhile: that was no outage', async () => {
    // 10 s before a pause may come, and at least 2.5 s of it after the row's fifth failure: ample
    // for another row to be answered first, however slow the machine.
    const { api, told } = client({ ...QUICK, tripAfterMs: 10_000 }, 4);
    expect((await api.send(poNumbers, row(), crypto.randomUUID())).status).toBe('success');
    sim.configure({ failureRate: 1 });
    const failing = api.send(poNumbers, row(), crypto.randomUUID());
    await until(() => (sim.counters.byStatus[500] ?? 0) >= 5, 'five 500s', 30_000);
    sim.configure({ failureRate: 0 });
    expect((await api.send(poNumbers, row(), crypto.randomUUID())).status).toBe('success');
    const result = await failing;
    expect(result).toMatchObject({ status: 'failed', httpStatus: 500, attempts: 5 });
    expect(sim.counters.api).toBe(7);
    expect(told).toEqual([]);
  }, 40_000);

  test('connections refused while the server is away are the same outage, and the rows go on when it is back', async () => {
    const port = Number(new URL(sim.url).port);
    const { api, told } = client(QUICK, 1);
    expect((await api.send(poNumbers, row(), crypto.randomUUID())).status).toBe('success');
    await sim.close();
    const rows = Array.from({ length: 5 }, () => api.send(poNumbers, row(), crypto.randomUUID()));
    await until(() => told.filter((t) => t === 'stillDown').length >= 2, 'two failed trials');
    sim = await startSimulator({}, port);
    const results = await Promise.all(rows);
    // With 1 retry each, the old client failed every row with two refused connections.
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('success'));
    expect(told).toContain('resumed');
  });

  test('past the bound the breaker gives up; stopping then ends every row waiting at it', async () => {
    const { api, told } = client({ ...QUICK, giveUpAfterMs: 1000 }, 1);
    expect((await api.send(poNumbers, row(), crypto.randomUUID())).status).toBe('success');
    sim.configure({ failureRate: 1 });
    const rows = Array.from({ length: 5 }, () => api.send(poNumbers, row(), crypto.randomUUID()));
    await until(() => told.includes('gaveUp'), 'the breaker giving up');
    const sent = sim.counters.api;
    await sleep(300);
    expect(sim.counters.api).toBe(sent);
    api.stop();
    const results = await Promise.all(rows);
    // Each row that went out keeps its last answer; none was sent once the breaker gave up.
    for (const result of results) {
      expect(result).toMatchObject({ status: 'failed', httpStatus: 500 });
      expect(result.errorDescription).toContain('The run stopped before this row could be retried');
    }
    expect(told.filter((t) => t === 'gaveUp')).toHaveLength(1);
  });
});

describe('a run whose API never answered', () => {
  test('is not paused: its rows fail on their own retries', async () => {
    const { api, told } = client(QUICK, 1, `http://127.0.0.1:${Number(new URL(sim.url).port)}`);
    await sim.close();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => api.send(poNumbers, row(), crypto.randomUUID())),
    );
    expect(results.map((r) => [r.status, r.attempts, r.errorCode])).toEqual(
      Array(6).fill(['failed', 2, 'ECONNREFUSED']),
    );
    expect(told).toEqual([]);
    sim = await startSimulator();
  });

  test('a check before the run is not one of its answers: it does not arm the breaker', async () => {
    const { api, told } = client(QUICK, 1);
    expect(await api.check('v1/Customers?pageSize=1')).toBe(200);
    sim.configure({ failureRate: 1 });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => api.send(poNumbers, row(), crypto.randomUUID())),
    );
    expect(results.map((r) => [r.status, r.attempts, r.httpStatus])).toEqual(
      Array(6).fill(['failed', 2, 500]),
    );
    expect(told).toEqual([]);
  });
});
