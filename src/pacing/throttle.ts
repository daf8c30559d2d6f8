/**
 * Adaptive throttling. CloudCockpit's rate limit is undocumented, so the pace is learnt, as TCP
 * learns its window (AIMD): a 429 or 503 cuts the pace at once to 90% of what the server let
 * through in its best second of the last two (multiplicative decrease from the measured rate, not
 * from the rate asked for: a run paced at 10/s against a limit of 5/s lands at 4.5/s in one step,
 * where cutting the asked rate took it to 9/s, again and again). Every second without a refusal
 * raises it: quickly back toward the pace that was refused, then slowly past it, faster the
 * longer nothing is refused (CUBIC's shape), so the pace stays near the limit with about one
 * refusal every few seconds. 500, 502 and 504
 * are not good answers: they neither raise the pace nor count as let through. Never above
 * `--concurrency` or `--rate`. An API that announces its limit in headers (announced-limit.ts)
 * is taken at its word: the pace never goes above it, and when nothing is left of its window, no
 * request starts before the window resets.
 */
import type { AnnouncedLimit } from './announced-limit.js';
import type { RateLimiter } from './rate-limiter.js';
import type { Scheduler } from './scheduler.js';

/** Fraction of the measured pace kept on a cut. */
export const DECREASE_FACTOR = 0.9;
/** At most one cut per this many milliseconds: one burst of refusals is one signal, not ten. */
export const CUT_INTERVAL_MS = 1000;
/** How often the pace may rise, in milliseconds. */
export const INCREASE_INTERVAL_MS = 1000;
/**
 * Each rise, at first: this fraction of the current rate. From 90% back to the limit then takes
 * about eight seconds at any limit, so the refusal that ends each cycle is a small share of the
 * requests even at 5 requests/s (measured: 2–4% of them at limits of 5, 20 and 100).
 */
export const INCREASE_FRACTION = 0.01;
/** The smallest rise, in requests per second, so a pace cut to 1/s still climbs back. */
export const MIN_INCREASE = 0.05;

/**
 * Refusals cut the pace only when they are more than this share of the last two seconds' answers.
 * Past a limit of 100/s, two refusals in 200 answers do it; at 5/s, one in ten.
 */
export const REFUSED_SHARE = 0.01;
/** After the gap is closed, the pace holds this far below the pace last refused until calm. */
export const HOLD_BELOW = 0.02;
/** Without a refusal for this long, probing starts; for each further such spell, its step doubles. */
export const ACCELERATE_AFTER_MS = 5000;
/** Rises double at most this many times (1% a second up to 16%). */
const MAX_DOUBLINGS = 4;

/**
 * Of an announced limit of N a window, the pace keeps to this share of N - 1. A sliding window
 * told in whole seconds shows nothing left whenever the pace is near N (at 4.5 a second against 5,
 * after every request), and each such answer holds the run until the reset; one request of
 * headroom and 5% keep those holds for bursts.
 */
export const ANNOUNCED_SHARE = 0.95;
/** A window is never taken as shorter than this when no policy names it. */
const MIN_WINDOW_MS = 1000;

const SLOT_MS = 100;
const SLOTS = 20; // twenty slots of 100 ms: the good answers of the last two seconds

/** What the throttle steers. */
export interface ThrottleTarget {
  readonly scheduler: Pick<Scheduler, 'concurrency'>;
  readonly limiter: Pick<RateLimiter, 'rate' | 'holdUntil'>;
}

/** Whether an answer shows the server took the request at this pace: 429 and 5xx do not. */
function accepted(status: number): boolean {
  return status > 0 && status < 500 && status !== 429;
}

/** Learns the API's pace from its answers and steers the scheduler and the rate limiter. */
export class AdaptiveThrottle {
  /** 429 and 503 answers seen. */
  signals = 0;
  /** Times the pace was cut. */
  cuts = 0;
  /** The lowest requests per second the pace was cut to, or undefined if never cut. */
  lowestRate: number | undefined;
  private readonly good = new Array<number>(SLOTS).fill(0);
  private readonly refused = new Array<number>(SLOTS).fill(0);
  private slotStart = 0;
  private slot = 0;
  private lastCut = Number.NEGATIVE_INFINITY;
  private lastChange = Number.NEGATIVE_INFINITY;
  /** The pace the last cut was measured at: where the server refused. */
  private refusedAt = 0;
  /** The pace the API's announced limit allows (requests per second), once it announced one. */
  announcedRate: number | undefined;
  /** Times the API said its window was spent, and the run waited for its reset. */
  holds = 0;
  /** The longest reset announced: without a policy, the window is at least this long (less rounding). */
  private longestResetMs = 0;
  private heldUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly target: ThrottleTarget,
    /** The ceilings from the options: `--concurrency`, and `--rate` (0 = none). */
    private readonly max: { readonly concurrency: number; readonly rate: number },
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * An answer arrived for a request started at `startedAt` (same clock as `now`), announcing
   * `announced` of the API's limit (see announced-limit.ts), if anything.
   */
  answer(status: number, startedAt: number, announced?: AnnouncedLimit): void {
    const t = this.now();
    this.advance(t);
    if (announced !== undefined) this.announce(announced, t);
    if (status === 429 || status === 503) {
      this.signals++;
      this.refused[this.slot] = (this.refused[this.slot] ?? 0) + 1;
      // Requests started before the last cut were paced the old way: their refusals are old news.
      // One cut per interval: the refusals of one overload arrive together (TCP: once per window).
      // And a lone refusal among hundreds of good answers is not the pace: cutting for each one
      // took a run with a 429 every few seconds from 140 down to 6 requests/s.
      const fresh = startedAt >= this.lastCut && t - this.lastCut >= CUT_INTERVAL_MS;
      if (fresh && this.refusedShare() > REFUSED_SHARE) this.cut(t, status === 503);
      return;
    }
    if (!accepted(status)) return;
    this.good[this.slot] = (this.good[this.slot] ?? 0) + 1;
    if (this.cuts === 0) return;
    this.keepUpWithWhatGotThrough();
    if (t - this.lastChange >= INCREASE_INTERVAL_MS) this.raise(t);
  }

  /**
   * Never pace below 90% of the best second the server allowed recently. The first cut of an
   * unpaced run comes with the first refusal, while answers to that same burst are still arriving:
   * against a limit of 20/s it saw 10 and cut to 9/s, then took a minute to climb back.
   */
  private keepUpWithWhatGotThrough(): void {
    const { limiter } = this.target;
    const peak = this.peakGoodPerSecond();
    if (limiter.rate > 0 && limiter.rate < peak * DECREASE_FACTOR) {
      limiter.rate = this.ceiling(peak * DECREASE_FACTOR);
      this.refusedAt = Math.max(this.refusedAt, peak);
    }
  }

  /** `rate`, or less where `--rate` or the announced limit allow less. */
  private ceiling(rate: number): number {
    const asked = this.max.rate > 0 ? Math.min(this.max.rate, rate) : rate;
    return this.announcedRate === undefined ? asked : Math.min(this.announcedRate, asked);
  }

  /**
   * What an answer said of the limit: a pace the run keeps under, and a spent window it waits out.
   * Before any refusal the pace is the ceiling (so a limit raised later is used); after one, the
   * ceiling only lowers it, and the climb back (`raise`) stops there.
   */
  private announce(announced: AnnouncedLimit, t: number): void {
    const { limit, remaining, resetMs, windowMs } = announced;
    if (resetMs !== undefined) this.longestResetMs = Math.max(this.longestResetMs, resetMs);
    if (limit !== undefined) {
      // A reset counted in whole seconds may be up to one second long: the window is at least the rest.
      const window = windowMs ?? Math.max(MIN_WINDOW_MS, this.longestResetMs - 1000);
      this.announcedRate = (Math.max(1, limit - 1) * ANNOUNCED_SHARE) / (window / 1000);
      const { limiter } = this.target;
      const unpaced = this.ceiling(Number.POSITIVE_INFINITY);
      limiter.rate = this.cuts === 0 || limiter.rate === 0 ? unpaced : Math.min(limiter.rate, unpaced);
    }
    // Every answer of a burst may say so: one hold, counted once, to the latest reset.
    if (remaining === 0 && resetMs !== undefined && resetMs > 0) {
      if (t >= this.heldUntil) this.holds++;
      this.heldUntil = Math.max(this.heldUntil, t + resetMs);
      this.target.limiter.holdUntil(this.heldUntil);
    }
  }

  private advance(t: number): void {
    if (this.slotStart === 0) this.slotStart = t;
    while (t - this.slotStart >= SLOT_MS) {
      this.slotStart += SLOT_MS;
      this.slot = (this.slot + 1) % SLOTS;
      this.good[this.slot] = 0;
      this.refused[this.slot] = 0;
      // After a long quiet spell, skip ahead instead of stepping slot by slot.
      if (t - this.slotStart > SLOT_MS * SLOTS) {
        this.good.fill(0);
        this.refused.fill(0);
        this.slotStart = t;
      }
    }
  }

  /**
   * The most good answers in any one second of the last two: what the server let through at its
   * best, which is its limit when the pace reached it. An average over the window would include
   * the slower seconds after the last cut, and each cut would then land lower than the one before.
   */
  private peakGoodPerSecond(): number {
    const perSecond = SLOTS / 2;
    let window = 0;
    let peak = 0;
    for (let i = 0; i < SLOTS + perSecond; i++) {
      window += this.good[(this.slot + 1 + i) % SLOTS] ?? 0;
      if (i >= perSecond) window -= this.good[(this.slot + 1 + i - perSecond) % SLOTS] ?? 0;
      if (i >= perSecond - 1 && i < SLOTS) peak = Math.max(peak, window);
    }
    return peak;
  }

  /** The share of the last two seconds' answers that were refusals (429, 503). */
  private refusedShare(): number {
    const refused = this.refused.reduce((a, b) => a + b, 0);
    return refused / (refused + this.good.reduce((a, b) => a + b, 0));
  }

  private cut(t: number, overloaded: boolean): void {
    const { limiter, scheduler } = this.target;
    // What got through is what the server allows; the rate asked for may be far above it. With
    // nothing through at all, halve what was asked (or start from one a second, unpaced).
    const through = this.peakGoodPerSecond();
    const asked = limiter.rate > 0 ? limiter.rate : Number.POSITIVE_INFINITY;
    const basis = through > 0 ? Math.min(through, asked) : Number.isFinite(asked) ? asked / 2 : 1;
    this.refusedAt = basis;
    limiter.rate = Math.max(1, basis * DECREASE_FACTOR);
    // A 429 is about the pace; a 503 says the server is overloaded, so fewer in flight too.
    if (overloaded) scheduler.concurrency = Math.max(1, Math.floor(scheduler.concurrency * DECREASE_FACTOR));
    this.lowestRate = Math.min(this.lowestRate ?? Number.POSITIVE_INFINITY, limiter.rate);
    this.cuts++;
    this.lastCut = t;
    this.lastChange = t;
  }

  private raise(t: number): void {
    const { limiter, scheduler } = this.target;
    const rate = limiter.rate;
    const below = this.refusedAt * (1 - HOLD_BELOW);
    const calm = Math.floor((t - this.lastCut) / ACCELERATE_AFTER_MS);
    let next: number;
    if (below - rate > rate * INCREASE_FRACTION) {
      // Below the pace last refused: halve the gap each second, as CUBIC returns to its window, so
      // a cut costs seconds, not the run.
      next = rate + (below - rate) / 2;
    } else if (calm < 1) {
      // Just under it: hold a while before probing, so a cycle lasts long enough for its one
      // refusal to be a small share of the requests even at 5 requests/s.
      next = Math.max(rate, below);
    } else {
      // Then probe past it, the longer nothing is refused the faster (doubling every
      // ACCELERATE_AFTER_MS), so a limit that was raised is found again in seconds.
      const step = rate * INCREASE_FRACTION * 2 ** Math.min(MAX_DOUBLINGS, calm - 1);
      next = Math.max(rate, below) + Math.max(MIN_INCREASE, step);
    }
    limiter.rate = this.ceiling(next);
    scheduler.concurrency = Math.min(this.max.concurrency, scheduler.concurrency + 1);
    this.lastChange = t;
  }
}
