/** Answers and rows for the tests of how an API answer becomes a row's result (src/api/answer.ts). */
import type { Answer, RowSoFar } from '../../src/api/answer.js';

/** The correlation id the rows were sent with. */
export const correlationId = '5b1f8c2e-3d4a-4e6b-9c7d-1a2b3c4d5e6f';
/** --timeout and --max-retry-after, in milliseconds. */
export const limits = { timeoutMs: 30_000, maxRetryAfterMs: 60_000 };

/** An answer of `statusCode` with `body`, `headers` and the status line's words. */
export const answer = (
  statusCode: number,
  body = '',
  headers: Answer['headers'] = {},
  statusMessage: string | undefined = undefined,
): Answer => ({ statusCode, body, headers, statusMessage });

/** A row after `count` attempts, the last of them answered `last`. */
export const row = (count: number, last?: Answer): RowSoFar => ({ count, correlationId, last });

/** A 400 body in the API's documented shape, with `fields`. */
export const documentedBody = (fields: object): string =>
  JSON.stringify({ statusCode: 400, correlationId, ...fields });
