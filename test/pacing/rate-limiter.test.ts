import { describe, expect, test } from '@jest/globals';
import { RateLimiter } from '../../src/pacing/rate-limiter.js';
import { settled } from '../helpers/manual-clock.js';

describe('RateLimiter', () => {
  test('an unlimited limiter lets a caller start at once', async () => {
    const limiter = new RateLimiter(0);
    expect(limiter.free).toBe(true);
    expect(await settled(limiter.take())).toEqual({ value: undefined });
  });

  test('a hold keeps even an unlimited limiter from starting anyone until a stop releases them', async () => {
    const limiter = new RateLimiter(0);
    limiter.holdUntil(performance.now() + 60_000);
    expect(limiter.free).toBe(false);
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
    expect(limiter.free).toBe(true);
    expect(await settled(limiter.take())).toEqual({ value: undefined });
  });
});
