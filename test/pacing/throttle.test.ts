import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { AdaptiveThrottle } from '../../src/pacing/throttle.js';

function setup(max = { concurrency: 32, rate: 0 }, rate = max.rate) {
  let clock = 1000;
  const holds: number[] = [];
  const limiter = { rate, holdUntil: (until: number) => void holds.push(until) };
  const target = { scheduler: { concurrency: max.concurrency }, limiter };
  const throttle = new AdaptiveThrottle(target, max, () => clock);
  const at = (t: number) => (clock = t);
  return { throttle, target, at, holds };
}

describe('AdaptiveThrottle', () => {
  test('an unpaced run told 429 settles just under what got through in its best second; 429 leaves the concurrency', () => {
    const { throttle, target, at } = setup();
    for (let i = 0; i < 100; i++) {
      at(1000 + i * 5);
      throttle.answer(204, 1000 + i * 5);
    }
    throttle.answer(429, 1499);
    throttle.answer(429, 1499);
    expect(target.limiter.rate).toBeCloseTo(90);
    expect(target.scheduler.concurrency).toBe(32);
    expect(throttle.cuts).toBe(1);
  });

  test('a lone refusal among a hundred good answers is not the pace and cuts nothing; a second one cuts', () => {
    const { throttle, target, at } = setup({ concurrency: 16, rate: 150 });
    for (let i = 0; i < 100; i++) {
      at(1000 + i * 10);
      throttle.answer(204, 1000 + i * 10);
    }
    throttle.answer(429, 1990);
    expect({ rate: target.limiter.rate, cuts: throttle.cuts, signals: throttle.signals }).toEqual({
      rate: 150,
      cuts: 0,
      signals: 1,
    });
    throttle.answer(429, 1990);
    expect(throttle.cuts).toBe(1);
    expect(target.limiter.rate).toBeCloseTo(90);
  });

  test('a paced run told 429 lands under what the server let through, not under what it asked for', () => {
    // Paced at 10/s against a limit of 5/s: cutting the asked rate gave 9/s, cut after cut.
    const { throttle, target, at } = setup({ concurrency: 4, rate: 10 });
    for (let i = 0; i < 5; i++) {
      at(1000 + i * 100);
      throttle.answer(204, 1000 + i * 100);
    }
    at(1500);
    throttle.answer(429, 1500);
    expect(target.limiter.rate).toBeCloseTo(4.5);
  });

  test('a 503 also cuts the requests in flight, even from 4 (rounding up kept 4 for ever)', () => {
    const { throttle, target, at } = setup({ concurrency: 4, rate: 10 });
    at(1000);
    throttle.answer(204, 1000);
    throttle.answer(503, 1000);
    expect(target.scheduler.concurrency).toBe(3);
    at(2100);
    throttle.answer(503, 2100);
    expect(target.scheduler.concurrency).toBe(2);
  });

  test('refusals of requests started before the last cut, or within a second of it, do not cut again', () => {
    const { throttle, target, at } = setup({ concurrency: 8, rate: 50 });
    for (let i = 0; i < 40; i++) {
      at(1000 + i * 20);
      throttle.answer(204, 1000 + i * 20);
    }
    at(2000);
    throttle.answer(429, 1990);
    expect(target.limiter.rate).toBeCloseTo(36);
    at(2010);
    throttle.answer(429, 1995);
    throttle.answer(503, 1999);
    throttle.answer(429, 2005);
    expect(throttle.cuts).toBe(1);
    expect(throttle.signals).toBe(4);
    at(3000);
    throttle.answer(429, 1999);
    expect(throttle.cuts).toBe(1);
    throttle.answer(429, 2990);
    expect(throttle.cuts).toBe(2);
  });

  test('answers to the same burst that arrive after the first cut lift the pace to 90% of what got through', () => {
    const { throttle, target, at } = setup();
    for (let i = 0; i < 10; i++) throttle.answer(204, 1000);
    throttle.answer(429, 1000);
    expect(target.limiter.rate).toBeCloseTo(9);
    at(1050);
    for (let i = 0; i < 10; i++) throttle.answer(204, 1000);
    expect(target.limiter.rate).toBeCloseTo(18);
  });

  test('good answers close the gap to just under the refused pace, hold, then probe ever faster, never above --rate or --concurrency', () => {
    const { throttle, target, at } = setup({ concurrency: 4, rate: 20 });
    at(1000);
    throttle.answer(503, 1000);
    expect(target.limiter.rate).toBeCloseTo(9); // nothing got through: half of what was asked, less 10%
    expect(target.scheduler.concurrency).toBe(3);
    const perSecond: number[] = [];
    for (let t = 1100; t <= 40_000; t += 100) {
      at(t);
      throttle.answer(204, t);
      if (t % 1000 === 0) perSecond.push(target.limiter.rate);
    }
    const rate = (second: number) => perSecond[second - 2]!; // perSecond[0] is at 2 s
    // The pace refused was 10/s: the gap to 98% of it halves each second.
    expect([rate(2), rate(3), rate(4)].map((r) => r.toFixed(2))).toEqual(['9.40', '9.60', '9.70']);
    // Probing starts after five calm seconds at 1% a second, and doubles every five more.
    expect(rate(8) - rate(7)).toBeCloseTo(0.1, 1);
    expect(rate(18) - rate(17)).toBeGreaterThan(0.4);
    expect(Math.max(...perSecond)).toBe(20);
    expect(target.scheduler.concurrency).toBe(4);
  });

  test('good answers alone never change an unthrottled run', () => {
    const { throttle, target, at } = setup({ concurrency: 16, rate: 0 });
    for (let t = 1000; t < 10_000; t += 10) {
      at(t);
      throttle.answer(204, t);
    }
    expect(target.limiter.rate).toBe(0);
    expect(target.scheduler.concurrency).toBe(16);
    expect(throttle.lowestRate).toBeUndefined();
  });

  test('500, 502 and 504 neither raise the pace nor count as let through', () => {
    const { throttle, target, at } = setup({ concurrency: 8, rate: 50 });
    at(1000);
    throttle.answer(429, 1000);
    const cut = target.limiter.rate;
    for (let t = 1100; t < 6000; t += 10) {
      at(t);
      throttle.answer([500, 502, 504][t % 3]!, t);
    }
    expect(target.limiter.rate).toBe(cut);
  });

  test('whatever the answers and their timing, the pace stays within its bounds', () => {
    const answer = fc.record({
      status: fc.constantFrom(204, 400, 404, 429, 500, 502, 503),
      after: fc.integer({ min: 0, max: 1500 }),
      startedBefore: fc.integer({ min: 0, max: 3000 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom(0, 1, 5, 20, 100),
        fc.array(answer, { maxLength: 300 }),
        (concurrency, rate, answers) => {
          const { throttle, target, at } = setup({ concurrency, rate });
          let t = 1000;
          for (const a of answers) {
            t += a.after;
            at(t);
            throttle.answer(a.status, t - a.startedBefore);
            expect(target.scheduler.concurrency).toBeGreaterThanOrEqual(1);
            expect(target.scheduler.concurrency).toBeLessThanOrEqual(concurrency);
            if (throttle.cuts > 0) expect(target.limiter.rate).toBeGreaterThanOrEqual(1);
            if (rate > 0) expect(target.limiter.rate).toBeLessThanOrEqual(rate);
          }
          expect(throttle.cuts).toBeLessThanOrEqual(throttle.signals);
          if (throttle.cuts === 0) expect(target.limiter.rate).toBe(rate);
        },
      ),
      { seed: 16, numRuns: 300 },
    );
  });
});

describe('AdaptiveThrottle with a limit the API announces', () => {
  test('the pace keeps under the announced limit less one, whether asked faster or unpaced; a slower --rate stays', () => {
    for (const [asked, expected] of [
      [10, 3.8],
      [0, 3.8],
      [2, 2],
    ] as const) {
      const { throttle, target } = setup({ concurrency: 4, rate: asked });
      throttle.answer(204, 1000, { limit: 5, remaining: 4, windowMs: 1000 });
      expect(target.limiter.rate).toBeCloseTo(expected);
    }
  });

  test('without a policy, the window is the longest reset announced, less the second it may be rounded up by', () => {
    const { throttle, target } = setup({ concurrency: 4, rate: 0 });
    throttle.answer(204, 1000, { limit: 100, remaining: 99, resetMs: 600 });
    expect(target.limiter.rate).toBeCloseTo(99 * 0.95); // never shorter than a second
    throttle.answer(204, 1000, { limit: 100, remaining: 98, resetMs: 61_000 });
    expect(target.limiter.rate).toBeCloseTo((99 * 0.95) / 60);
  });

  test('a spent window holds the run until its reset, once for all the answers of a burst', () => {
    const { throttle, holds, at } = setup({ concurrency: 4, rate: 10 });
    throttle.answer(204, 1000, { limit: 5, remaining: 0, resetMs: 800 });
    at(1010);
    throttle.answer(429, 1000, { limit: 5, remaining: 0, resetMs: 1000 });
    expect(holds).toEqual([1800, 2010]);
    expect(throttle.holds).toBe(1);
    at(2500);
    throttle.answer(204, 2400, { remaining: 0, resetMs: 0 }); // reset already: nothing to wait for
    throttle.answer(204, 2400, { remaining: 1, resetMs: 500 });
    expect(throttle.holds).toBe(1);
    throttle.answer(204, 2400, { remaining: 0, resetMs: 500 });
    expect(throttle.holds).toBe(2);
    expect(holds.at(-1)).toBe(3000);
  });

  test('after a cut, the climb back stops at the announced limit', () => {
    const { throttle, target, at } = setup({ concurrency: 8, rate: 50 });
    for (let i = 0; i < 30; i++) {
      at(1000 + i * 30);
      throttle.answer(204, 1000 + i * 30);
    }
    throttle.answer(429, 1900);
    throttle.answer(429, 1900);
    expect(throttle.cuts).toBe(1);
    for (let t = 2000; t < 60_000; t += 50) {
      at(t);
      throttle.answer(204, t, { limit: 10, windowMs: 1000 });
      expect(target.limiter.rate).toBeLessThanOrEqual(9 * 0.95 + 1e-9);
    }
    expect(target.limiter.rate).toBeCloseTo(9 * 0.95);
  });

  test('whatever is announced with whatever answers, the pace stays under --rate and the last limit, and holds lie ahead', () => {
    const announced = fc.option(
      fc.record(
        {
          limit: fc.integer({ min: 1, max: 500 }),
          remaining: fc.integer({ min: 0, max: 5 }),
          resetMs: fc.integer({ min: 0, max: 5000 }),
          windowMs: fc.constantFrom(1000, 10_000, 60_000),
        },
        { requiredKeys: [] },
      ),
      { nil: undefined },
    );
    const answer = fc.record({
      status: fc.constantFrom(204, 400, 429, 500, 503),
      after: fc.integer({ min: 0, max: 700 }),
      announced,
    });
    fc.assert(
      fc.property(fc.constantFrom(0, 5, 50), fc.array(answer, { maxLength: 200 }), (rate, answers) => {
        const { throttle, target, at, holds } = setup({ concurrency: 8, rate });
        let t = 1000;
        for (const a of answers) {
          t += a.after;
          at(t);
          const before = holds.length;
          throttle.answer(a.status, t, a.announced);
          for (const until of holds.slice(before)) expect(until).toBeGreaterThan(t);
          if (rate > 0) expect(target.limiter.rate).toBeLessThanOrEqual(rate);
          if (throttle.announcedRate !== undefined) {
            expect(target.limiter.rate).toBeGreaterThan(0);
            expect(target.limiter.rate).toBeLessThanOrEqual(Math.max(1, throttle.announcedRate) + 1e-9);
          }
        }
      }),
      { seed: 16, numRuns: 300 },
    );
  });
});
