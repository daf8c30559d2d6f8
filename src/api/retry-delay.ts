/**
 * Which answers are worth another attempt, and how long to wait before it: the API's
 * `Retry-After` when it gives one, else exponential backoff with full jitter (a random wait
 * between 0 and the exponential ceiling), so rows that failed together do not all come back
 * together. The token endpoint has a quicker schedule of its own (`tokenRetryDelay`).
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

/** Base of the token endpoint's backoff, in milliseconds: three retries wait 0.5 to 1.05 s in all. */
export const TOKEN_BACKOFF_BASE_MS = 150;

/**
 * The delay before the token endpoint's next attempt; 0 means do not retry. Quick on purpose: no
 * row can be sent without a token, so an endpoint that is down must stop the run in about a
 * second, not keep every row waiting. Half fixed, half random, so processes started together
 * spread out. A Retry-After is not waited for: a renewal that fails while the token still works
 * is tried again later (token.ts), and a run that cannot get a token stops and is run again.
 */
export function tokenRetryDelay(input: RetryDelayInput, random: () => number = Math.random): number {
  if (input.computedValue === 0) return 0;
  const ceiling = TOKEN_BACKOFF_BASE_MS * 2 ** (input.attemptCount - 1);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
