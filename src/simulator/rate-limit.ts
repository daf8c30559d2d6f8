/**
 * Decides which API calls get a 429: optional deterministic bursts, then a sliding one-second
 * window of admitted calls. Refused calls do not use up the window, so a client that waits as
 * told gets through. It can also announce its limit in the answers' headers, as some APIs do.
 */
import type { OutgoingHttpHeaders } from 'node:http';

/**
 * How the limit is announced: not at all (CloudCockpit documents none), by the IETF draft's
 * `RateLimit-*` fields (reset in seconds from now, window in `RateLimit-Policy`), or by GitHub's
 * `X-RateLimit-*` (reset as epoch seconds, no window).
 */
export const RATE_LIMIT_HEADERS = ['none', 'ietf', 'github'] as const;
/** One of RATE_LIMIT_HEADERS. */
export type RateLimitHeaders = (typeof RATE_LIMIT_HEADERS)[number];

const WINDOW_MS = 1000;

/** Enforces the simulator's rate limit and tells how much of it is left. */
export class RateLimiter {
  // Admission times of the last `limit` admitted calls, oldest at `next`: O(1) per call, no growth.
  private admitted = new Float64Array(0);
  private next = 0;
  private seen = 0;

  constructor(
    private limit = 0,
    private burst?: { every: number; length: number },
  ) {
    this.reset();
  }

  /** Changes the limit and bursts, starting from an empty window. */
  configure(limit: number, burst: { every: number; length: number } | undefined): void {
    this.limit = limit;
    this.burst = burst;
    this.reset();
  }

  /** Forgets past admissions and restarts the burst cycle. */
  reset(): void {
    this.admitted = new Float64Array(this.limit);
    this.next = 0;
    this.seen = 0;
  }

  /** Whether a call arriving at `now` (ms) is admitted; records it when it is. */
  admit(now: number): boolean {
    if (this.burst !== undefined) {
      const position = this.seen++ % (this.burst.every + this.burst.length);
      if (position >= this.burst.every) return false;
    }
    if (this.limit === 0) return true;
    // The call `limit` admissions ago must have left the window, else this one would be one too many.
    if (now - this.admitted[this.next]! < WINDOW_MS) return false;
    this.admitted[this.next] = now;
    this.next = (this.next + 1) % this.limit;
    return true;
  }

  /**
   * The headers announcing the limit as it stands at `now` (ms since the epoch), after the call
   * just decided: what is left of the window, and when one more call would be admitted (rounded
   * up to whole seconds, as both styles count). None without a limit or with style `none`.
   */
  headers(style: RateLimitHeaders, now: number): OutgoingHttpHeaders {
    if (style === 'none' || this.limit === 0) return {};
    let used = 0;
    let oldest = Number.POSITIVE_INFINITY;
    for (const at of this.admitted) {
      if (now - at < WINDOW_MS) {
        used++;
        oldest = Math.min(oldest, at);
      }
    }
    const remaining = this.limit - used;
    // Full: until the oldest admission leaves the window. Else a call is admitted now.
    const resetMs = remaining > 0 ? 0 : oldest + WINDOW_MS - now;
    if (style === 'ietf') {
      return {
        'ratelimit-limit': String(this.limit),
        'ratelimit-remaining': String(remaining),
        'ratelimit-reset': String(Math.ceil(resetMs / 1000)),
        'ratelimit-policy': `${this.limit};w=${WINDOW_MS / 1000}`,
      };
    }
    return {
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(Math.ceil((now + resetMs) / 1000)),
    };
  }
}
