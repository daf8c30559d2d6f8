/**
 * A run that cannot succeed stops early, with one message that says what to check. Two ways:
 *
 * - Hopeless from the start: the first rows to finish (five, each after its own retries) all
 *   failed for one cause no row can escape (nothing listens at the API's address, its host name
 *   is not found, the secure connection fails, the API does not know the tenant) and none
 *   succeeded. When the cause is the API failing (a 5xx, or no answer), the rows must also have
 *   failed for 10 seconds: a run that starts in a short outage is only retried. One row finished
 *   any other way (a success, a refusal of its own) and the rule is over for the run.
 * - Down past the bound: a run whose API answered before is paused by the circuit breaker
 *   (api/circuit.ts) when every request fails, and tried again with growing waits; this module
 *   logs each step, and says why when the breaker gives up.
 */
import {
  Circuit,
  CIRCUIT_DEFAULTS,
  REAL_CLOCK,
  type CircuitClock,
  type CircuitSettings,
} from '../api/circuit.js';
import { failureCause, type FailureCause } from '../api/failure-cause.js';
import type { Options } from '../options.js';
import type { Logger } from '../report/logger.js';
import type { RowResult } from '../result.js';

/** Finished rows that must all have failed for one cause before the run is hopeless. */
export const HOPELESS_ROWS = 5;
/** For the API failing (5xx, no answer): how long the rows must have failed, from the first one's first attempt. */
export const FAILING_FOR_MS = 10_000;

/** What the words name: where the API is, the tenant, and the timeout. */
export type OutageOptions = Pick<Options, 'baseUrl' | 'tenant' | 'timeoutSeconds'>;

/** Watches the run's rows and the circuit breaker for a run that cannot succeed. */
export class OutageWatch {
  /** The circuit breaker the API client waits at while the API is down. */
  readonly circuit: Circuit;
  /** Resolves with the reason to stop once the circuit gives up on the API. */
  readonly gaveUp: Promise<string>;
  private cause: FailureCause | undefined;
  private failed = 0;
  private firstSentAt = Number.POSITIVE_INFINITY;
  private over = false;

  constructor(
    private readonly options: OutageOptions,
    logger: Pick<Logger, 'warn' | 'info'>,
    settings: CircuitSettings = CIRCUIT_DEFAULTS,
    private readonly clock: CircuitClock = REAL_CLOCK,
  ) {
    let giveUp: (reason: string) => void = () => undefined;
    this.gaveUp = new Promise((resolve) => (giveUp = resolve));
    const api = `the API at ${options.baseUrl}`;
    this.circuit = new Circuit(
      settings,
      {
        paused: (i) =>
          logger.warn(
            `${api} failed every request for ${duration(i.downMs)} (last: ${i.cause}): pausing all requests; ` +
              `trying one again in ${duration(i.waitMs)}, giving up after ${duration(settings.giveUpAfterMs)}`,
          ),
        stillDown: (i) =>
          logger.warn(
            `${api} is still failing after ${duration(i.downMs)} (${i.cause}): trying again in ${duration(i.waitMs)}`,
          ),
        resumed: (i) =>
          logger.info(`${api} answers again (${i.cause}) after ${duration(i.downMs)}: resuming the requests`),
        gaveUp: (i) =>
          giveUp(
            `${api} has failed every request for ${duration(i.downMs)} (last: ${i.cause}) after answering ` +
              'earlier in the run: it is down; run again later with --resume',
          ),
      },
      clock,
    );
  }

  /** Told of every finished row that was sent; the reason to stop once the run is hopeless, else undefined. */
  afterRow(result: RowResult): string | undefined {
    if (this.over || result.attempts === 0) return undefined;
    const cause = failureCause(result);
    if (cause === undefined || (this.cause !== undefined && cause !== this.cause)) {
      this.over = true;
      return undefined;
    }
    this.cause = cause;
    this.failed++;
    const now = this.clock.now();
    this.firstSentAt = Math.min(this.firstSentAt, now - (result.durationMs ?? 0));
    if (this.failed < HOPELESS_ROWS) return undefined;
    const failingForMs = now - this.firstSentAt;
    if (cause === 'failing' && failingForMs < FAILING_FOR_MS) return undefined;
    this.over = true;
    return this.hopeless(cause, result, failingForMs);
  }

  /** The message of a hopeless run: what every row met, and what to check. */
  private hopeless(cause: FailureCause, last: RowResult, failingForMs: number): string {
    const { baseUrl, tenant, timeoutSeconds } = this.options;
    const rows = `the first ${this.failed} rows`;
    const code = last.errorCode ?? '';
    switch (cause) {
      case 'unreachable':
        return `the API at ${baseUrl} ${code === 'ECONNREFUSED' ? 'refused every connection' : 'could not be reached'} (${code}) for ${rows}: check --base-url and the network`;
      case 'dns':
        return `the API's host ${new URL(baseUrl).hostname} was not found (${code}) for ${rows}: check --base-url and the network's DNS`;
      case 'tls':
        return (
          `the secure connection to the API at ${baseUrl} failed (${code}) for ${rows}: check that --base-url is the API's https address, ` +
          'and that a proxy which inspects TLS is trusted (NODE_EXTRA_CA_CERTS)'
        );
      case 'tenant':
        return `the API does not know the tenant ${tenant ?? ''} (HTTP 400 ${last.errorType}) for ${rows}: check --tenant (CLOUDCOCKPIT_TENANT), your portal's domain`;
      case 'failing': {
        const lastFailure =
          last.errorType === 'Timeout'
            ? `no answer within --timeout ${timeoutSeconds} s`
            : code !== ''
              ? code
              : `HTTP ${last.httpStatus}`;
        return (
          `the API at ${baseUrl} failed ${rows} over ${duration(failingForMs)} (last: ${lastFailure}) ` +
          'and none succeeded: it is down or failing; run again later with --resume'
        );
      }
    }
  }
}

/** A duration for a person: `3 s`, `2 min`, `5 min 4 s`. */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
}
