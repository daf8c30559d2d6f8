import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { RoundTripSpread } from '../../src/pacing/spread.js';

function target(concurrency: number) {
  return { scheduler: { concurrency }, limiter: { spacing: 0 } };
}

describe('RoundTripSpread', () => {
  test('keeps starts half the average gap apart: round trip / (2 × in flight)', () => {
    const t = target(16);
    const spread = new RoundTripSpread(t);
    for (let i = 0; i < 200; i++) spread.answered(50);
    expect(t.limiter.spacing).toBeCloseTo(50 / 32, 9);
    // Fewer in flight (the adaptive throttle cut them): further apart.
    t.scheduler.concurrency = 4;
    spread.answered(50);
    expect(t.limiter.spacing).toBeCloseTo(50 / 8, 9);
  });

  test('one answer held up for long moves the spacing at most 10% up', () => {
    const t = target(16);
    const spread = new RoundTripSpread(t);
    for (let i = 0; i < 50; i++) spread.answered(50);
    const before = t.limiter.spacing;
    spread.answered(30_000);
    expect(t.limiter.spacing).toBeLessThanOrEqual(before * 1.1 + 1e-9);
  });

  test('whatever the answers, the spacing stays within half of the shortest and longest round trip per slot', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.double({ min: 0, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        (concurrency, trips) => {
          const t = target(concurrency);
          const spread = new RoundTripSpread(t);
          for (const ms of trips) spread.answered(ms);
          const per = 2 * concurrency;
          expect(t.limiter.spacing).toBeGreaterThanOrEqual(Math.min(...trips) / per - 1e-9);
          expect(t.limiter.spacing).toBeLessThanOrEqual(Math.max(...trips) / per + 1e-9);
        },
      ),
      { seed: 7 },
    );
  });
});
