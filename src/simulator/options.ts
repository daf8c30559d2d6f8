import { ERROR_STYLES, type ErrorStyle } from './error-styles.js';
import { READ_FAULTS, checkFaultPlan, type FaultPlan } from './fault-plan.js';
import { RATE_LIMIT_HEADERS, type RateLimitHeaders } from './rate-limit.js';
import { checkSeedValues, type SeedValues } from './values.js';
import { openWorld, type World } from './world.js';

/** How the simulator behaves; every field is optional and can be changed at run time with configure(). */
export interface SimulatorOptions {
  /** The portal domain accepted in `X-Tenant`; any other answers 400 `InvalidTenant`. @default 'portal.cloudcockpit.com' */
  readonly tenant?: string;
  /** The client id the token endpoint knows. @default 'sim-client-id' */
  readonly clientId?: string;
  /** The client secret the token endpoint accepts. @default 'sim-client-secret' */
  readonly clientSecret?: string;
  /** Lifetime of issued tokens, reported as `expires_in`; the API refuses them afterwards. @default 3599 */
  readonly tokenLifetimeSeconds?: number;
  /** Bearer tokens that are always accepted and never expire. @default ['sim-static-token'] */
  readonly staticTokens?: readonly string[];
  /** Base delay of an API call, from its arrival to its answer (never shorter). @default 0 */
  readonly latencyMs?: number;
  /** Extra delay, uniform from 0 to this, added to latencyMs. @default 0 */
  readonly jitterMs?: number;
  /** Probability (0..1) that an API call answers 500 with an error body. @default 0 */
  readonly failureRate?: number;
  /** Probability (0..1) that the socket is destroyed without an answer. @default 0 */
  readonly dropRate?: number;
  /** Probability (0..1) that an API call is never answered (until the client gives up or the server closes). @default 0 */
  readonly hangRate?: number;
  /**
   * Probability (0..1) that a write which would succeed answers 204 but stores nothing: the fault
   * a read-back (`--verify`) must catch. Drawn after the other random knobs. @default 0
   */
  readonly notAppliedRate?: number;
  /**
   * Probability (0..1) that a write which would succeed stores its value and is never answered:
   * the client times out on a change that did land. Counted in `hung` and `hungAfterApply`. @default 0
   */
  readonly hangAfterApplyRate?: number;
  /**
   * How much later than its answer would have gone out a hang-after-apply write (the random knob or
   * the planned fault) stores its value. Longer than the client's timeout, the write lands after the
   * client gave up, when it may already have read the old value or sent the next row. @default 0
   */
  readonly lateApplyMs?: number;
  /**
   * Reads lag behind writes by this much: a GET answers the value as it was this many ms before it
   * arrived (writes stored while it is 0 are not remembered, so a new lag starts from there). @default 0
   */
  readonly readLagMs?: number;
  /** API calls admitted per sliding second; beyond it they answer 429 with Retry-After. 0 means unlimited. @default 0 */
  readonly rateLimit?: number;
  /** The `Retry-After` value (seconds) sent with a 429. @default 1 */
  readonly retryAfterSeconds?: number;
  /**
   * Whether every API answer announces `rateLimit` in its headers, and how: `ietf` for
   * `RateLimit-Limit`/`-Remaining`/`-Reset` (seconds from now) and `RateLimit-Policy` (`N;w=1`),
   * `github` for `X-RateLimit-Limit`/`-Remaining`/`-Reset` (epoch seconds), `none` for no such
   * header, as the documented API. Nothing is announced without a `rateLimit`. @default 'none'
   */
  readonly rateLimitHeaders?: RateLimitHeaders;
  /** Deterministic 429 bursts: after every `every` API calls, the next `length` answer 429. @default undefined */
  readonly burst429?: { readonly every: number; readonly length: number };
  /** Every API call answers 401, as if the token were revoked. @default false */
  readonly rejectAllTokens?: boolean;
  /** The next N token requests answer 503; counts down as they are used. @default 0 */
  readonly tokenEndpointFailures?: number;
  /**
   * How every error answer with a body (400, 404, 405, 415, 429, 500) is written: the documented
   * JSON, RFC 9457 problem details as ASP.NET writes them, a gateway's HTML page, plain text, no
   * body, or the documented fields with wrong JSON types (see error-styles.ts). Statuses and
   * headers such as Retry-After stay the same in every style. @default 'documented'
   */
  readonly errorStyle?: ErrorStyle;
  /** Which customers, subscriptions and relationships exist. @default openWorld() */
  readonly world?: World;
  /** Keep the per-request log and the per-key history; the benchmark turns it off to keep memory flat. @default true */
  readonly recordRequests?: boolean;
  /**
   * Faults planned per target and attempt for the writes (PATCH; see fault-plan.ts), checked after
   * the rate limit and before the random knobs: unlike those, the same rows get them whatever the
   * timing. Its kinds include the write faults `not-applied` and `hang-after-apply`. @default undefined
   */
  readonly faultPlan?: FaultPlan;
  /**
   * Faults planned per target and attempt for the single reads (GET of one subscription or
   * customer), counted apart from the writes' attempts so each plan alone tells what its calls
   * get; kinds `error`, `drop`, `hang`, `throttle`. The same plan given for both draws the same
   * targets. The paged lists have no target and get none. @default undefined
   */
  readonly readFaultPlan?: FaultPlan;
  /**
   * Values the world starts with, so reads find some rows already at their value: PO numbers by
   * `${customerId}/${subscriptionId}` and internal identifiers by `${customerId}/${resellerId ?? 'csp'}`.
   * reset() goes back to them; configuring them replaces every stored value. Unseeded, a target
   * that was never written reads as null. @default undefined
   */
  readonly seedValues?: SeedValues;
  /** Seed for the random knobs (drop, hang, failure, jitter) so runs repeat; Math.random when absent. @default undefined */
  readonly seed?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Optional = 'burst429' | 'seed' | 'faultPlan' | 'readFaultPlan' | 'seedValues';

/** The options as the running simulator holds them: every default filled in. */
export type ResolvedOptions = Mutable<Required<Omit<SimulatorOptions, Optional>>> &
  Mutable<Pick<SimulatorOptions, Optional>>;

/** The defaults, with a fresh open world each time. */
export function defaultOptions(): ResolvedOptions {
  return {
    tenant: 'portal.cloudcockpit.com',
    clientId: 'sim-client-id',
    clientSecret: 'sim-client-secret',
    tokenLifetimeSeconds: 3599,
    staticTokens: ['sim-static-token'],
    latencyMs: 0,
    jitterMs: 0,
    failureRate: 0,
    dropRate: 0,
    hangRate: 0,
    notAppliedRate: 0,
    hangAfterApplyRate: 0,
    lateApplyMs: 0,
    readLagMs: 0,
    rateLimit: 0,
    retryAfterSeconds: 1,
    rateLimitHeaders: 'none',
    burst429: undefined,
    rejectAllTokens: false,
    tokenEndpointFailures: 0,
    errorStyle: 'documented',
    world: openWorld(),
    recordRequests: true,
    seed: undefined,
    faultPlan: undefined,
    readFaultPlan: undefined,
    seedValues: undefined,
  };
}

const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
const isDuration = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isProbability = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;
const isText = (v: unknown) => typeof v === 'string' && v.length > 0;

// Each check returns what was expected when the value is wrong, so the message can name it.
const CHECKS: { [K in keyof SimulatorOptions]-?: (v: unknown) => string | undefined } = {
  tenant: (v) => (isText(v) ? undefined : 'a non-empty string'),
  clientId: (v) => (isText(v) ? undefined : 'a non-empty string'),
  clientSecret: (v) => (isText(v) ? undefined : 'a non-empty string'),
  tokenLifetimeSeconds: (v) => (isDuration(v) ? undefined : 'a number from 0 and up'),
  staticTokens: (v) => (Array.isArray(v) && v.every(isText) ? undefined : 'an array of non-empty strings'),
  latencyMs: (v) => (isDuration(v) ? undefined : 'a number from 0 and up'),
  jitterMs: (v) => (isDuration(v) ? undefined : 'a number from 0 and up'),
  failureRate: (v) => (isProbability(v) ? undefined : 'a number from 0 to 1'),
  dropRate: (v) => (isProbability(v) ? undefined : 'a number from 0 to 1'),
  hangRate: (v) => (isProbability(v) ? undefined : 'a number from 0 to 1'),
  notAppliedRate: (v) => (isProbability(v) ? undefined : 'a number from 0 to 1'),
  hangAfterApplyRate: (v) => (isProbability(v) ? undefined : 'a number from 0 to 1'),
  lateApplyMs: (v) => (isDuration(v) ? undefined : 'a number from 0 and up'),
  readLagMs: (v) => (isDuration(v) ? undefined : 'a number from 0 and up'),
  rateLimit: (v) => (isCount(v) ? undefined : 'an integer from 0 and up'),
  retryAfterSeconds: (v) => (isCount(v) ? undefined : 'an integer from 0 and up'),
  rateLimitHeaders: (v) =>
    RATE_LIMIT_HEADERS.includes(v as RateLimitHeaders)
      ? undefined
      : `one of ${RATE_LIMIT_HEADERS.join(', ')}`,
  burst429: (v) => {
    const burst = v as { every?: unknown; length?: unknown } | null;
    const ok = typeof burst === 'object' && burst !== null && isCount(burst.every) && isCount(burst.length);
    return ok && (burst.every as number) > 0
      ? undefined
      : '{ every: integer from 1, length: integer from 0 }';
  },
  rejectAllTokens: (v) => (typeof v === 'boolean' ? undefined : 'a boolean'),
  tokenEndpointFailures: (v) => (isCount(v) ? undefined : 'an integer from 0 and up'),
  errorStyle: (v) =>
    ERROR_STYLES.includes(v as ErrorStyle) ? undefined : `one of ${ERROR_STYLES.join(', ')}`,
  world: (v) => (typeof v === 'object' && v !== null && 'hasCustomer' in v ? undefined : 'a World'),
  recordRequests: (v) => (typeof v === 'boolean' ? undefined : 'a boolean'),
  seed: (v) => (Number.isInteger(v) ? undefined : 'an integer'),
  faultPlan: (v) => checkFaultPlan(v),
  readFaultPlan: (v) => checkFaultPlan(v, READ_FAULTS),
  seedValues: checkSeedValues,
};

/**
 * `partial` applied over `base`, as a new object. A field given as undefined (or null, from JSON)
 * goes back to its default. Throws a TypeError naming the first bad option.
 */
export function mergeOptions(base: ResolvedOptions, partial: Partial<SimulatorOptions>): ResolvedOptions {
  const merged: Record<string, unknown> = { ...base };
  const defaults = defaultOptions() as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(partial)) {
    const check = CHECKS[key as keyof SimulatorOptions] as ((v: unknown) => string | undefined) | undefined;
    if (check === undefined) throw new TypeError(`Unknown simulator option \`${key}\``);
    if (value === undefined || value === null) {
      merged[key] = defaults[key];
      continue;
    }
    const expected = check(value);
    if (expected !== undefined) {
      const shown = typeof value === 'object' ? JSON.stringify(value) : String(value);
      throw new TypeError(`Expected \`${key}\` to be ${expected}, got \`${shown}\` (${typeof value})`);
    }
    merged[key] = value;
  }
  return merged as unknown as ResolvedOptions;
}
