import { describe, expect, test } from '@jest/globals';
import { RateLimiter } from '../../src/simulator/rate-limit.js';

const T = 1_700_000_000_000; // ms since the epoch, on a whole second

describe('RateLimiter.headers', () => {
  test('the IETF style tells the limit, what is left of the sliding second, and when one more is admitted', () => {
    const limiter = new RateLimiter(3);
    limiter.admit(T);
    expect(limiter.headers('ietf', T)).toEqual({
      'ratelimit-limit': '3',
      'ratelimit-remaining': '2',
      'ratelimit-reset': '0',
      'ratelimit-policy': '3;w=1',
    });
    limiter.admit(T + 100);
    limiter.admit(T + 200);
    expect(limiter.admit(T + 300)).toBe(false);
    // Full until the call at T leaves the window at T + 1000: 700 ms, rounded up to a second.
    expect(limiter.headers('ietf', T + 300)).toMatchObject({
      'ratelimit-remaining': '0',
      'ratelimit-reset': '1',
    });
    expect(limiter.headers('ietf', T + 1000)).toMatchObject({ 'ratelimit-remaining': '1' });
  });

  test('the GitHub style tells the reset as epoch seconds', () => {
    const limiter = new RateLimiter(2);
    limiter.admit(T + 400);
    limiter.admit(T + 500);
    expect(limiter.headers('github', T + 600)).toEqual({
      'x-ratelimit-limit': '2',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(T / 1000 + 2), // T + 1400 ms, rounded up
    });
  });

  test('nothing is announced with style none or without a limit', () => {
    expect(new RateLimiter(5).headers('none', T)).toEqual({});
    expect(new RateLimiter(0).headers('ietf', T)).toEqual({});
  });
});
