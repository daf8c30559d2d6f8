/**
 * The CloudCockpit API client: one got instance for the whole run (keep-alive sockets, retries,
 * per-attempt pacing and token), and `send`, which turns every outcome of one row into a
 * `RowResult`. Row failures are values here; only programming errors throw.
 */
import type http from 'node:http';
import type https from 'node:https';
import got, { HTTPError, RequestError, type Got, type Request, type Response } from 'got';
import type { Change, Kind } from '../kinds.js';
import type { RateLimiter } from '../pacing/rate-limiter.js';
import { flattenErrors, type RowResult } from '../result.js';
import { retryDelay } from './retry-delay.js';
import { TokenError, type TokenProvider } from './token.js';

/** What the client needs to know. */
export interface ClientOptions {
  readonly baseUrl: string;
  readonly tenant: string;
  readonly token: TokenProvider;
  /** Paces every attempt, retries included. */
  readonly limiter: RateLimiter;
  /** Agents for the API (keep-alive, maybe through a proxy); see `proxy.ts`. */
  readonly agents: { http: http.Agent; https: https.Agent };
  readonly retries: number;
  readonly timeoutMs: number;
  readonly maxRetryAfterMs: number;
  /** Told of every retry, for logs and throttling. */
  readonly onRetry?: (info: RetryInfo) => void;
  /** Told of every answer, with when its request started, for adaptive throttling. */
  readonly onResponse?: (statusCode: number, startedAt: number) => void;
}

/** One retry about to happen. */
export interface RetryInfo {
  readonly correlationId: string;
  readonly attempt: number;
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
}

/** Statuses worth another attempt (contract: 429, 5xx and timeouts); 400, 403, 404 are final. */
export const RETRY_STATUS_CODES = [408, 429, ...Array.from({ length: 100 }, (_, i) => 500 + i)];

interface AttemptContext {
  count: number;
  token: string;
  readonly correlationId: string;
  /** When the current attempt was let through by the rate limiter (performance.now()). */
  startedAt: number;
  /** When the first attempt was let through: the row's latency counts from here, not from its wait. */
  firstStartedAt: number;
  /** True while got sleeps before the next attempt: a stop cancels such rows. */
  waiting: boolean;
  /** The last answer, kept so a row cancelled while waiting still reports it. */
  last: Response<string> | undefined;
  /** Cancels the row's request while it is in `ApiClient.live`; `slot` is its place there (-1: not). */
  cancel: (() => void) | undefined;
  slot: number;
}

/** The API's documented error body; any field may be missing or null. */
interface ErrorBody {
  type?: string | null;
  description?: string | null;
  errors?: { propertyName?: string | null; description?: string[] | null }[] | null;
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

function parseErrorBody(body: string): ErrorBody | undefined {
  if (body === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' ? (parsed as ErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

function httpFailure(
  response: Response<string>,
  attempts: number,
  correlationId: string,
  maxRetryAfterMs: number,
): RowResult {
  const status = response.statusCode;
  const body = parseErrorBody(response.body);
  const own = OWN_WORDS[status];
  let description =
    body?.description ??
    own?.description ??
    `The API answered HTTP ${status} ${response.statusMessage ?? ''}`.trim();
  const retryAfter = response.headers['retry-after'];
  if (retryAfter !== undefined && RETRY_STATUS_CODES.includes(status)) {
    const seconds = Number(retryAfter);
    const ms = Number.isNaN(seconds) ? Date.parse(retryAfter) - Date.now() : seconds * 1000;
    if (ms > maxRetryAfterMs) {
      description += ` (the API asked to wait ${Math.ceil(ms / 1000)} s, longer than --max-retry-after ${Math.round(maxRetryAfterMs / 1000)} s)`;
    }
  }
  return {
    status: 'failed',
    httpStatus: status,
    attempts,
    correlationId,
    errorType: body?.type ?? own?.type ?? (status >= 500 ? 'ServerError' : 'HttpError'),
    errorDescription: description,
    errorDetails: flattenErrors(body?.errors),
  };
}

function networkFailure(
  error: RequestError,
  attempts: number,
  correlationId: string,
  timeoutMs: number,
  /** The status of an earlier attempt's answer, if there was one: the contract's "last HTTP status". */
  lastStatus: number | undefined,
): RowResult {
  const code = error.code;
  const timedOut = error.name === 'TimeoutError' || code === 'ETIMEDOUT';
  return {
    status: 'failed',
    httpStatus: lastStatus,
    attempts,
    correlationId,
    errorType: timedOut ? 'Timeout' : 'NetworkError',
    errorDescription: timedOut
      ? `No answer within ${timeoutMs / 1000} s (--timeout), after ${attempts} attempt${attempts === 1 ? '' : 's'}`
      : `The connection failed (${code ?? error.name}) after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${error.message}`,
  };
}

/** Thrown by the pacing hook when the run stopped while a row waited for its turn. */
class StoppedError extends Error {
  constructor() {
    super('the run stopped before this attempt');
    this.name = 'StoppedError';
  }
}

function withNote(result: RowResult, note: string): RowResult {
  return { ...result, errorDescription: `${result.errorDescription ?? ''} (${note})`.trim() };
}

/** Sends rows to the API. */
export class ApiClient {
  private readonly got: Got;
  private stopped = false;
  /**
   * Rows with a request in flight or waiting to retry, so a stop can cancel the waiting ones. An
   * array with swap-remove, not a Map: V8 replaces a Map's hash table as entries come and go, and
   * a replaced table that reached the old generation still points at its successor and entries.
   * With one entry per row that kept each request's whole got object graph alive through
   * young-generation collections until the next full one (a 20,000-row run with got's own causes
   * taken out promoted 12.6 kB per row with the Map, 3.0 without).
   */
  private readonly live: AttemptContext[] = [];

  constructor(private readonly options: ClientOptions) {
    this.got = got.extend({
      prefixUrl: options.baseUrl,
      method: 'PATCH',
      // Through got's stream API (see `exchange`), an HTTP error is how a non-2xx answer reaches
      // the retry logic; the last one comes back as a value, not a throw.
      throwHttpErrors: true,
      headers: {
        'content-type': 'application/json',
        'x-tenant': options.tenant,
        'user-agent': 'cloudcockpit-bulk',
      },
      agent: options.agents,
      timeout: { request: options.timeoutMs },
      retry: {
        limit: options.retries,
        methods: ['PATCH'],
        statusCodes: RETRY_STATUS_CODES,
        maxRetryAfter: options.maxRetryAfterMs,
        // Called once for every failed attempt, retried or not: the place to see every non-2xx answer.
        calculateDelay: (input) => {
          const attempt = input.error.options.context.attempt as AttemptContext;
          const answer = input.error.response as Response<string> | undefined;
          if (answer !== undefined) this.answered(attempt, answer);
          const delay = this.stopped ? 0 : retryDelay(input);
          attempt.waiting = delay > 0;
          return delay;
        },
      },
      hooks: {
        // Runs before every attempt, retries included: pace it, and send the current token.
        // Without pacing and with a token in hand it stays synchronous (no promise per request).
        beforeRequest: [
          (request) => {
            // got 14 builds node's request options as `{ ...cacheOptions, <35 more> }`. On Node 20's
            // V8, spreading a non-empty object there makes fresh hidden classes on every call: 31 µs
            // per request (17% of a bare got loop's CPU profile) and about half of its old-generation
            // garbage. We use no HTTP cache, so an empty cacheOptions changes nothing else.
            request.cacheOptions = {};
            const attempt = request.context.attempt as AttemptContext;
            const token =
              options.limiter.rate === 0 && options.limiter.waiting === 0 ? options.token.peek() : undefined;
            if (token === undefined) return this.pace(attempt, request.headers);
            if (this.stopped) throw new StoppedError();
            this.begin(attempt, token, request.headers);
            return undefined;
          },
        ],
        beforeRetry: [
          (error, retryCount) => {
            const attempt = error.options.context.attempt as AttemptContext;
            attempt.waiting = false;
            options.onRetry?.({
              correlationId: attempt.correlationId,
              attempt: retryCount,
              statusCode: error.response?.statusCode,
              code: error.code,
            });
          },
        ],
      },
    });
  }

  /** Send one row; every outcome, network errors included, comes back as a `RowResult`. */
  async send(kind: Kind, change: Change, correlationId: string): Promise<RowResult> {
    const attempt: AttemptContext = {
      count: 0,
      token: '',
      correlationId,
      startedAt: 0,
      firstStartedAt: 0,
      waiting: false,
      last: undefined,
      cancel: undefined,
      slot: -1,
    };
    const result = await this.attempts(kind, change, attempt);
    return attempt.count > 0 ? { ...result, durationMs: performance.now() - attempt.firstStartedAt } : result;
  }

  private async attempts(kind: Kind, change: Change, attempt: AttemptContext): Promise<RowResult> {
    const { correlationId } = attempt;
    let renewed = false;
    for (;;) {
      let response: Response<string>;
      try {
        response = await this.exchange(kind.path(change), kind.body(change), attempt);
      } catch (error) {
        const stopped =
          error instanceof StoppedError ||
          (error instanceof RequestError && error.cause instanceof StoppedError);
        if (stopped && attempt.count === 0) return { status: 'not_attempted', attempts: 0 };
        if (stopped) {
          // The run stopped while this row waited to retry: report the last answer it had.
          const note = 'The run stopped before this row could be retried';
          return attempt.last
            ? withNote(
                httpFailure(attempt.last, attempt.count, correlationId, this.options.maxRetryAfterMs),
                note,
              )
            : {
                status: 'failed',
                attempts: attempt.count,
                correlationId,
                errorType: 'Stopped',
                errorDescription: note,
              };
        }
        if (error instanceof RequestError && error.cause instanceof TokenError) {
          // No token to send: no later row can be sent either. A row already sent keeps its last answer.
          if (attempt.last) {
            const failure = httpFailure(
              attempt.last,
              attempt.count,
              correlationId,
              this.options.maxRetryAfterMs,
            );
            return { ...withNote(failure, error.cause.message), stopRun: error.cause.message };
          }
          return {
            status: 'not_attempted',
            attempts: attempt.count,
            correlationId,
            errorType: 'TokenError',
            errorDescription: error.cause.message,
            stopRun: error.cause.message,
          };
        }
        if (error instanceof RequestError)
          return networkFailure(
            error,
            attempt.count,
            correlationId,
            this.options.timeoutMs,
            attempt.last?.statusCode,
          );
        throw error;
      }
      const status = response.statusCode;
      if (status >= 200 && status < 300)
        return { status: 'success', httpStatus: status, attempts: attempt.count, correlationId };
      if (status === 401 && !renewed && this.options.token.refused(attempt.token)) {
        // One fresh token and one more try, with the same correlation id.
        renewed = true;
        continue;
      }
      const failure = httpFailure(response, attempt.count, correlationId, this.options.maxRetryAfterMs);
      return status === 401
        ? { ...failure, stopRun: 'the API refused the bearer token (HTTP 401)' }
        : failure;
    }
  }

  /** Wait for this attempt's turn and a token, then start it. */
  private async pace(attempt: AttemptContext, headers: Record<string, unknown>): Promise<void> {
    await this.options.limiter.take();
    // A stop while this row waited for its turn: it must not go out after all.
    if (this.stopped) throw new StoppedError();
    this.begin(attempt, await this.options.token.get(), headers);
  }

  private begin(attempt: AttemptContext, token: string, headers: Record<string, unknown>): void {
    attempt.startedAt = performance.now();
    if (attempt.count === 0) attempt.firstStartedAt = attempt.startedAt;
    attempt.token = token;
    attempt.count++;
    headers.authorization = `Bearer ${token}`;
  }

  /**
   * One row's request, retries included, through got's stream API; resolves with the final answer
   * (2xx or not) and rejects with got's RequestError when no answer came, or StoppedError when a
   * stop cancelled a row waiting to retry. A 2xx answer's body is not read (nothing needs it).
   *
   * Not got's promise API: on Node 20 its wrapper (p-cancelable's per-promise accessors, the
   * shortcut methods got adds to every promise) makes fresh hidden classes per request, and those
   * kept each request's object graph alive into the old generation. A bare got loop promoted 12.6 kB
   * per request through promises and 0.6 kB through streams; a 20,000-row run at instant answers
   * went from 5.6 to 4.3 s.
   */
  private exchange(path: string, body: string, attempt: AttemptContext): Promise<Response<string>> {
    return new Promise((resolve, reject) => {
      const follow = (stream: Request): void => {
        this.hold(attempt, () => {
          stream.destroy();
          this.release(attempt);
          reject(new StoppedError());
        });
        stream.once('response', (response: Response<string>) => {
          this.answered(attempt, response);
          stream.once('end', () => {
            this.release(attempt);
            resolve(response);
          });
          stream.resume();
        });
        stream.once('retry', (_count: number, _error: RequestError, retry: () => Request) => {
          this.release(attempt);
          follow(retry());
        });
        stream.on('error', (error: RequestError) => {
          this.release(attempt);
          // The last answer was not a 2xx: got has read its body into `response.body` as text.
          if (error instanceof HTTPError) resolve(error.response as Response<string>);
          else reject(error);
        });
      };
      follow(
        this.got.stream(path, {
          body,
          headers: { 'x-correlation-id': attempt.correlationId },
          context: { attempt },
        }),
      );
    });
  }

  /** Every answer, retried or final: kept for the row's result, and told to the throttle. */
  private answered(attempt: AttemptContext, response: Response<string>): void {
    attempt.last = response;
    this.options.onResponse?.(response.statusCode, attempt.startedAt);
  }

  private hold(attempt: AttemptContext, cancel: () => void): void {
    attempt.cancel = cancel;
    attempt.slot = this.live.length;
    this.live.push(attempt);
  }

  private release(attempt: AttemptContext): void {
    if (attempt.slot < 0) return;
    const last = this.live.pop();
    if (last !== undefined && last !== attempt) {
      this.live[attempt.slot] = last;
      last.slot = attempt.slot;
    }
    attempt.slot = -1;
    attempt.cancel = undefined;
  }

  /** No more retries: rows waiting for one finish now with their last answer; attempts in flight end normally. */
  stop(): void {
    this.stopped = true;
    // A copy: cancelling settles requests, and settling releases them from `live`.
    for (const attempt of [...this.live]) if (attempt.waiting) attempt.cancel?.();
  }
}
