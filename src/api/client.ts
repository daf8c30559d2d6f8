/**
 * The CloudCockpit API client: one got instance for the whole run (keep-alive sockets, retries,
 * per-attempt pacing and token), `send`, which turns every outcome of one row's PATCH into a
 * `RowResult`, and `read`, which GETs the row's current value as a `ReadResult` through the same
 * instance, pacing, retry budget and token renewal. Row failures are values here; only
 * programming errors throw. Before each attempt it waits for the circuit, which pauses every
 * request while the API is down (`circuit.ts`). The stream that carries a row's attempts is in
 * `transport.ts`; the words of its result are in `answer.ts` and `read-answer.ts`.
 */
import { randomUUID } from 'node:crypto';
import got, { RequestError, type Response, type RetryObject } from 'got';
import type { Change, Kind } from '../kinds.js';
import type { ReadResult, RowResult } from '../result.js';
import { answeredResult, networkFailure, stoppedResult, tokenResult } from './answer.js';
import type { Health } from './circuit.js';
import type { ClientOptions } from './client-options.js';
import { readResultOf } from './read-answer.js';
import { RETRY_STATUS_CODES, retryDelay } from './retry-delay.js';
import { TokenError } from './token.js';
import {
  isResult,
  mayHaveArrived,
  newAttempt,
  SpentError,
  StoppedError,
  Transport,
  withDuration,
  type AttemptContext,
} from './transport.js';

export type { ClientOptions, RetryInfo } from './client-options.js';

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
        // The row's own budget (`AttemptContext.allowed`, checked below) is the limit: got counts
        // per exchange, and cannot give back an attempt that failed while the circuit was open.
        limit: Number.POSITIVE_INFINITY,
        methods: ['PATCH', 'GET'],
        statusCodes: RETRY_STATUS_CODES,
        maxRetryAfter: options.maxRetryAfterMs,
        calculateDelay: (input) => this.retryWait(input),
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
            // Paced unless limiter.startNow() says nothing holds it back; a held try is pace()'s.
            const clear = (options.circuit?.closed ?? true) && attempt.grace === undefined;
            const token = clear ? options.token.peek() : undefined;
            if (token === undefined || !options.limiter.startNow())
              return this.pace(attempt, request.headers);
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
    const result = isResult(answer) ? answer : answeredResult(answer, attempt, this.options);
    return withDuration(attempt.unanswered ? { ...result, unanswered: true } : result, attempt);
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

  /**
   * One GET of `path` (a query may follow) with no retry and outside any row, for a check before
   * the run: the answer's status, or undefined if none came. The circuit does not hear it.
   */
  async check(path: string): Promise<number | undefined> {
    const attempt = this.newAttempt(randomUUID());
    attempt.allowed = 1;
    attempt.check = true;
    const answer = await this.finalAnswer(path, undefined, attempt);
    return isResult(answer) ? undefined : answer.statusCode;
  }

  private newAttempt(correlationId: string): AttemptContext {
    return newAttempt(correlationId, this.options.retries + 1);
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
    // Its extra try did not stand: the row ends with the failure that spent its retries.
    const spent = error instanceof SpentError ? error : cause instanceof SpentError ? cause : undefined;
    if (spent !== undefined) {
      attempt.lastError = undefined;
      const response = spent.failure.response as Response<string> | undefined;
      return response
        ? answeredResult(response, attempt, this.options)
        : this.unanswered(spent.failure, attempt);
    }
    // No token to send: no later row can be sent either.
    if (cause instanceof TokenError) return tokenResult(cause.message, attempt, this.options);
    // The code tells causes apart (failure-cause.ts); the words are answer.ts's.
    if (error instanceof RequestError)
      return { ...networkFailure(error, attempt, this.options), errorCode: error.code };
    throw error;
  }

  /**
   * The wait before a failed attempt's retry, 0 for none; called once for every failed attempt,
   * retried or not: the place to see every non-2xx answer and every connection that failed.
   */
  private retryWait(input: RetryObject): number {
    const attempt = input.error.options.context.attempt as AttemptContext;
    const answer = input.error.response as Response<string> | undefined;
    // A token that could not be had is not the API failing: the token endpoint had its own
    // quick retries, and no row can be sent without one, so the row stops the run instead.
    const noToken = input.error.cause instanceof TokenError;
    const ours =
      noToken || input.error.cause instanceof StoppedError || input.error.cause instanceof SpentError;
    if (answer === undefined && !ours && mayHaveArrived(input.error.code)) attempt.unanswered = true;
    const outage =
      answer !== undefined
        ? this.answered(attempt, answer)
        : !ours && this.heard(attempt, 'down', input.error.code ?? input.error.name);
    // Failed while the circuit was open: the outage's attempt, not the row's. It goes back to wait
    // at the circuit at once, which lets it out when the API answers again.
    if (outage && input.computedValue !== 0 && !this.stopped) {
      attempt.allowed += 1;
      attempt.waiting = true;
      return 1;
    }
    // The row's budget counts every request it sent, across a renewed token.
    const spent = attempt.count >= attempt.allowed;
    const down = answer === undefined || answer.statusCode >= 500;
    const grace = spent && down && !ours && !attempt.grace ? this.options.circuit?.graceMs() : undefined;
    if (grace !== undefined && input.computedValue !== 0 && !this.stopped) {
      // Spent in the first seconds of what looks like an outage: held for the breaker's verdict
      // (Circuit.graceMs), then sent unless the API answered meanwhile (pace() ends the row).
      attempt.grace = grace.mark;
      attempt.lastError = input.error;
      attempt.allowed += 1;
      attempt.waiting = true;
      return Math.max(1, Math.round(grace.waitMs));
    }
    const delay = this.stopped || noToken || spent ? 0 : retryDelay(input);
    attempt.waiting = delay > 0;
    return delay;
  }

  /** Wait for the circuit (while the API is down), this attempt's turn and a token, then start it. */
  private async pace(attempt: AttemptContext, headers: Record<string, unknown>): Promise<void> {
    const circuit = this.options.circuit;
    if (
      attempt.grace !== undefined &&
      attempt.lastError !== undefined &&
      !circuit?.graceStands(attempt.grace)
    )
      throw new SpentError(attempt.lastError);
    if (circuit !== undefined && !circuit.closed) attempt.trial = await circuit.pass();
    if (this.stopped) throw new StoppedError();
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

  /**
   * Every answer, retried or final: kept for the row's result, and told to the throttle and the
   * circuit. True if it was a failure while the circuit was open.
   */
  private answered(attempt: AttemptContext, response: Response<string>): boolean {
    attempt.last = response;
    this.options.onResponse?.(response.statusCode, attempt.startedAt, response.headers);
    return this.heard(attempt, response.statusCode >= 500 ? 'down' : 'up', `HTTP ${response.statusCode}`);
  }

  /** Tell the circuit how an attempt went (a check before the run is not the run's); true if it is the outage's. */
  private heard(attempt: AttemptContext, health: Health, cause: string): boolean {
    const circuit = this.options.circuit;
    if (circuit === undefined || attempt.check) return false;
    const trial = attempt.trial === true;
    attempt.trial = false;
    return circuit.record(health, cause, trial);
  }

  /** Resolves on `stop()`: a row's own waits between its requests (a read-back's) end there. */
  get whenStopped(): Promise<void> {
    return this.stopping;
  }

  /**
   * No more retries: rows waiting for one, or for the circuit, finish now with their last answer;
   * rows waiting for their turn or a token are not sent; attempts in flight end normally.
   */
  stop(): void {
    this.stopped = true;
    this.stopNow();
    this.options.limiter.cancel();
    this.options.circuit?.release();
    this.transport.cancelWaiting();
  }
}
