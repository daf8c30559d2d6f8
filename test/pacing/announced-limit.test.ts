import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { MAX_LIMIT, MAX_RESET_S, readAnnouncedLimit } from '../../src/pacing/announced-limit.js';

const NOW = 1_700_000_000_000; // ms since the epoch

describe('readAnnouncedLimit', () => {
  test('reads the IETF draft fields, the reset in seconds and the window from the policy', () => {
    const headers = {
      'ratelimit-limit': '5',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '2',
      'ratelimit-policy': '5;w=1',
    };
    expect(readAnnouncedLimit(headers, NOW)).toEqual({
      limit: 5,
      remaining: 0,
      resetMs: 2000,
      windowMs: 1000,
    });
  });

  test("reads GitHub's fields, the reset as epoch seconds", () => {
    const headers = {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(NOW / 1000 + 1800),
    };
    expect(readAnnouncedLimit(headers, NOW)).toEqual({ limit: 5000, remaining: 4999, resetMs: 1_800_000 });
  });

  test('an epoch reset already past is a reset now, a delta or epoch beyond an hour is not believed', () => {
    expect(readAnnouncedLimit({ 'x-ratelimit-reset': String(NOW / 1000 - 5) }, NOW)).toEqual({ resetMs: 0 });
    expect(readAnnouncedLimit({ 'ratelimit-reset': String(MAX_RESET_S + 1) }, NOW)).toBeUndefined();
    expect(readAnnouncedLimit({ 'x-ratelimit-reset': String(NOW / 1000 + 7200) }, NOW)).toBeUndefined();
  });

  test("draft 03's policies in the Limit field give the window of the first, and a policy of another quota none", () => {
    expect(readAnnouncedLimit({ 'ratelimit-limit': '10, 10;w=1, 1000;w=3600' }, NOW)).toEqual({ limit: 10 });
    expect(readAnnouncedLimit({ 'ratelimit-limit': '10;w=60, 1000;w=3600' }, NOW)).toEqual({
      limit: 10,
      windowMs: 60_000,
    });
    expect(readAnnouncedLimit({ 'ratelimit-limit': '10', 'ratelimit-policy': '1000;w=3600' }, NOW)).toEqual({
      limit: 10,
    });
  });

  test('absent, garbled, negative and huge values are left out, and an answer announcing nothing is undefined', () => {
    expect(readAnnouncedLimit({ 'content-type': 'application/json' }, NOW)).toBeUndefined();
    expect(
      readAnnouncedLimit(
        { 'ratelimit-limit': 'lots', 'ratelimit-remaining': '-1', 'ratelimit-reset': 'soon' },
        NOW,
      ),
    ).toBeUndefined();
    expect(readAnnouncedLimit({ 'ratelimit-limit': '0', 'ratelimit-remaining': '3.5' }, NOW)).toBeUndefined();
    expect(readAnnouncedLimit({ 'ratelimit-limit': String(MAX_LIMIT + 1) }, NOW)).toBeUndefined();
    // More left than the limit: the remaining is the garbled one.
    expect(readAnnouncedLimit({ 'ratelimit-limit': '5', 'ratelimit-remaining': '9' }, NOW)).toEqual({
      limit: 5,
    });
    expect(readAnnouncedLimit({ 'x-ratelimit-limit': ['7', '8'] }, NOW)).toEqual({ limit: 7 });
  });

  test('whatever the fields hold, it never throws and keeps only sane numbers', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer({ min: -1e12, max: 1e12 }).map(String),
      fc.double({ noNaN: false }).map(String),
      fc.constantFrom('', ' ', '5;w=1', '5, 5;w=1', '1e3', '0x10', 'Infinity', String(NOW / 1000 + 10)),
    );
    const name = fc.constantFrom(
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
      'ratelimit-policy',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
    );
    fc.assert(
      fc.property(fc.dictionary(name, value), (headers) => {
        const read = readAnnouncedLimit(headers, NOW);
        if (read === undefined) return;
        expect(Object.keys(read).length).toBeGreaterThan(0);
        if (read.limit !== undefined) {
          expect(Number.isInteger(read.limit) && read.limit >= 1 && read.limit <= MAX_LIMIT).toBe(true);
        }
        if (read.remaining !== undefined) {
          expect(Number.isInteger(read.remaining) && read.remaining >= 0).toBe(true);
          if (read.limit !== undefined) expect(read.remaining).toBeLessThanOrEqual(read.limit);
        }
        if (read.resetMs !== undefined) {
          expect(read.resetMs >= 0 && read.resetMs <= MAX_RESET_S * 1000).toBe(true);
        }
        if (read.windowMs !== undefined) {
          expect(read.windowMs >= 1000 && read.windowMs <= MAX_RESET_S * 1000).toBe(true);
        }
      }),
      { seed: 16, numRuns: 500 },
    );
  });
});
