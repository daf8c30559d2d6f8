/**
 * Requests started per second, at most. Starts are spaced evenly (1/rate apart) rather than let
 * through in bursts, and idle time is never saved up. A timer that fires a little late keeps the
 * schedule, so the average holds on a loaded machine, but never at the price of a burst: no
 * one-second window, however placed, sees more than `rate` (rounded up) starts (the benchmark's
 * server counted 51 in a second at `--rate 50` before that second rule). Waiters queue in order and each is released when its
 * turn comes under the rate in force at that moment, so a rate cut (adaptive throttling) slows the
 * very next start rather than only those not yet queued. `spacing` keeps starts apart even
 * without a rate (spread.ts sets it from the round trip), except by less than half a millisecond,
 * which no timer could wait.
 *
 * Written here rather than taken from a library: p-throttle lets a whole window's quota through at
 * once and cannot change its rate at run time; bottleneck is no longer maintained.
 */

/** The clock a limiter runs on: performance.now() and setTimeout, or a test's. */
export interface LimiterClock {
  now(): number;
  /** Runs `callback` after `ms`; the function returned cancels it. */
  after(ms: number, callback: () => void): () => void;
}

const REAL_CLOCK: LimiterClock = {
  now: () => performance.now(),
  after: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** A start this little before its spaced turn goes at once: a timer would wait a whole millisecond. */
const SPACING_SLACK_MS = 0.5;

/** Paces the starts of requests. */
export class RateLimiter {
  private interval: number;
  /** The last starts (clock time), oldest first, as many as a second may hold: `rate` rounded up. */
  private readonly recent: number[] = [];
  private next = 0;
  private readonly queue: (() => void)[] = [];
  private timer: (() => void) | undefined;
  private cancelled = false;
  /** No start before this (performance.now()): the API said its quota is spent until then. */
  private heldUntil = 0;
  /** The earliest next start that `spacing` allows. */
  private spacedFrom = 0;
  /** Least time between two starts, in ms, whatever the rate (0: none). */
  spacing = 0;

  /** @param rate requests per second; 0 means no limit. */
  constructor(
    rate: number,
    private readonly clock: LimiterClock = REAL_CLOCK,
  ) {
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
   * Start now if nothing holds the caller back (no rate, nobody waiting, no hold, its spaced turn
   * has come), counting the start; false: the caller must `take()` a turn.
   */
  startNow(): boolean {
    if (this.interval !== 0 || this.queue.length > 0) return false;
    const now = this.clock.now();
    if (now < this.heldUntil || now < this.spacedFrom - SPACING_SLACK_MS) return false;
    this.spaced(now);
    return true;
  }

  /**
   * Start nothing before `until` (performance.now()), whatever the rate: the API announced that its
   * quota is spent until then. An earlier hold than the one in force changes nothing.
   */
  holdUntil(until: number): void {
    if (until <= this.heldUntil) return;
    this.heldUntil = until;
    if (this.queue.length > 0) {
      this.timer?.();
      this.pump();
    }
  }

  /** Resolves when the caller may start its request, or at once after `cancel()`. */
  take(): Promise<void> {
    if (this.cancelled || this.startNow()) return Promise.resolve();
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
    this.timer?.();
    this.timer = undefined;
    for (let release = this.queue.shift(); release !== undefined; release = this.queue.shift()) release();
  }

  private readonly pump = (): void => {
    this.timer = undefined;
    for (let release = this.queue.shift(); release !== undefined; release = this.queue.shift()) {
      const now = this.clock.now();
      const at = Math.max(
        this.heldUntil,
        this.interval > 0 ? this.turn() : 0,
        this.spacedFrom - SPACING_SLACK_MS,
      );
      if (now < at) {
        this.queue.unshift(release);
        this.timer = this.clock.after(Math.max(1, at - now), this.pump);
        return;
      }
      if (this.interval > 0) {
        // A timer a little late keeps the schedule (so the average rate holds); a longer idle
        // spell restarts it from now (so no burst makes up for it).
        this.next = now - this.next < this.interval ? this.next + this.interval : now + this.interval;
        this.recent.push(now);
      }
      this.spaced(now);
      release();
    }
  };

  private spaced(now: number): void {
    if (this.spacing > 0) this.spacedFrom = Math.max(now, this.spacedFrom) + this.spacing;
  }

  /** When the next start may go: its place in the schedule, and not while a second holds `rate` starts. */
  private turn(): number {
    const perSecond = Math.ceil(1000 / this.interval - 1e-9);
    while (this.recent.length > perSecond) this.recent.shift();
    const oldest = this.recent.length < perSecond ? Number.NEGATIVE_INFINITY : this.recent[0]! + 1000;
    return Math.max(this.next, oldest);
  }
}
