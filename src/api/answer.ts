/**
 * What one row's outcome means, as a `RowResult`: its final answer, the API's error body, a
 * connection that failed, a stop or a missing token. Pure: the client decides which outcome it
 * was, this module finds the words (the API's where it gave some, read by `error-body.ts`, else
 * our own).
 */
import type { RequestError, Response } from 'got';
import type { RowResult } from '../result.js';
import { readErrorBody, type ErrorWords } from './error-body.js';
import { RETRY_STATUS_CODES } from './retry-delay.js';

/** The parts of an HTTP answer a row's result is made from. */
export type Answer = Pick<Response<string>, 'statusCode' | 'statusMessage' | 'headers' | 'body'>;

/** The row so far: how many requests went out, under which correlation id, and the last answer. */
export interface RowSoFar {
  readonly count: number;
  readonly correlationId: string;
  /** The last answer any attempt got, if one did. */
  readonly last: Answer | undefined;
}

/** The settings the descriptions quote (`--timeout`, `--max-retry-after`), in milliseconds. */
export interface Limits {
  readonly timeoutMs: number;
  readonly maxRetryAfterMs: number;
}

/** Our own words for answers that come without a body. */
const OWN_WORDS: Record<number, { type: string; description: string }> = {
  401: {
    type: 'Unauthorized',
    description:
      'The API refused the bearer token (HTTP 401): it is expired or wrong, or the Api Access lacks the csp or reseller role',
  },
  403: {
    type: 'Forbidden',
    description: 'Not allowed (HTTP 403): only the CSP or the reseller associated to it may change this',
  },
  404: { type: 'NotFound', description: 'Not found (HTTP 404): check the ids' },
  429: {
    type: 'TooManyRequests',
    description: 'The API kept answering "too many requests" (HTTP 429) until the retries ran out',
  },
};

/** What a row's note says when the run stopped while it waited to retry. */
const STOPPED_NOTE = 'The run stopped before this row could be retried';

/** The row's result from its final answer: success on 2xx, else failed; a 401 also stops the run. */
export function answeredResult(answer: Answer, row: RowSoFar, limits: Limits): RowResult {
  const status = answer.statusCode;
  if (status >= 200 && status < 300)
    return { status: 'success', httpStatus: status, attempts: row.count, correlationId: row.correlationId };
  const failure = httpFailure(answer, row, limits);
  return status === 401 ? { ...failure, stopRun: 'the API refused the bearer token (HTTP 401)' } : failure;
}

/** A row whose request got no answer: it timed out or its connection failed. */
export function networkFailure(
  error: Pick<RequestError, 'name' | 'code' | 'message'>,
  row: RowSoFar,
  limits: Limits,
): RowResult {
  const { count } = row;
  const code = error.code;
  const timedOut = error.name === 'TimeoutError' || code === 'ETIMEDOUT';
  return {
    status: 'failed',
    // The status of an earlier attempt's answer, if there was one: the contract's "last HTTP status".
    httpStatus: row.last?.statusCode,
    attempts: count,
    correlationId: row.correlationId,
    errorType: timedOut ? 'Timeout' : 'NetworkError',
    errorDescription: timedOut
      ? `No answer within ${limits.timeoutMs / 1000} s (--timeout), after ${count} attempt${count === 1 ? '' : 's'}`
      : `The connection failed (${code ?? error.name}) after ${count} attempt${count === 1 ? '' : 's'}: ${error.message}`,
  };
}

/** A row the run stopped: not attempted if nothing went out, else failed with its last answer. */
export function stoppedResult(row: RowSoFar, limits: Limits): RowResult {
  if (row.count === 0) return { status: 'not_attempted', attempts: 0 };
  // The run stopped while this row waited to retry: report the last answer it had.
  if (row.last) return withNote(httpFailure(row.last, row, limits), STOPPED_NOTE);
  return {
    status: 'failed',
    attempts: row.count,
    correlationId: row.correlationId,
    errorType: 'Stopped',
    errorDescription: STOPPED_NOTE,
  };
}

/** A row left without a token to send: no later row can be sent either, so the run stops. */
export function tokenResult(message: string, row: RowSoFar, limits: Limits): RowResult {
  // A row already sent keeps its last answer.
  if (row.last) return { ...withNote(httpFailure(row.last, row, limits), message), stopRun: message };
  return {
    status: 'not_attempted',
    attempts: row.count,
    correlationId: row.correlationId,
    errorType: 'TokenError',
    errorDescription: message,
    stopRun: message,
  };
}

function httpFailure(answer: Answer, row: RowSoFar, limits: Limits): RowResult {
  const status = answer.statusCode;
  const words = wordsOf(answer);
  const own = OWN_WORDS[status];
  const statusLine = `The API answered HTTP ${status} ${answer.statusMessage ?? ''}`.trim();
  const description =
    words.description ??
    (words.page === undefined ? undefined : `${statusLine} with a web page: ${words.page}`) ??
    own?.description ??
    statusLine;
  return {
    status: 'failed',
    httpStatus: status,
    attempts: row.count,
    correlationId: row.correlationId,
    errorType: words.type ?? own?.type ?? (status >= 500 ? 'ServerError' : 'HttpError'),
    errorDescription: description + retryAfterNote(answer, limits.maxRetryAfterMs),
    errorDetails: words.details,
  };
}

/** What the answer's body says. Reading it never throws; were it to, the row would still keep its status. */
function wordsOf(answer: Answer): ErrorWords {
  try {
    return readErrorBody(answer.body, answer.headers['content-type'], answer.statusCode);
  } catch {
    return {};
  }
}

/** A note when a retryable answer asked for a longer wait than `--max-retry-after`: got does not retry it. */
function retryAfterNote(answer: Answer, maxRetryAfterMs: number): string {
  const retryAfter = answer.headers['retry-after'];
  if (retryAfter === undefined || !RETRY_STATUS_CODES.includes(answer.statusCode)) return '';
  const seconds = Number(retryAfter);
  const ms = Number.isNaN(seconds) ? Date.parse(retryAfter) - Date.now() : seconds * 1000;
  // An unreadable date gives NaN, which is not longer than anything: no note.
  return ms > maxRetryAfterMs
    ? ` (the API asked to wait ${Math.ceil(ms / 1000)} s, longer than --max-retry-after ${Math.round(maxRetryAfterMs / 1000)} s)`
    : '';
}

function withNote(result: RowResult, note: string): RowResult {
  return { ...result, errorDescription: `${result.errorDescription ?? ''} (${note})`.trim() };
}
