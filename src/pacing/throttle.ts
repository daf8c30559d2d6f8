/**
 * Adaptive throttling. CloudCockpit's rate limit is undocumented, so the pace is learnt: a 429 or
 * 503 cuts it at once (multiplicative decrease), good answers raise it slowly (additive increase),
 * as TCP does with its congestion window. The first cut of an unpaced run is based on how many
 * answers were good in the last second, which is what the server let through, so a run started far
 * too fast lands just under the limit in one step instead of many. Never above `--concurrency` or
 * `--rate`.
 */
import type { RateLimiter } from './rate-limiter.js';
import type { Scheduler } from './scheduler.js';

/** Fraction of the pace kept on a cut. */
export const DECREASE_FACTOR = 0.9;
/** At most one cut per this many milliseconds: one burst of refusals is one signal, not ten. */
export const CUT_INTERVAL_MS = 1000;
/** How often the pace may rise, in milliseconds. */
export const INCREASE_INTERVAL_MS = 1000;
/** Each rise: this fraction of the current rate, at least one request per second. */
export const INCREASE_FRACTION = 0.05;

const SLOT_MS = 100;
const SLOTS = 10; // ten slots of 100 ms: the good answers of the last second

/** What the throttle steers. */
export interface ThrottleTarget {
  readonly scheduler: Pick<Scheduler, 'concurrency'>;
  readonly limiter: Pick<RateLimiter, 'rate'>;
}

/** Learns the API's pace from its answers and steers the scheduler and the rate limiter. */
export class AdaptiveThrottle {
  /** 429 and 503 answers seen. */
  signals = 0;
  /** Times the pace was cut. */
  cuts = 0;
  private readonly good = new Array<number>(SLOTS).fill(0);
  private slotStart = 0;
  private slot = 0;
  private lastCut = Number.NEGATIVE_INFINITY;
  private lastChange = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly target: ThrottleTarget,
    /** The ceilings from the options: `--concurrency`, and `--rate` (0 = none). */
    private readonly max: { readonly concurrency: number; readonly rate: number },
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The lowest requests per second the pace was cut to, or undefined if never cut. */
  lowestRate: number | undefined;

  /** An answer arrived for a request started at `startedAt` (same clock as `now`). */
  answer(status: number, startedAt: number): void {
    const t = this.now();
    this.advance(t);
    if (status === 429 || status === 503) {
      this.signals++;
      // Requests started before the last cut were paced the old way: their 429s are old news. And
      // one cut per interval: the refusals of one overload arrive together (TCP: once per window).
      if (startedAt >= this.lastCut && t - this.lastCut >= CUT_INTERVAL_MS) this.cut(t);
      return;
    }
    this.good[this.slot] = (this.good[this.slot] ?? 0) + 1;
    if (this.cuts > 0 && t - this.lastChange >= INCREASE_INTERVAL_MS) this.raise(t);
  }

  private advance(t: number): void {
    if (this.slotStart === 0) this.slotStart = t;
    while (t - this.slotStart >= SLOT_MS) {
      this.slotStart += SLOT_MS;
      this.slot = (this.slot + 1) % SLOTS;
      this.good[this.slot] = 0;
      // After a long quiet spell, skip ahead instead of stepping slot by slot.
      if (t - this.slotStart > SLOT_MS * SLOTS) {
        this.good.fill(0);
        this.slotStart = t;
      }
    }
  }

  private cut(t: number): void {
    const { limiter, scheduler } = this.target;
    // Paced already: the limit is just under the pace that was refused. Not paced yet (a run
    // started with --rate 0): what got through in the last second is what the server allows.
    const goodLastSecond = this.good.reduce((a, b) => a + b, 0);
    const basis = limiter.rate > 0 ? limiter.rate : goodLastSecond;
    limiter.rate = Math.max(1, basis * DECREASE_FACTOR);
    scheduler.concurrency = Math.max(1, Math.ceil(scheduler.concurrency * DECREASE_FACTOR));
    this.lowestRate = Math.min(this.lowestRate ?? Number.POSITIVE_INFINITY, limiter.rate);
    this.cuts++;
    this.lastCut = t;
    this.lastChange = t;
  }

  private raise(t: number): void {
    const { limiter, scheduler } = this.target;
    const next = limiter.rate + Math.max(1, limiter.rate * INCREASE_FRACTION);
    limiter.rate = this.max.rate > 0 ? Math.min(this.max.rate, next) : next;
    scheduler.concurrency = Math.min(this.max.concurrency, scheduler.concurrency + 1);
    this.lastChange = t;
  }
}
