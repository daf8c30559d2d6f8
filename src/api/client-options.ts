/** What the API client is given (`client.ts`), and what it tells of each retry. */
import type http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type https from 'node:https';
import type { RateLimiter } from '../pacing/rate-limiter.js';
import type { Circuit } from './circuit.js';
import type { TokenProvider } from './token.js';

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
  /** Told of every answer, with when its request started and its headers, for adaptive throttling. */
  readonly onResponse?: (statusCode: number, startedAt: number, headers: IncomingHttpHeaders) => void;
  /** Pauses every request while the API is down (circuit.ts); without one, rows retry on their own. */
  readonly circuit?: Circuit | undefined;
}

/** One retry about to happen. */
export interface RetryInfo {
  readonly correlationId: string;
  /** Requests the row has sent so far (1 before its second attempt), counted across a token renewal. */
  readonly attempt: number;
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
}
