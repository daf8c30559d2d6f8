/**
 * Which answers are worth another attempt, and how long to wait before it: the API's
 * `Retry-After` when it gives one, else exponential backoff with full jitter (a random wait
 * between 0 and the exponential ceiling), so rows that failed together do not all come back
 * together.
 */

/** Statuses worth another attempt (contract: 429, 5xx and timeouts); 400, 403, 404 are final. */
export const RETRY_STATUS_CODES = [408, 429, ...Array.from({ length: 100 }, (_, i) => 500 + i)];

/** What the delay depends on. */
export interface RetryDelayInput {
  /** 1 for the wait before the second attempt. */
  readonly attemptCount: number;
  /** Milliseconds the server asked for (`Retry-After`), if it did. */
  readonly retryAfter?: number | undefined;
  /** got's own verdict: 0 means the attempt must not be retried (not retryable, limit reached, Retry-After too long). */
  readonly computedValue: number;
}

/** Base of the exponential backoff, in milliseconds. */
export const BACKOFF_BASE_MS = 500;
/** Ceiling of one backoff wait, in milliseconds. */
export const BACKOFF_CAP_MS = 30_000;

/** The delay in milliseconds before the next attempt; 0 means do not retry. */
export function retryDelay(input: RetryDelayInput, random: () => number = Math.random): number {
  if (input.computedValue === 0) return 0;
  // Honour Retry-After, plus up to 10% so the rows told to wait together do not return together.
  if (input.retryAfter !== undefined && input.retryAfter > 0) {
    return Math.round(input.retryAfter * (1 + random() * 0.1));
  }
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (input.attemptCount - 1));
  // Never exactly 0: got reads 0 as "do not retry".
  return Math.max(1, Math.round(random() * ceiling));
}
