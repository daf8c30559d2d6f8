/**
 * Spreads the requests in flight over the round trip instead of letting them leave in bunches.
 * Without a rate to keep, each row in flight starts its next request as an answer comes, so
 * requests that left together come back together and leave together again: the first sixteen of
 * a run leave at once, a pause of the client (a garbage collection, the next part of the file
 * read) merges the answers that arrive during it, and an API that answers in a steady time never
 * parts them again. The client handles a bunch one answer after another, and the last one's next
 * request waits for all the others. Keeping starts at least half the average gap apart (round trip
 * / (2 × in flight)) parts every bunch yet never slows the steady pace, whose starts are a whole
 * gap apart. Measured with a bare got loop, 16 in flight at 50 ms answers: 94.2-95.0% of c /
 * latency without, 95.6-96.4% with.
 */
import type { RateLimiter } from './rate-limiter.js';
import type { Scheduler } from './scheduler.js';

/** How far each answer moves the average round trip. */
const WEIGHT = 0.1;

/** Sets the limiter's spacing from the round trips of the answers. */
export class RoundTripSpread {
  /** The average round trip, in ms; undefined before the first answer. */
  private roundTrip: number | undefined;

  constructor(
    private readonly target: {
      readonly scheduler: Pick<Scheduler, 'concurrency'>;
      readonly limiter: Pick<RateLimiter, 'spacing'>;
    },
  ) {}

  /** One answer came, `ms` after its request started. */
  answered(ms: number): void {
    const last = this.roundTrip;
    // One answer held up for long (a timeout, a hang) moves the average at most 10% up, so it
    // does not hold the next starts apart for long.
    const sample = last === undefined ? ms : Math.min(ms, 2 * last);
    this.roundTrip = last === undefined ? sample : last + WEIGHT * (sample - last);
    this.target.limiter.spacing = this.roundTrip / (2 * Math.max(1, this.target.scheduler.concurrency));
  }
}
