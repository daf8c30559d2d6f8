/**
 * Requests started per second, at most. Starts are spaced evenly (1/rate apart) rather than let
 * through in bursts, and unused time is never saved up, so no one-second window, however it is
 * placed, sees more than `rate` (+1) starts. The rate can change while running (adaptive throttling).
 *
 * Written here rather than taken from a library: p-throttle lets a whole window's quota through at
 * once and cannot change its rate at run time; bottleneck is no longer maintained.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Paces the starts of requests. */
export class RateLimiter {
  private next = 0;
  private interval: number;

  /** @param rate requests per second; 0 means no limit. */
  constructor(rate: number) {
    this.interval = rate > 0 ? 1000 / rate : 0;
  }

  /** Requests per second now allowed (0 = no limit). */
  get rate(): number {
    return this.interval === 0 ? 0 : 1000 / this.interval;
  }

  /** Change the pace; takes effect from the next start. */
  set rate(rate: number) {
    this.interval = rate > 0 ? 1000 / rate : 0;
  }

  /** Resolves when the caller may start its request. */
  async take(): Promise<void> {
    if (this.interval === 0) return;
    const now = performance.now();
    // Never earlier than now: idle time earns no credit for a later burst.
    const slot = Math.max(now, this.next);
    this.next = slot + this.interval;
    const wait = slot - now;
    if (wait >= 1) await sleep(wait);
  }
}
