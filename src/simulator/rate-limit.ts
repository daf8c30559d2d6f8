/**
 * Decides which API calls get a 429: optional deterministic bursts, then a sliding one-second
 * window of admitted calls. Refused calls do not use up the window, so a client that waits as
 * told gets through.
 */
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
    if (now - this.admitted[this.next]! < 1000) return false;
    this.admitted[this.next] = now;
    this.next = (this.next + 1) % this.limit;
    return true;
  }
}
