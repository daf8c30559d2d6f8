/**
 * What the simulator does with one API request, decided on arrival in the real API's order:
 * route and method, bearer token, tenant, rate limit, the failure knobs, then the call's own
 * validation and world lookups. Deciding on arrival (not after the latency) keeps the rate-limit
 * window about send times.
 */
import type { IncomingMessage } from 'node:http';
import type { Fault, FaultLedger, WriteFault } from './fault-plan.js';
import type { ResolvedOptions } from './options.js';
import type { RateLimiter } from './rate-limit.js';
import { decideRead } from './read-calls.js';
import type { Recorder } from './recorder.js';
import {
  DROP,
  HANG,
  errorOutcome,
  throttledOutcome,
  unauthorizedOutcome,
  validationOutcome,
  type Outcome,
} from './responses.js';
import type { Random } from './rng.js';
import { METHOD_OF, isWrite, type Route } from './routes.js';
import type { TokenStore } from './token.js';
import { UUID_PATTERN } from './validation.js';
import type { StoredValues } from './values.js';
import { decideWrite } from './write-calls.js';

/** What handling an API request needs from the running simulator. */
export interface ApiContext {
  readonly options: ResolvedOptions;
  readonly random: Random;
  readonly tokens: TokenStore;
  readonly limiter: RateLimiter;
  readonly recorder: Recorder;
  /** Attempts per target under `options.faultPlan` (the writes). */
  readonly faults: FaultLedger;
  /** Attempts per target under `options.readFaultPlan` (the single reads). */
  readonly readFaults: FaultLedger;
  readonly values: StoredValues;
  /** The time an arrival is decided at (the rate limit's windows): Date.now unless a test froze it. */
  readonly clock: () => number;
  /** Holds an answer due now until the hold is released (see Simulator.holdAnswers); else runs it. */
  answerWhenFree(answer: () => void): void;
}

/** One request as it arrived: what `decide` looks at. */
export interface Arrival {
  readonly req: IncomingMessage;
  /** The path without its query, for the 404's words. */
  readonly path: string;
  readonly route: Route | undefined;
  /** The target of the call (see `callKey`); undefined for the lists and unknown routes. */
  readonly key: string | undefined;
  /** The parsed body of a write (see `parseBody`). */
  readonly parsed: unknown;
  /** Arrival time, ms since the epoch. */
  readonly now: number;
}

const JSON_CONTENT_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

/** The value of a request header (the first, if sent several times). */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Everything decided on arrival: the answer, a drop or a hang, and the value a write stores. */
export function decide(ctx: ApiContext, arrival: Arrival): Outcome {
  const { req, route } = arrival;
  const sentId = header(req, 'x-correlation-id');
  const correlationId = sentId !== undefined && UUID_PATTERN.test(sentId) ? sentId : undefined;
  if (route === undefined)
    return errorOutcome(
      404,
      'NotFound',
      `No API route matches ${req.method} ${arrival.path}.`,
      correlationId,
    );
  const method = METHOD_OF[route.call];
  if (req.method !== method) {
    const description = `The method ${req.method} is not allowed here; use ${method}.`;
    return errorOutcome(405, 'MethodNotAllowed', description, correlationId, null, { allow: method });
  }
  const refused = refusal(ctx, req, arrival.now, correlationId);
  if (refused !== undefined) return refused;
  const planned = plannedFault(ctx, route, arrival.key);
  if (planned !== undefined && !isWriteFault(planned))
    return faultOutcome(planned, correlationId, ctx.options.retryAfterSeconds);
  const failed = randomFault(ctx, correlationId);
  if (failed !== undefined) return failed;
  if (sentId !== undefined && correlationId === undefined) {
    const errors = [
      { propertyName: 'X-Correlation-Id', description: [`The value '${sentId}' is not a valid UUID.`] },
    ];
    return validationOutcome(errors, undefined);
  }
  if (!isWrite(route)) {
    const { world } = ctx.options;
    const read = { world, values: ctx.values, now: arrival.now, readLagMs: ctx.options.readLagMs };
    return decideRead(route, correlationId, read);
  }
  const contentType = header(req, 'content-type');
  if (contentType === undefined || !JSON_CONTENT_TYPE.test(contentType)) {
    const description = `Unsupported content type '${contentType ?? ''}'; the body must be application/json.`;
    return errorOutcome(415, 'UnsupportedMediaType', description, correlationId);
  }
  const outcome = decideWrite(route, arrival.parsed, correlationId, ctx.options.world);
  return withWriteFault(ctx, outcome, planned);
}

/** The bearer token, the tenant and the rate limit: a refusal, or undefined to go on. */
function refusal(
  ctx: ApiContext,
  req: IncomingMessage,
  now: number,
  correlationId: string | undefined,
): Outcome | undefined {
  const options = ctx.options;
  const token = options.rejectAllTokens ? 'invalid' : ctx.tokens.check(header(req, 'authorization'), now);
  if (token === 'missing') return unauthorizedOutcome('Bearer');
  if (token === 'invalid') return unauthorizedOutcome('Bearer error="invalid_token"');
  if (token === 'expired')
    return unauthorizedOutcome('Bearer error="invalid_token", error_description="The token expired"');
  const tenant = header(req, 'x-tenant');
  if (tenant === undefined || tenant.length === 0) {
    const errors = [{ propertyName: 'X-Tenant', description: ['The X-Tenant header is required.'] }];
    return validationOutcome(errors, correlationId);
  }
  if (tenant.toLowerCase() !== options.tenant.toLowerCase()) {
    return errorOutcome(400, 'InvalidTenant', `The tenant '${tenant}' does not exist.`, correlationId);
  }
  if (!ctx.limiter.admit(now)) return throttledOutcome(options.retryAfterSeconds, correlationId);
  return undefined;
}

/** The planned fault of this attempt on its target: the writes' plan or the reads', each with its own count. */
function plannedFault(ctx: ApiContext, route: Route, key: string | undefined): Fault | undefined {
  if (key === undefined) return undefined;
  const write = isWrite(route);
  const plan = write ? ctx.options.faultPlan : ctx.options.readFaultPlan;
  if (plan === undefined) return undefined;
  return (write ? ctx.faults : ctx.readFaults).next(plan, key);
}

const isWriteFault = (fault: Fault): fault is WriteFault =>
  fault === 'not-applied' || fault === 'hang-after-apply';

/** The random knobs every call is subject to: a drop, a hang or a 500. */
function randomFault(ctx: ApiContext, correlationId: string | undefined): Outcome | undefined {
  const { options, random } = ctx;
  if (options.dropRate > 0 && random() < options.dropRate) return DROP;
  if (options.hangRate > 0 && random() < options.hangRate) return HANG;
  if (options.failureRate > 0 && random() < options.failureRate) {
    return faultOutcome('error', correlationId, options.retryAfterSeconds);
  }
  return undefined;
}

/** What a planned or random fault answers. */
function faultOutcome(fault: Fault, correlationId: string | undefined, retryAfterSeconds: number): Outcome {
  if (fault === 'drop') return DROP;
  if (fault === 'hang') return HANG;
  if (fault === 'throttle') return throttledOutcome(retryAfterSeconds, correlationId);
  return errorOutcome(500, 'InternalServerError', 'An unexpected error occurred (simulated).', correlationId);
}

/**
 * A write that would store its value, unless a write fault (planned, else drawn from
 * notAppliedRate then hangAfterApplyRate) says it is answered without being stored, or stored
 * without being answered. Any other answer stays as it is.
 */
function withWriteFault(ctx: ApiContext, outcome: Outcome, planned: WriteFault | undefined): Outcome {
  if (outcome.action !== 'answer' || outcome.write === undefined) return outcome;
  const { options, random } = ctx;
  let fault = planned;
  if (fault === undefined && options.notAppliedRate > 0 && random() < options.notAppliedRate)
    fault = 'not-applied';
  if (fault === undefined && options.hangAfterApplyRate > 0 && random() < options.hangAfterApplyRate)
    fault = 'hang-after-apply';
  if (fault === 'not-applied') return { action: 'answer', status: outcome.status, unapplied: outcome.write };
  if (fault === 'hang-after-apply') return { action: 'hang', write: outcome.write };
  return outcome;
}
