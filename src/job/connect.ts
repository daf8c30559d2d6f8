/**
 * Everything a run needs before its first row: the pacing (scheduler, rate limiter, adaptive
 * throttle) and, for a real run, agents (through a proxy if the environment names one),
 * credentials, a first token (so wrong credentials stop the run before anything is sent), the
 * API client with its circuit breaker and the watch for a run that cannot succeed (outage.ts).
 * For a ready token, one read-only call awaited before the first row is sent (`checksBeforeSending`),
 * so a token the API refuses stops the run before any row is sent too. A dry run needs only the
 * pacing.
 */
import { rm } from 'node:fs/promises';
import { ApiClient, type ClientOptions } from '../api/client.js';
import { tokenProvider } from '../api/credentials.js';
import { RunError } from '../errors.js';
import type { Logger } from '../report/logger.js';
import type { Options } from '../options.js';
import { connectionFor } from '../api/proxy.js';
import { RateLimiter } from '../pacing/rate-limiter.js';
import { Scheduler } from '../pacing/scheduler.js';
import { readAnnouncedLimit } from '../pacing/announced-limit.js';
import { AdaptiveThrottle } from '../pacing/throttle.js';
import { RoundTripSpread } from '../pacing/spread.js';
import { LatencyHistogram } from '../report/latency.js';
import { StaticToken, TokenError, type TokenProvider } from '../api/token.js';
import type { ResultsWriter } from '../results/results-writer.js';
import { OutageWatch } from './outage.js';

/** A ready API client and what it holds open. */
export interface Connected {
  readonly client: ApiClient;
  /** The checks that need the API (a ready token's); throws `RunError` (exit 2) if one fails. */
  check(): Promise<void>;
  /** Close every kept-alive socket. */
  close(): void;
}

/** A run's pacing, its API client (none in a dry run), and what they measured. */
export interface Connection {
  readonly scheduler: Scheduler;
  readonly throttle: AdaptiveThrottle;
  readonly connected: Connected | undefined;
  /** Retries so far, over all rows. */
  readonly retries: () => number;
  /** Each sent row's latency (all its attempts). */
  readonly latency: LatencyHistogram;
  /** Finds a run that cannot succeed, and holds the client's circuit breaker; none in a dry run. */
  readonly outage: OutageWatch | undefined;
}

/** Set up the pacing and, unless it is a dry run, the API client; the throttle hears every answer. */
export async function connectPaced(
  options: Options,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<Connection> {
  const limiter = new RateLimiter(options.rate);
  const scheduler = new Scheduler(options.concurrency);
  const throttle = new AdaptiveThrottle(
    { scheduler, limiter },
    { concurrency: options.concurrency, rate: options.rate },
  );
  const spread = new RoundTripSpread({ scheduler, limiter });
  let retries = 0;
  const outage = options.dryRun ? undefined : new OutageWatch(options, logger);
  const connected = options.dryRun
    ? undefined
    : await connect(options, env, logger, limiter, {
        circuit: outage?.circuit,
        onResponse: (status, startedAt, headers) => {
          const { cuts, announcedRate } = throttle;
          spread.answered(performance.now() - startedAt);
          throttle.answer(status, startedAt, readAnnouncedLimit(headers, Date.now()));
          if (throttle.announcedRate !== announcedRate && throttle.announcedRate !== undefined) {
            logger.info(
              `the API announces its rate limit: pacing at ${limiter.rate.toFixed(1)} requests/s at most`,
            );
          }
          if (throttle.cuts > cuts) {
            logger.warn(
              `the API answered ${status}: slowing down to ${limiter.rate.toFixed(1)} requests/s, ${scheduler.concurrency} in flight`,
            );
          }
        },
        onRetry: (info) => {
          retries++;
          logger.warn(
            `retrying (attempt ${info.attempt + 1}) after ${info.statusCode ?? info.code ?? 'an error'}`,
            {
              correlationId: info.correlationId,
            },
          );
        },
      });
  return { scheduler, throttle, connected, retries: () => retries, latency: new LatencyHistogram(), outage };
}

/** Set up the API client; throws `RunError` (exit 2) for missing or refused credentials. */
async function connect(
  options: Options,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  limiter: RateLimiter,
  hooks: Pick<ClientOptions, 'onRetry' | 'onResponse' | 'circuit'>,
): Promise<Connected> {
  const api = connectionFor(options.baseUrl, options.concurrency);
  const login = connectionFor(options.tokenUrl, 2);
  let token: TokenProvider | undefined;
  const close = (): void => {
    token?.close?.();
    hooks.circuit?.release();
    for (const agent of [api.agents.http, api.agents.https, login.agents.http, login.agents.https])
      agent.destroy();
  };
  try {
    if (api.proxy) logger.info(`connecting to ${options.baseUrl} through the proxy ${api.proxy}`);
    token = await tokenProvider(options, env, (m) => logger.warn(m), login.agents);
    try {
      await token.get();
    } catch (error) {
      if (error instanceof TokenError) throw new RunError('AUTH', error.message, { cause: error });
      throw error;
    }
    if (login.proxy && token.requests > 0)
      logger.info(`connecting to ${options.tokenUrl} through the proxy ${login.proxy}`);
    const client = new ApiClient({
      baseUrl: options.baseUrl,
      tenant: options.tenant ?? '',
      token,
      limiter,
      agents: api.agents,
      retries: options.retries,
      timeoutMs: options.timeoutSeconds * 1000,
      maxRetryAfterMs: options.maxRetryAfterSeconds * 1000,
      ...hooks,
    });
    const check = async (): Promise<void> => {
      if (token instanceof StaticToken) await checkReadyToken(client, options, logger);
    };
    return { client, check, close };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * The checks that need the API (`Connected.check`), awaited before the first row is sent: a run
 * with nothing to send, or refused for its results file, sends nothing at all. The hook returns a
 * promise the first time and undefined after, so the row loop waits once. If a check fails, the
 * results file `created` is removed, as if the run had not started, and the error (exit 2) goes on.
 *
 * `early`: the run is sure to send a row (the preflight found valid rows, and nothing is kept from
 * an earlier run), so the checks start now, and their round trip passes while the row loop opens
 * the file and parses its first rows, rather than after: no row is sent before they pass either way.
 */
export function checksBeforeSending(
  { connected }: Connection,
  created: Pick<ResultsWriter, 'close' | 'path'>,
  { early = false }: { readonly early?: boolean } = {},
): () => Promise<void> | undefined {
  let made = false;
  let started: Promise<void> | undefined;
  if (early && connected !== undefined) {
    started = connected.check();
    // Handled when the first row awaits it; until then a failure must not count as unhandled.
    started.catch(() => undefined);
  }
  return () => {
    if (made || connected === undefined) return undefined;
    made = true;
    return (started ?? connected.check()).catch(async (error: unknown) => {
      await created.close();
      await rm(created.path, { force: true });
      throw error;
    });
  };
}

/** The read-only call that tells whether the API takes a token: the first page of one customer. */
export const TOKEN_CHECK_PATH = 'v1/Customers?pageSize=1';

/**
 * A ready token cannot be renewed, so one the API refuses would fail the first rows and stop the
 * run part-way: one read-only call finds out first. Only a 401 stops the run (exit 2, nothing was
 * sent); any other answer, or none, is for the rows to meet (a 403 or 404 may be this customer
 * list's own, not the token's).
 */
async function checkReadyToken(client: ApiClient, options: Options, logger: Logger): Promise<void> {
  const status = await client.check(TOKEN_CHECK_PATH);
  logger.debug(
    `checked the ready token with GET /${TOKEN_CHECK_PATH}: ${status === undefined ? 'no answer' : `HTTP ${status}`}`,
  );
  if (status !== 401) return;
  const where =
    options.tokenFile !== undefined ? `the token file ${options.tokenFile}` : 'CLOUDCOCKPIT_TOKEN';
  throw new RunError(
    'AUTH',
    `The API refused the ready bearer token from ${where} (HTTP 401 to GET /${TOKEN_CHECK_PATH}), so nothing was sent: ` +
      'it is expired or wrong, or its Api Access lacks the csp or reseller role. Put a fresh token there, ' +
      'or use client credentials (CLOUDCOCKPIT_CLIENT_ID and CLOUDCOCKPIT_CLIENT_SECRET), which are renewed by themselves',
  );
}
