/**
 * How the simulator decides a request, over real HTTP: the reads pass the same checks as the
 * writes, and the knobs for the faults a read-back must survive (a 204 not applied, a write that
 * lands without an answer or after the client gave up, planned faults on reads).
 */
import { describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { plannedFaults, type FaultPlan } from '../../src/simulator/fault-plan.js';
import { SAMPLE_WORLD, sampleWorld } from '../../src/simulator/world.js';
import {
  CUSTOMER,
  SUBSCRIPTION,
  customerUrl,
  get,
  json,
  patch,
  poNumberUrl,
  start,
  subscriptionUrl,
  until,
} from './http.js';

const KEY = `${CUSTOMER}/${SUBSCRIPTION}`;
const poNumberOf = async (url: string) => (await json(await get(url))).poNumber;

describe('the reads pass the checks the writes pass', () => {
  test('without a token 401, with a wrong tenant 400 InvalidTenant, with a bad correlation id 400', async () => {
    const s = await start();
    expect((await get(subscriptionUrl(s), { authorization: undefined })).status).toBe(401);
    const tenant = await get(customerUrl(s), { 'x-tenant': 'other.example.com' });
    expect((await json(tenant)).type).toBe('InvalidTenant');
    const correlation = await get(customerUrl(s), { 'x-correlation-id': 'row-7' });
    expect(correlation.status).toBe(400);
  });

  test('a read echoes a valid correlation id in its error body', async () => {
    const s = await start();
    const correlationId = '3c59dc04-8f7f-4a1b-9d2e-6b5a4c3d2e1f';
    const body = await json(await get(subscriptionUrl(s, 'bad'), { 'x-correlation-id': correlationId }));
    expect(body.correlationId).toBe(correlationId);
  });

  test('reads and writes share the rate limit, and the counters tell them apart', async () => {
    const s = await start({ rateLimit: 3 });
    s.clock = () => 1_796_000_000_000; // one window for all five, however slow the machine
    const statuses = [
      (await patch(poNumberUrl(s), '"PO-1"')).status,
      (await get(subscriptionUrl(s))).status,
      (await get(`${s.url}/v1/Customers`)).status,
      (await get(subscriptionUrl(s))).status,
      (await patch(poNumberUrl(s), '"PO-2"')).status,
    ];
    expect(statuses).toEqual([204, 200, 200, 429, 429]);
    expect(s.counters.api).toBe(5);
    expect(s.counters.byMethod).toEqual({ GET: 3, PATCH: 2 });
    expect(s.stats().byMethod).toEqual({ GET: 3, PATCH: 2 });
    expect(s.counters.maxPerSecond).toBe(5);
  });

  test('the counters tell when the first call of each method arrived and when the last answer went out', async () => {
    const s = await start();
    const before = Date.now();
    await get(subscriptionUrl(s));
    const between = Date.now();
    await patch(poNumberUrl(s), '"PO-1"');
    await patch(poNumberUrl(s), '"PO-2"');
    const after = Date.now();
    const { firstArrivalAt, lastAnswerAt } = s.stats();
    expect(firstArrivalAt.GET).toBeGreaterThanOrEqual(before);
    expect(firstArrivalAt.GET).toBeLessThanOrEqual(between);
    expect(firstArrivalAt.PATCH).toBeGreaterThanOrEqual(between);
    expect(lastAnswerAt).toBeGreaterThanOrEqual(firstArrivalAt.PATCH!);
    expect(lastAnswerAt).toBeLessThanOrEqual(after);
    s.reset();
    expect(s.stats()).toMatchObject({ firstArrivalAt: {}, lastAnswerAt: 0 });
  });

  test('the counters tell the calls apart: a list of customers is not a row read', async () => {
    const s = await start();
    const before = Date.now();
    expect((await get(`${s.url}/v1/Customers?pageSize=1`)).status).toBe(200);
    const between = Date.now();
    await get(subscriptionUrl(s));
    await get(subscriptionUrl(s));
    await patch(poNumberUrl(s), '"PO-1"');
    const { byCall, firstArrivalByCall, byMethod } = s.stats();
    expect(byMethod).toEqual({ GET: 3, PATCH: 1 });
    expect(byCall).toEqual({ customers: 1, subscription: 2, 'po-number': 1 });
    expect(firstArrivalByCall.customers).toBeGreaterThanOrEqual(before);
    expect(firstArrivalByCall.customers).toBeLessThanOrEqual(between);
    expect(firstArrivalByCall.subscription).toBeGreaterThanOrEqual(between);
    s.reset();
    expect(s.stats()).toMatchObject({ byCall: {}, firstArrivalByCall: {} });
  });

  test('each call takes its own method: 405 names the one it allows', async () => {
    const s = await start();
    const onRead = await patch(subscriptionUrl(s), '"PO-1"');
    expect(onRead.status).toBe(405);
    expect(onRead.headers.get('allow')).toBe('GET');
    const onWrite = await get(poNumberUrl(s));
    expect(onWrite.status).toBe(405);
    expect(onWrite.headers.get('allow')).toBe('PATCH');
  });

  test('a read needs no content type, and the random knobs hit reads too', async () => {
    const s = await start({ failureRate: 1 });
    expect((await get(subscriptionUrl(s))).status).toBe(500);
  });

  test('a read is in flight on its target’s key, so a read beside a write of the same target is caught', async () => {
    const s = await start({ latencyMs: 40 });
    await Promise.all([get(subscriptionUrl(s)), patch(poNumberUrl(s), '"PO-1"')]);
    expect(s.maxConcurrentPerKey).toBe(2);
  });
});

describe('a 204 that is not applied', () => {
  test('notAppliedRate 1 answers 204 but stores nothing, and counts it', async () => {
    const s = await start({ notAppliedRate: 1, seedValues: { poNumbers: { [KEY]: 'PO-1' } } });
    expect((await patch(poNumberUrl(s), '"PO-2"')).status).toBe(204);
    expect(await poNumberOf(subscriptionUrl(s))).toBe('PO-1');
    expect(s.counters).toMatchObject({ notApplied: 1, byStatus: { 200: 1, 204: 1 } });
    expect(s.history.size).toBe(0);
  });

  test('acts only on a write that would succeed: a 404 stays a 404', async () => {
    const s = await start({ notAppliedRate: 1, world: sampleWorld() });
    const response = await patch(poNumberUrl(s, SAMPLE_WORLD.unknown.customerId), '"PO-1"');
    expect(response.status).toBe(404);
    expect(s.counters.notApplied).toBe(0);
  });

  test('planned as `not-applied`, the target’s first attempts are not applied and the next one is', async () => {
    const plan: FaultPlan = { seed: 5, share: 1, maxPerTarget: 2, kinds: ['not-applied'] };
    const s = await start({ faultPlan: plan });
    const planned = plannedFaults(plan, KEY).length;
    for (let i = 0; i < planned; i++) {
      expect((await patch(poNumberUrl(s), `"PO-${i}"`)).status).toBe(204);
      expect(await poNumberOf(subscriptionUrl(s))).toBeNull();
    }
    await patch(poNumberUrl(s), '"PO-last"');
    expect(await poNumberOf(subscriptionUrl(s))).toBe('PO-last');
    expect(s.counters.notApplied).toBe(planned);
  });
});

describe('a write that lands without an answer', () => {
  test('planned as `hang-after-apply`, the value is stored and the client gets no answer', async () => {
    const s = await start({ faultPlan: { seed: 1, share: 1, maxPerTarget: 1, kinds: ['hang-after-apply'] } });
    // Given up once the simulator holds it, not after 150 ms a loaded machine may not reach it in.
    const stop = new AbortController();
    const pending = patch(poNumberUrl(s), '"PO-9"', {}, stop.signal);
    expect(await until(() => s.counters.hung === 1)).toBe(true);
    stop.abort();
    await expect(pending).rejects.toThrow();
    expect(s.poNumbers.get(KEY)).toBe('PO-9');
    expect(await poNumberOf(subscriptionUrl(s))).toBe('PO-9');
    expect(await until(() => s.inFlight === 0)).toBe(true);
    expect(s.counters).toMatchObject({ hung: 1, hungAfterApply: 1 });
  });

  test('with lateApplyMs, it lands after the client gave up', async () => {
    // Given up as soon as the simulator holds it, the value 3 s from landing; then waited for by
    // its count, not by a 300 ms sleep that a loaded machine could outrun.
    const s = await start({ hangAfterApplyRate: 1, lateApplyMs: 3000, latencyMs: 20 });
    const stop = new AbortController();
    const pending = patch(poNumberUrl(s), '"PO-late"', {}, stop.signal);
    expect(await until(() => s.counters.hung === 1)).toBe(true);
    stop.abort();
    await expect(pending).rejects.toThrow();
    expect(await poNumberOf(subscriptionUrl(s))).toBeNull();
    expect(s.counters.hungAfterApply).toBe(0);
    while (s.counters.hungAfterApply === 0) await sleep(20);
    expect(await poNumberOf(subscriptionUrl(s))).toBe('PO-late');
    expect(s.counters.hungAfterApply).toBe(1);
  });

  test('a refused write is answered as it would be, with nothing stored', async () => {
    const s = await start({ hangAfterApplyRate: 1 });
    expect((await patch(poNumberUrl(s), '"PO<1>"')).status).toBe(400);
    expect(s.counters.hungAfterApply).toBe(0);
  });
});

describe('planned faults on reads', () => {
  const plan: FaultPlan = { seed: 3, share: 1, maxPerTarget: 3, kinds: ['error', 'throttle'] };

  test('readFaultPlan gives each read target its planned faults, counted apart from its writes', async () => {
    const s = await start({ readFaultPlan: plan, retryAfterSeconds: 0 });
    const expected = plannedFaults(plan, KEY).map((f) => (f === 'error' ? 500 : 429));
    const statuses = [];
    for (let i = 0; i < expected.length + 1; i++) {
      statuses.push((await get(subscriptionUrl(s))).status);
      expect((await patch(poNumberUrl(s), `"PO-${i}"`)).status).toBe(204);
    }
    expect(statuses).toEqual([...expected, 200]);
    s.reset();
    expect((await get(subscriptionUrl(s))).status).toBe(expected[0]);
  });

  test('the writes’ plan leaves the reads alone, and the lists get no planned faults', async () => {
    const s = await start({
      faultPlan: { ...plan, kinds: ['error'] },
      readFaultPlan: { ...plan, kinds: ['error'] },
    });
    expect((await get(`${s.url}/v1/Customers`)).status).toBe(200);
    s.configure({ readFaultPlan: undefined });
    expect((await get(subscriptionUrl(s))).status).toBe(200);
    expect((await patch(poNumberUrl(s), '"PO-1"')).status).toBe(500);
  });

  test('a read plan with a write fault is refused, naming the option', async () => {
    const s = await start();
    expect(() => s.configure({ readFaultPlan: { ...plan, kinds: ['not-applied'] } })).toThrow(
      /readFaultPlan/,
    );
  });
});

describe('seeded values', () => {
  test('configuring seedValues replaces every stored value, and reset goes back to the seed', async () => {
    const s = await start();
    await patch(poNumberUrl(s), '"PO-written"');
    s.configure({ seedValues: { internalIdentifiers: { [`${CUSTOMER}/csp`]: 'ERP-1' } } });
    expect(await poNumberOf(subscriptionUrl(s))).toBeNull();
    expect((await json(await get(customerUrl(s)))).internalIdentifier).toBe('ERP-1');
    await patch(`${s.url}/v1/Customers/${CUSTOMER}/internal-identifier`, '{"internalIdentifier":"ERP-2"}');
    s.reset();
    expect((await json(await get(customerUrl(s)))).internalIdentifier).toBe('ERP-1');
  });

  test('POST /_sim/config seeds a simulator in another process, and bad seeds are refused', async () => {
    const s = await start();
    const seed = { seedValues: { poNumbers: { [KEY.toUpperCase()]: 'PO-7' } } };
    expect((await fetch(`${s.url}/_sim/config`, { method: 'POST', body: JSON.stringify(seed) })).status).toBe(
      200,
    );
    expect(await poNumberOf(subscriptionUrl(s))).toBe('PO-7');
    const bad = await fetch(`${s.url}/_sim/config`, {
      method: 'POST',
      body: '{"seedValues":{"poNumbers":[1]}}',
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatch(/seedValues/);
  });
});
