import { describe, expect, test } from '@jest/globals';
import { AdaptiveThrottle } from '../../src/pacing/throttle.js';

function setup(max = { concurrency: 32, rate: 0 }, rate = max.rate) {
  let clock = 1000;
  const target = { scheduler: { concurrency: max.concurrency }, limiter: { rate } };
  const throttle = new AdaptiveThrottle(target, max, () => clock);
  const at = (t: number) => (clock = t);
  return { throttle, target, at };
}

describe('AdaptiveThrottle', () => {
  test('an unpaced run told 429 settles just under what got through in the last second', () => {
    const { throttle, target, at } = setup();
    for (let i = 0; i < 100; i++) {
      at(1000 + i * 5);
      throttle.answer(204, 1000 + i * 5);
    }
    throttle.answer(429, 1499);
    expect(target.limiter.rate).toBeCloseTo(90);
    expect(target.scheduler.concurrency).toBe(29);
    expect(throttle.cuts).toBe(1);
  });

  test('429s for requests started before the last cut, or within a second of it, do not cut again', () => {
    const { throttle, target, at } = setup({ concurrency: 8, rate: 50 });
    at(2000);
    throttle.answer(429, 1990);
    expect(target.limiter.rate).toBeCloseTo(45);
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
    expect(target.limiter.rate).toBeCloseTo(40.5);
  });

  test('good answers raise the pace gradually, never above --rate or --concurrency', () => {
    const { throttle, target, at } = setup({ concurrency: 4, rate: 20 });
    at(1000);
    throttle.answer(429, 1000);
    expect(target.limiter.rate).toBeCloseTo(18);
    expect(target.scheduler.concurrency).toBe(4);
    const rates: number[] = [];
    for (let t = 1100; t <= 8000; t += 100) {
      at(t);
      throttle.answer(204, t);
      rates.push(target.limiter.rate);
    }
    expect(rates[5]).toBeCloseTo(18); // nothing within the first second
    expect(rates[9]).toBeCloseTo(19);
    expect(Math.max(...rates)).toBe(20);
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
});
