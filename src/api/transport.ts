/**
 * One row's request, retries included, driven through got's stream API, and the rows in flight
 * that a stop may cancel. got's hooks (set up in `client.ts`) pace every attempt and count it on
 * the row's `AttemptContext`; this module follows the stream from attempt to attempt until the
 * final answer.
 */
import { HTTPError, type Got, type Request, type RequestError, type Response } from 'got';
import type { RowResult } from '../result.js';
import type { GraceMark } from './circuit.js';

/** One row's attempts: shared by got's hooks (as `context.attempt`) and the stream that sends it. */
export interface AttemptContext {
  /** Requests sent for this row so far, over every exchange (a renewed token starts another). */
  count: number;
  /** Requests this row may send in all: one budget per row, `retries + 1`, and one more after a renewed token. */
  allowed: number;
  /** A check before the run (client.ts `check`), not a row's: the circuit does not hear it. */
  check?: boolean;
  /** This attempt is the one the circuit let through as its trial while the API is down. */
  trial?: boolean;
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
  /** Held for the breaker's verdict on an outage not yet confirmed: where the breaker stood (Circuit.graceMs). */
  grace?: GraceMark;
  /** The failure that spent the row's retries, while its extra attempt waits. */
  lastError?: RequestError | undefined;
  /** Some attempt went out and got no answer: its request may still be applied later. */
  unanswered: boolean;
  /** Cancels the row's request while it is in `Transport.live`; `slot` is its place there (-1: not). */
  cancel: (() => void) | undefined;
  slot: number;
}

/** A row's attempts before its first: none sent yet, `allowed` requests in its budget. */
export function newAttempt(correlationId: string, allowed: number): AttemptContext {
  return {
    count: 0,
    allowed,
    check: false,
    trial: false,
    token: '',
    correlationId,
    startedAt: 0,
    firstStartedAt: 0,
    waiting: false,
    last: undefined,
    unanswered: false,
    cancel: undefined,
    slot: -1,
  };
}

/** The run stopped before this attempt: thrown by the pacing hook, or by a cancelled retry wait. */
export class StoppedError extends Error {
  constructor() {
    super('the run stopped before this attempt');
    this.name = 'StoppedError';
  }
}

/** Thrown before a row's held attempt (see AttemptContext.grace) when the API answered meanwhile. */
export class SpentError extends Error {
  constructor(readonly failure: RequestError) {
    super('the row spent its retries');
    this.name = 'SpentError';
  }
}

/** Sends rows' requests through one got instance and keeps track of those in flight. */
export class Transport {
  /**
   * Rows with a request in flight or waiting to retry, so a stop can cancel the waiting ones. An
   * array with swap-remove, not a Map: V8 replaces a Map's hash table as entries come and go, and
   * a replaced table that reached the old generation still points at its successor and entries.
   * With one entry per row that kept each request's whole got object graph alive through
   * young-generation collections until the next full one (a 20,000-row run with got's own causes
   * taken out promoted 12.6 kB per row with the Map, 3.0 without).
   */
  private readonly live: AttemptContext[] = [];

  /** `onAnswer` is told of every answer the stream brings, retried or final. */
  constructor(
    private readonly got: Got,
    private readonly onAnswer: (attempt: AttemptContext, response: Response<string>) => void,
  ) {}

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
  exchange(path: string, body: string, attempt: AttemptContext): Promise<Response<string>> {
    const stream = this.got.stream(path, {
      body,
      headers: { 'x-correlation-id': attempt.correlationId },
      context: { attempt },
    });
    return this.follow(stream, attempt, false);
  }

  /**
   * One read's GET, retries included, like `exchange`; the final answer's body is read as text
   * into `response.body`, a 2xx's too (it holds the value).
   */
  fetch(path: string, attempt: AttemptContext): Promise<Response<string>> {
    const stream = this.got.stream(path, {
      method: 'GET',
      // A GET sends no body, so it names no body's type.
      headers: { 'x-correlation-id': attempt.correlationId, 'content-type': undefined },
      context: { attempt },
    });
    return this.follow(stream, attempt, true);
  }

  /** Follows a request from attempt to attempt until its final answer. */
  private follow(first: Request, attempt: AttemptContext, readBody: boolean): Promise<Response<string>> {
    return new Promise((resolve, reject) => {
      const follow = (stream: Request): void => {
        this.hold(attempt, () => {
          stream.destroy();
          this.release(attempt);
          reject(new StoppedError());
        });
        stream.once('response', (response: Response<string>) => {
          this.onAnswer(attempt, response);
          const chunks: Buffer[] | undefined = readBody ? [] : undefined;
          if (chunks) stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.once('end', () => {
            this.release(attempt);
            if (chunks) response.body = Buffer.concat(chunks).toString('utf8');
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
      follow(first);
    });
  }

  /** Cancel the rows waiting to retry: they finish now with their last answer. */
  cancelWaiting(): void {
    // A copy: cancelling settles requests, and settling releases them from `live`.
    for (const attempt of [...this.live]) if (attempt.waiting) attempt.cancel?.();
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
}

/** Network errors that mean the request never reached the server: it cannot be applied later. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether a request that failed without an answer may have reached the server (a timeout, a reset). */
export function mayHaveArrived(code: string | undefined): boolean {
  return code === undefined || !NEVER_SENT.has(code);
}

/** Whether the request ended without an answer: its result is already known. */
export function isResult(answer: Response<string> | RowResult): answer is RowResult {
  return !('statusCode' in answer);
}

/** The result with how long the row took, once anything went out. */
export function withDuration(result: RowResult, attempt: AttemptContext): RowResult {
  return attempt.count > 0 ? { ...result, durationMs: performance.now() - attempt.firstStartedAt } : result;
}
