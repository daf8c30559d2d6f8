/** A clock for the circuit breaker that moves only when a test says so, and a look at a promise. */
import type { CircuitClock } from '../../src/api/circuit.js';

/** A clock that moves only when told, and runs the timers that fall due. */
export function manualClock(): CircuitClock & { advance(ms: number): void; timers(): number } {
  let now = 0;
  let timers: { at: number; callback: () => void }[] = [];
  return {
    now: () => now,
    after: (ms, callback) => {
      const timer = { at: now + ms, callback };
      timers.push(timer);
      return () => (timers = timers.filter((t) => t !== timer));
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (due === undefined) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.callback();
      }
      now = end;
    },
    timers: () => timers.length,
  };
}

/** Whether the promise has settled after the microtasks run, and with what. */
export async function settled<T>(promise: Promise<T>): Promise<{ value: T } | 'pending'> {
  let result: { value: T } | 'pending' = 'pending';
  void promise.then((value) => (result = { value }));
  await new Promise((resolve) => setImmediate(resolve));
  return result;
}
