/**
 * The CloudCockpit API client: one got instance for the whole run (keep-alive sockets, retries,
 * per-attempt pacing and token), `send`, which turns every outcome of one row's PATCH into a
 * `RowResult`, and `read`, which GETs the row's current value as a `ReadResult` through the same
 * instance, pacing, retry budget and token renewal. Row failures are values here; only
 * programming errors throw. The stream that carries a row's attempts is in `transport.ts`; the
 * words of its result are in `answer.ts` and `read-answer.ts`.
 */
import type http from 'node:http';
import type https from 'node:https';
import got, { RequestError, type Response } from 'got';
import type { Change, Kind } from '../kinds.js';
import type { RateLimiter } from '../pacing/rate-limiter.js';
import type { ReadResult, RowResult } from '../result.js';
import { answeredResult, networkFailure, stoppedResult, tokenResult } from './answer.js';
import { readResultOf } from './read-answer.js';
import { RETRY_STATUS_CODES, retryDelay } from './retry-delay.js';
import { TokenError, type TokenProvider } from './token.js';
import { StoppedError, Transport, type AttemptContext } from './transport.js';

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
  /** Requests the row has sent so far (1 before its second attempt), counted across a token renewal. */
  readonly attempt: number;
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
}

/** Sends rows to the API, and reads their targets' current values. */
export class ApiClient {
  private readonly transport: Transport;
  private stopped = false;
  /** Resolves on `stop()`: rows waiting for a token stop waiting. */
  private readonly stopping: Promise<void>;
  private stopNow: () => void = () => undefined;

  constructor(private readonly options: ClientOptions) {
    this.stopping = new Promise((resolve) => (this.stopNow = resolve));
    const instance = got.extend({
      prefixUrl: options.baseUrl,
      method: 'PATCH',
      // Through got's stream API (see `Transport.exchange`), an HTTP error is how a non-2xx answer
      // reaches the retry logic; the last one comes back as a value, not a throw.
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
        methods: ['PATCH', 'GET'],
        statusCodes: RETRY_STATUS_CODES,
        maxRetryAfter: options.maxRetryAfterMs,
        // Called once for every failed attempt, retried or not: the place to see every non-2xx answer.
        calculateDelay: (input) => {
          const attempt = input.error.options.context.attempt as AttemptContext;
          const answer = input.error.response as Response<string> | undefined;
          if (answer !== undefined) this.answered(attempt, answer);
          // A token that could not be had is not the API failing: the token endpoint had its own
          // quick retries, and no row can be sent without one, so the row stops the run instead.
          const noToken = input.error.cause instanceof TokenError;
          // got counts retries per exchange; the row's budget counts every request it sent.
          const spent = attempt.count >= attempt.allowed;
          const delay = this.stopped || noToken || spent ? 0 : retryDelay(input);
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
          (error) => {
            const attempt = error.options.context.attempt as AttemptContext;
            attempt.waiting = false;
            options.onRetry?.({
              correlationId: attempt.correlationId,
              attempt: attempt.count,
              statusCode: error.response?.statusCode,
              code: error.code,
            });
          },
        ],
      },
    });
    this.transport = new Transport(instance, (attempt, response) => this.answered(attempt, response));
  }

  /** Send one row; every outcome, network errors included, comes back as a `RowResult`. */
  async send(kind: Kind, change: Change, correlationId: string): Promise<RowResult> {
    const attempt = this.newAttempt(correlationId);
    const answer = await this.finalAnswer(kind.path(change), kind.body(change), attempt);
    return withDuration(isResult(answer) ? answer : answeredResult(answer, attempt, this.options), attempt);
  }

  /**
   * Read the current value of the row's target (`kind.readPath`, `kind.readField`), paced and
   * retried like a write; every outcome comes back as a `ReadResult`. The correlation id goes out
   * on every attempt, as for `send`.
   */
  async read(kind: Kind, change: Change, correlationId: string): Promise<ReadResult> {
    const attempt = this.newAttempt(correlationId);
    const answer = await this.finalAnswer(kind.readPath(change), undefined, attempt);
    if (isResult(answer)) return { ok: false, result: withDuration(answer, attempt) };
    const read = readResultOf(answer, kind.readField, attempt, this.options);
    const durationMs = performance.now() - attempt.firstStartedAt;
    return read.ok ? { ...read, durationMs } : { ok: false, result: { ...read.result, durationMs } };
  }

  private newAttempt(correlationId: string): AttemptContext {
    return {
      count: 0,
      allowed: this.options.retries + 1,
      token: '',
      correlationId,
      startedAt: 0,
      firstStartedAt: 0,
      waiting: false,
      last: undefined,
      cancel: undefined,
      slot: -1,
    };
  }

  /**
   * The final answer to a PATCH of `body`, or a GET when there is none, renewing a refused token
   * once; a `RowResult` when no answer came.
   */
  private async finalAnswer(
    path: string,
    body: string | undefined,
    attempt: AttemptContext,
  ): Promise<Response<string> | RowResult> {
    let renewed = false;
    for (;;) {
      let response: Response<string>;
      try {
        response =
          body === undefined
            ? await this.transport.fetch(path, attempt)
            : await this.transport.exchange(path, body, attempt);
      } catch (error) {
        return this.unanswered(error, attempt);
      }
      if (response.statusCode === 401 && !renewed && this.options.token.refused(attempt.token)) {
        // One fresh token and one more try, with the same correlation id; the retries left are
        // what remains of the row's budget, not a new one.
        renewed = true;
        attempt.allowed += 1;
        continue;
      }
      return response;
    }
  }

  /** The result of a row whose request ended without a final answer; only programming errors throw. */
  private unanswered(error: unknown, attempt: AttemptContext): RowResult {
    const cause = error instanceof RequestError ? error.cause : undefined;
    if (error instanceof StoppedError || cause instanceof StoppedError)
      return stoppedResult(attempt, this.options);
    // No token to send: no later row can be sent either.
    if (cause instanceof TokenError) return tokenResult(cause.message, attempt, this.options);
    if (error instanceof RequestError) return networkFailure(error, attempt, this.options);
    throw error;
  }

  /** Wait for this attempt's turn and a token, then start it. */
  private async pace(attempt: AttemptContext, headers: Record<string, unknown>): Promise<void> {
    await this.options.limiter.take();
    // A stop while this row waited for its turn: it must not go out after all.
    if (this.stopped) throw new StoppedError();
    const token = await Promise.race([this.options.token.get(), this.stopping]);
    // A stop while it waited for a token (a renewal that hangs): the same.
    if (this.stopped || token === undefined) throw new StoppedError();
    this.begin(attempt, token, headers);
  }

  private begin(attempt: AttemptContext, token: string, headers: Record<string, unknown>): void {
    attempt.startedAt = performance.now();
    if (attempt.count === 0) attempt.firstStartedAt = attempt.startedAt;
    attempt.token = token;
    attempt.count++;
    headers.authorization = `Bearer ${token}`;
  }

  /** Every answer, retried or final: kept for the row's result, and told to the throttle. */
  private answered(attempt: AttemptContext, response: Response<string>): void {
    attempt.last = response;
    this.options.onResponse?.(response.statusCode, attempt.startedAt);
  }

  /**
   * No more retries: rows waiting for one finish now with their last answer, rows waiting for
   * their turn or a token are not sent; attempts in flight end normally.
   */
  stop(): void {
    this.stopped = true;
    this.stopNow();
    this.options.limiter.cancel();
    this.transport.cancelWaiting();
  }
}

/** Whether the request ended without an answer: its result is already known. */
function isResult(answer: Response<string> | RowResult): answer is RowResult {
  return !('statusCode' in answer);
}

/** The result with how long the row took, once anything went out. */
function withDuration(result: RowResult, attempt: AttemptContext): RowResult {
  return attempt.count > 0 ? { ...result, durationMs: performance.now() - attempt.firstStartedAt } : result;
}
