import { describe, expect, test } from '@jest/globals';
import {
  BACKOFF_BASE_MS,
  BACKOFF_CAP_MS,
  TOKEN_BACKOFF_BASE_MS,
  retryDelay,
  tokenRetryDelay,
} from '../../src/api/retry-delay.js';

describe('retryDelay', () => {
  test('does not retry when got says the attempt may not be retried', () => {
    expect(retryDelay({ attemptCount: 1, computedValue: 0 }, () => 0.5)).toBe(0);
    expect(retryDelay({ attemptCount: 1, computedValue: 0, retryAfter: 1000 }, () => 0.5)).toBe(0);
  });

  test('full jitter: between 1 ms and the exponential ceiling, never 0', () => {
    expect(retryDelay({ attemptCount: 1, computedValue: 1 }, () => 0)).toBe(1);
    expect(retryDelay({ attemptCount: 1, computedValue: 1 }, () => 0.999999)).toBe(BACKOFF_BASE_MS);
    expect(retryDelay({ attemptCount: 3, computedValue: 1 }, () => 0.5)).toBe(BACKOFF_BASE_MS * 2);
    expect(retryDelay({ attemptCount: 30, computedValue: 1 }, () => 0.999999)).toBe(BACKOFF_CAP_MS);
  });

  test('honours Retry-After, plus at most 10%', () => {
    expect(retryDelay({ attemptCount: 1, computedValue: 1, retryAfter: 2000 }, () => 0)).toBe(2000);
    expect(retryDelay({ attemptCount: 1, computedValue: 1, retryAfter: 2000 }, () => 0.999999)).toBe(2200);
  });
});

describe('tokenRetryDelay', () => {
  test('does not retry when got says the attempt may not be retried', () => {
    expect(tokenRetryDelay({ attemptCount: 1, computedValue: 0 }, () => 0.5)).toBe(0);
  });

  test('half fixed, half random, doubling from the base: three waits never add up to more than about a second', () => {
    expect(tokenRetryDelay({ attemptCount: 1, computedValue: 1 }, () => 0)).toBe(TOKEN_BACKOFF_BASE_MS / 2);
    expect(tokenRetryDelay({ attemptCount: 1, computedValue: 1 }, () => 0.999999)).toBe(
      TOKEN_BACKOFF_BASE_MS,
    );
    const longest = [1, 2, 3].reduce(
      (sum, n) => sum + tokenRetryDelay({ attemptCount: n, computedValue: 1 }, () => 1),
      0,
    );
    expect(longest).toBeLessThanOrEqual(1100);
  });

  test('a Retry-After is not waited for: the attempts stay quick', () => {
    expect(tokenRetryDelay({ attemptCount: 1, computedValue: 1, retryAfter: 30_000 }, () => 1)).toBe(
      TOKEN_BACKOFF_BASE_MS,
    );
  });
});
