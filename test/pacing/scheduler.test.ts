import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimiter } from '../../src/pacing/rate-limiter.js';
import { Scheduler } from '../../src/pacing/scheduler.js';
import { settled } from '../helpers/manual-clock.js';

afterEach(() => {
  jest.useRealTimers();
});

describe('Scheduler', () => {
  test('tasks with the same key run one at a time in the order scheduled', async () => {
    const scheduler = new Scheduler(8);
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    const tasks = [30, 5, 20, 1].map((ms, i) =>
      scheduler.schedule(
        'same',
        async () => {
          running++;
          peak = Math.max(peak, running);
          log.push(`start ${i}`);
          await sleep(ms);
          log.push(`end ${i}`);
          running--;
          return i;
        },
        () => -1,
      ),
    );
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3]);
    expect(peak).toBe(1);
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  test('tasks with different keys run concurrently up to the limit, never beyond', async () => {
    const scheduler = new Scheduler(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        scheduler.schedule(
          `k${i}`,
          async () => {
            running++;
            peak = Math.max(peak, running);
            await sleep(5);
            running--;
          },
          () => undefined,
        ),
      ),
    );
    expect(peak).toBe(3);
  });

  test('a failed task does not stop the next task of its key', async () => {
    const scheduler = new Scheduler(2);
    const first = scheduler.schedule(
      'k',
      () => Promise.reject(new Error('boom')),
      () => 'skipped',
    );
    const second = scheduler.schedule(
      'k',
      async () => 'ran',
      () => 'skipped',
    );
    await expect(first).rejects.toThrow('boom');
    expect(await second).toBe('ran');
  });

  test('after stop, tasks not yet started are skipped and running ones finish', async () => {
    const scheduler = new Scheduler(1);
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const first = scheduler.schedule(
      'a',
      async () => {
        started();
        await gate; // held until after the stop, however slow the machine
        return 'finished';
      },
      () => 'skipped',
    );
    const queued = scheduler.schedule(
      'b',
      async () => 'started',
      () => 'skipped',
    );
    await running; // the first task is now running, the second waits for the only slot
    scheduler.stop();
    finish();
    expect(await first).toBe('finished');
    expect(await queued).toBe('skipped');
  });
});

describe('RateLimiter', () => {
  test('with no limit, take resolves at once', async () => {
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 1000; i++) {
      // Settled without any timer running, so without waiting for anything.
      expect(await settled(limiter.take())).toEqual({ value: undefined });
      expect(limiter.waiting).toBe(0);
    }
  });

  test('spaces starts at least 1/rate apart (never faster, whatever the machine load)', async () => {
    const limiter = new RateLimiter(100);
    const times: number[] = [];
    for (let i = 0; i < 11; i++) {
      await limiter.take();
      times.push(performance.now());
    }
    // Ten intervals of 10 ms: at least 99 ms (timers never fire early by more than rounding).
    expect((times[10] as number) - (times[0] as number)).toBeGreaterThanOrEqual(99);
    expect(limiter.rate).toBe(100);
  });
});

describe('Scheduler queue (what the row loop reads ahead by)', () => {
  /** A task that runs until its `finish` is called. */
  function gated(): { task: () => Promise<void>; finish: () => void } {
    let finish = () => {};
    const done = new Promise<void>((resolve) => (finish = resolve));
    return { task: () => done, finish };
  }

  test('counts the tasks waiting for a slot, not those waiting for their key, and tells when one starts', async () => {
    const scheduler = new Scheduler(2);
    const gates = Array.from({ length: 5 }, gated);
    // Two run, two wait for a slot, and the fifth waits behind the first of its key.
    const keys = ['a', 'b', 'c', 'd', 'a'];
    const all = gates.map((g, i) => scheduler.schedule(keys[i] as string, g.task, () => undefined));
    await settled(Promise.resolve());
    expect(scheduler.queued).toBe(2);
    const started = scheduler.nextStart();
    expect(await settled(started)).toBe('pending');
    gates[1]?.finish();
    expect(await settled(started)).not.toBe('pending');
    expect(scheduler.queued).toBe(1);
    // Finishing 'a' lets its second task queue behind 'd': still one waiting for a slot.
    gates[0]?.finish();
    await settled(scheduler.nextStart());
    expect(scheduler.queued).toBe(1);
    for (const g of gates) g.finish();
    await Promise.all(all);
    expect(scheduler.queued).toBe(0);
  });
});

describe('RateLimiter pace changes', () => {
  test('a new rate applies to callers already waiting, not only to later ones', async () => {
    // performance.now() and the timers move only when told, so the pace is counted, not timed.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const limiter = new RateLimiter(5); // 200 ms apart
    await limiter.take();
    const waiting = Array.from({ length: 5 }, () => limiter.take());
    expect(limiter.waiting).toBe(5);
    limiter.rate = 1000;
    // The first still waits out the turn already timed (200 ms), the rest then go 1 ms apart; at
    // the old pace the five would need a second (the test below).
    await jest.advanceTimersByTimeAsync(199);
    expect(limiter.waiting).toBe(5);
    await jest.advanceTimersByTimeAsync(6);
    expect(limiter.waiting).toBe(0);
    expect(await settled(Promise.all(waiting))).not.toBe('pending');
  });

  test('without a rate change the waiting callers keep the old pace (the test above can fail)', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const limiter = new RateLimiter(5);
    await limiter.take();
    Array.from({ length: 5 }, () => limiter.take());
    await jest.advanceTimersByTimeAsync(205);
    expect(limiter.waiting).toBe(4);
    await jest.advanceTimersByTimeAsync(800);
    expect(limiter.waiting).toBe(0);
  });
});

describe('RateLimiter cancel', () => {
  test('releases every waiting caller at once, and every later one, so a stop waits for none', async () => {
    const limiter = new RateLimiter(1); // a second apart
    await limiter.take();
    const waiting = Array.from({ length: 12 }, () => limiter.take());
    expect(limiter.waiting).toBe(12);
    limiter.cancel();
    expect(limiter.waiting).toBe(0);
    // At the pace the twelve would need twelve seconds; released, they settle with no timer run.
    expect(await settled(Promise.all(waiting))).not.toBe('pending');
    expect(await settled(limiter.take())).toEqual({ value: undefined });
  });
});
