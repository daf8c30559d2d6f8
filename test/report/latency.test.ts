import { describe, expect, test } from '@jest/globals';
import { LatencyHistogram } from '../../src/report/latency.js';
import { duration, progressLine } from '../../src/report/progress.js';

describe('LatencyHistogram', () => {
  test('quantiles are within 5% of the true value', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) h.add(ms);
    expect(h.count).toBe(1000);
    expect(h.quantile(0.5)).toBeGreaterThanOrEqual(500);
    expect(h.quantile(0.5)).toBeLessThanOrEqual(525);
    expect(h.quantile(0.95)).toBeGreaterThanOrEqual(950);
    expect(h.quantile(0.95)).toBeLessThanOrEqual(998);
  });

  test('is empty until something is added, and caps huge values', () => {
    const h = new LatencyHistogram();
    expect(h.quantile(0.5)).toBeUndefined();
    h.add(10 ** 9);
    expect(h.quantile(1)).toBeGreaterThan(500_000);
  });
});

describe('progress lines', () => {
  test('say rows done of the total, rate, failures and time left', () => {
    expect(progressLine({ done: 1200, failed: 3, invalid: 1 }, 5000, 12)).toBe(
      'progress: 1200 of 5000 rows (24%), 100.0 rows/s, 3 failed, 1 invalid, about 38 s left',
    );
    expect(duration(3725)).toBe('1 h 2 min');
    expect(duration(125)).toBe('2 min 5 s');
  });
});
