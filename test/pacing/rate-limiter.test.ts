import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { RateLimiter } from '../../src/pacing/rate-limiter.js';
import { settled } from '../helpers/manual-clock.js';

describe('RateLimiter', () => {
  test('an unlimited limiter lets a caller start at once', async () => {
    const limiter = new RateLimiter(0);
    expect(limiter.startNow()).toBe(true);
    expect(await settled(limiter.take())).toEqual({ value: undefined });
  });

  test('a hold keeps even an unlimited limiter from starting anyone until a stop releases them', async () => {
    const limiter = new RateLimiter(0);
    limiter.holdUntil(performance.now() + 60_000);
    expect(limiter.startNow()).toBe(false);
    const first = limiter.take();
    const second = limiter.take();
    expect(await settled(first)).toBe('pending');
    expect(limiter.waiting).toBe(2);
    // An earlier hold than the one in force changes nothing.
    limiter.holdUntil(performance.now());
    expect(await settled(second)).toBe('pending');
    limiter.cancel();
    expect(await settled(first)).toEqual({ value: undefined });
    expect(await settled(second)).toEqual({ value: undefined });
  });

  test('a hold already over holds nobody', async () => {
    const limiter = new RateLimiter(0);
    limiter.holdUntil(performance.now() - 1);
    expect(limiter.startNow()).toBe(true);
    expect(await settled(limiter.take())).toEqual({ value: undefined });
  });
});

/** A clock whose timers fire only when the test moves it, late by however far it moves. */
function lateClock() {
  let now = 0;
  let timers: { at: number; callback: () => void }[] = [];
  return {
    now: () => now,
    after(ms: number, callback: () => void) {
      const timer = { at: now + ms, callback };
      timers.push(timer);
      return () => (timers = timers.filter((t) => t !== timer));
    },
    /** Moves to `to` and runs every timer due by then, all at `to`: as late as a busy machine makes them. */
    moveTo(to: number) {
      now = to;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const timer of due) timer.callback();
    },
  };
}

describe('RateLimiter on a loaded machine', () => {
  test('however late its timers fire, no second holds more than the rate of starts, and the average keeps up', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(5, 20, 50, 4.5),
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 50, maxLength: 400 }),
        async (rate, steps) => {
          const clock = lateClock();
          const limiter = new RateLimiter(rate, clock);
          const starts: number[] = [];
          for (let i = 0; i < 400; i++) void limiter.take().then(() => starts.push(clock.now()));
          await Promise.resolve(); // the first start, at 0
          let t = 0;
          for (const step of steps) {
            t += step;
            clock.moveTo(t);
            await Promise.resolve();
          }
          await Promise.resolve();
          const most = Math.ceil(rate);
          for (let i = most; i < starts.length; i++) {
            expect(starts[i]! - starts[i - most]!).toBeGreaterThanOrEqual(1000);
          }
          // Late timers are caught up, not lost: starts fall behind the schedule by no more than a
          // second's worth plus the longest step (a spell longer than one interval restarts it).
          const longest = Math.max(...steps);
          const interval = 1000 / rate;
          for (let i = 1; i < starts.length; i++) {
            expect(starts[i]! - starts[i - 1]!).toBeLessThanOrEqual(
              Math.max(interval, 1000 / most) + longest + interval,
            );
          }
          limiter.cancel();
        },
      ),
      { seed: 19, numRuns: 200 },
    );
  });
});

describe('RateLimiter spacing', () => {
  test('starts stay `spacing` apart (less half a millisecond), by startNow or take, at any rate, however late the timers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 20, 500),
        fc.double({ min: 0.6, max: 12, noNaN: true }),
        // Each step: how far the clock moves, and whether a caller tries startNow() first.
        fc.array(fc.tuple(fc.double({ min: 0, max: 6, noNaN: true }), fc.boolean()), {
          minLength: 20,
          maxLength: 200,
        }),
        async (rate, spacing, steps) => {
          const clock = lateClock();
          const limiter = new RateLimiter(rate, clock);
          limiter.spacing = spacing;
          const starts: number[] = [];
          let t = 0;
          for (const [step, direct] of steps) {
            t += step;
            clock.moveTo(t);
            await Promise.resolve();
            if (direct && limiter.startNow()) starts.push(clock.now());
            else void limiter.take().then(() => starts.push(clock.now()));
            await Promise.resolve();
          }
          const turn = Math.max(spacing, rate > 0 ? 1000 / rate : 0);
          for (let end = t + 1000 + (turn + 1) * steps.length; t < end; t += 1) {
            clock.moveTo(t);
            await Promise.resolve();
          }
          expect(starts).toHaveLength(steps.length);
          // Only the spacing: the rate's own interval may shrink when a late timer catches up (its
          // test above).
          const gap = spacing - 0.5;
          for (let i = 1; i < starts.length; i++)
            expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(gap - 1e-9);
          limiter.cancel();
        },
      ),
      { seed: 23, numRuns: 150 },
    );
  });

  test('callers coming further apart than the spacing never wait', () => {
    const clock = lateClock();
    const limiter = new RateLimiter(0, clock);
    limiter.spacing = 3;
    for (let t = 0; t < 100; t += 3.2) {
      clock.moveTo(t);
      expect(limiter.startNow()).toBe(true);
    }
    // Two at once: the second waits for its turn.
    expect(limiter.startNow()).toBe(false);
  });
});
