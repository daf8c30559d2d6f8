import { describe, expect, jest, test } from '@jest/globals';
import { duration, progressLine, startProgress } from '../../src/report/progress.js';

describe('progress', () => {
  test('a progress line counts rows in the right number', () => {
    expect(progressLine({ done: 0, failed: 0, invalid: 0 }, 1, 2)).toBe(
      'progress: 0 of 1 row (0%), 0.0 rows/s, 0 failed, 0 invalid, about unknown left',
    );
    expect(progressLine({ done: 5, failed: 1, invalid: 0 }, 10, 5)).toBe(
      'progress: 5 of 10 rows (50%), 1.0 rows/s, 1 failed, 0 invalid, about 5 s left',
    );
  });

  test('durations read as a person would say them', () => {
    expect(duration(42)).toBe('42 s');
    expect(duration(185)).toBe('3 min 5 s');
    expect(duration(3720)).toBe('1 h 2 min');
    expect(duration(Number.POSITIVE_INFINITY)).toBe('unknown');
  });
});

describe('progress without a known total (a dry run reads the file only once)', () => {
  test('the log line counts the rows so far, with no total, share or time left', () => {
    expect(progressLine({ done: 5809, failed: 0, invalid: 2 }, undefined, 0.1)).toBe(
      'progress: 5809 rows so far, 58090.0 rows/s, 0 failed, 2 invalid',
    );
  });

  test('the periodic log says so too', () => {
    jest.useFakeTimers();
    try {
      const lines: string[] = [];
      const stop = startProgress({
        total: undefined,
        read: () => ({ done: 1, failed: 0, invalid: 0 }),
        terminal: undefined,
        log: (line) => lines.push(line),
        intervalMs: 100,
      });
      jest.advanceTimersByTime(250);
      stop();
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line).toMatch(/^progress: 1 row so far, /);
    } finally {
      jest.useRealTimers();
    }
  });
});
