/**
 * Requests started per second, at most. Starts are spaced evenly (1/rate apart) rather than let
 * through in bursts, and idle time is never saved up, so no one-second window, however it is
 * placed, sees more than `rate` (+1) starts. Waiters queue in order and each is released when its
 * turn comes under the rate in force at that moment, so a rate cut (adaptive throttling) slows the
 * very next start rather than only those not yet queued.
 *
 * Written here rather than taken from a library: p-throttle lets a whole window's quota through at
 * once and cannot change its rate at run time; bottleneck is no longer maintained.
 */

/** Paces the starts of requests. */
export class RateLimiter {
  private interval: number;
  private next = 0;
  private readonly queue: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private cancelled = false;
  /** No start before this (performance.now()): the API said its quota is spent until then. */
  private heldUntil = 0;

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
    if (this.queue.length > 0 && this.timer === undefined) this.pump();
  }

  /** Callers waiting for their turn. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Start nothing before `until` (performance.now()), whatever the rate: the API announced that its
   * quota is spent until then. An earlier hold than the one in force changes nothing.
   */
  holdUntil(until: number): void {
    if (until <= this.heldUntil) return;
    this.heldUntil = until;
    if (this.queue.length > 0) {
      clearTimeout(this.timer);
      this.pump();
    }
  }

  /** Resolves when the caller may start its request, or at once after `cancel()`. */
  take(): Promise<void> {
    const free = this.interval === 0 && this.queue.length === 0 && performance.now() >= this.heldUntil;
    if (this.cancelled || free) return Promise.resolve();
    return new Promise((resolve) => {
      this.queue.push(resolve);
      if (this.timer === undefined) this.pump();
    });
  }

  /**
   * For a stop: release every caller waiting for its turn now, and every later one at once, so none
   * waits out the pace for nothing. Callers must check that they may still start (the client does).
   */
  cancel(): void {
    this.cancelled = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (let release = this.queue.shift(); release !== undefined; release = this.queue.shift()) release();
  }

  private readonly pump = (): void => {
    this.timer = undefined;
    for (let release = this.queue.shift(); release !== undefined; release = this.queue.shift()) {
      const now = performance.now();
      if (now < this.heldUntil) {
        this.queue.unshift(release);
        this.timer = setTimeout(this.pump, Math.max(1, this.heldUntil - now));
        return;
      }
      if (this.interval > 0) {
        if (now < this.next) {
          this.queue.unshift(release);
          this.timer = setTimeout(this.pump, Math.max(1, this.next - now));
          return;
        }
        // A timer a little late keeps the schedule (so the average rate holds); a longer idle
        // spell restarts it from now (so no burst makes up for it).
        this.next = now - this.next < this.interval ? this.next + this.interval : now + this.interval;
      }
      release();
    }
  };
}
