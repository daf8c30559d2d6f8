/** The simulator's accounting of calls in flight, per key and in all, and what it records without recording. */
import { describe, expect, test } from '@jest/globals';
import type { Simulator } from '../../src/simulator/server.js';
import {
  CUSTOMER,
  RESELLER,
  SUBSCRIPTION,
  internalIdentifierUrl,
  patch,
  poNumberUrl,
  start,
  until,
} from './http.js';

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
