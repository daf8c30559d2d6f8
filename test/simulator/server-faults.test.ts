/**
 * The simulator's rate limit and failure knobs over real HTTP: 429s and the announced limit,
 * bursts, 500s, dropped and hung calls, seeded failures and latency.
 */
import { describe, expect, test } from '@jest/globals';
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator } from '../../src/simulator/server.js';
import { errorBody, JSON_HEADERS, patch, poNumberUrl, start, until } from './http.js';

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
    // by then, so it comes as soon as the body is in, not a whole latency (2 s) later.
    const s = await start({ latencyMs: 2000 });
    const url = new URL(poNumberUrl(s));
    const req = request(url, { method: 'PATCH', headers: { ...JSON_HEADERS, 'content-length': '6' } });
    const answered = once(req, 'response') as Promise<[IncomingMessage]>;
    const started = performance.now();
    req.flushHeaders();
    await until(() => s.inFlight === 1);
    await sleep(2500);
    const bodySent = performance.now();
    req.end('"PO-1"');
    const [response] = await answered;
    const done = performance.now();
    response.resume();
    expect(response.statusCode).toBe(204);
    expect(done - started).toBeGreaterThanOrEqual(2500);
    // A whole latency after the body would be 2 s: far more than a loopback answer takes.
    expect(done - bodySent).toBeLessThan(1500);
  });
});
