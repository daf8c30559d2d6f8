/**
 * Row latencies for the summary's p50/p95, in constant memory: a histogram with buckets 5% wide
 * from 1 ms to about 10 minutes, so a quantile is exact to within 5% however many rows there are.
 */

const GROWTH = 1.05;
const BUCKETS = Math.ceil(Math.log(600_000) / Math.log(GROWTH)) + 1;

/** A log-scale histogram of durations in milliseconds. */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  /** Durations recorded. */
  count = 0;

  /** Record one duration. */
  add(ms: number): void {
    const bucket = ms <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms) / Math.log(GROWTH)));
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.count++;
  }

  /** The duration below which a fraction `q` (0..1) of the recorded ones fall; undefined if none. */
  quantile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket] ?? 0;
      if (seen >= rank) return bucket === 0 ? 1 : GROWTH ** bucket;
    }
    return GROWTH ** (BUCKETS - 1);
  }
}
