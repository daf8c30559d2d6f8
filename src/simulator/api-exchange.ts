import type { IncomingMessage, ServerResponse } from 'node:http';
import { callKey, decideCall, matchRoute, type Route } from './api-calls.js';
import { renderError } from './error-styles.js';
import type { Fault, FaultLedger } from './fault-plan.js';
import type { ResolvedOptions } from './options.js';
import type { RateLimiter } from './rate-limit.js';
import type { RecordedRequest, Recorder } from './recorder.js';
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
import type { TokenStore } from './token.js';
import { UUID_PATTERN, parseBody } from './validation.js';

/** What handling an API request needs from the running simulator. */
export interface ApiContext {
  readonly options: ResolvedOptions;
  readonly random: Random;
  readonly tokens: TokenStore;
  readonly limiter: RateLimiter;
  readonly recorder: Recorder;
  readonly faults: FaultLedger;
}

const JSON_CONTENT_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;
const ignore = () => {};

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Everything decided on arrival, in the real API's order: route and method, bearer token,
 * tenant, rate limit, the failure knobs, then the call's own validation and world lookups.
 * Deciding on arrival (not after the latency) keeps the rate-limit window about send times.
 */
function decide(
  ctx: ApiContext,
  req: IncomingMessage,
  path: string,
  route: Route | undefined,
  key: string | undefined,
  parsed: unknown,
  now: number,
): Outcome {
  const sentId = header(req, 'x-correlation-id');
  const correlationId = sentId !== undefined && UUID_PATTERN.test(sentId) ? sentId : undefined;
  if (route === undefined)
    return errorOutcome(404, 'NotFound', `No API route matches ${req.method} ${path}.`, correlationId);
  if (req.method !== 'PATCH') {
    const description = `The method ${req.method} is not allowed here; use PATCH.`;
    return errorOutcome(405, 'MethodNotAllowed', description, correlationId, null, { allow: 'PATCH' });
  }
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
  const fault = options.faultPlan && key !== undefined ? ctx.faults.next(options.faultPlan, key) : undefined;
  if (fault !== undefined) return faultOutcome(fault, correlationId, options.retryAfterSeconds);
  const random = ctx.random;
  if (options.dropRate > 0 && random() < options.dropRate) return DROP;
  if (options.hangRate > 0 && random() < options.hangRate) return HANG;
  if (options.failureRate > 0 && random() < options.failureRate) {
    return faultOutcome('error', correlationId, options.retryAfterSeconds);
  }
  if (sentId !== undefined && correlationId === undefined) {
    const errors = [
      { propertyName: 'X-Correlation-Id', description: [`The value '${sentId}' is not a valid UUID.`] },
    ];
    return validationOutcome(errors, undefined);
  }
  const contentType = header(req, 'content-type');
  if (contentType === undefined || !JSON_CONTENT_TYPE.test(contentType)) {
    const description = `Unsupported content type '${contentType ?? ''}'; the body must be application/json.`;
    return errorOutcome(415, 'UnsupportedMediaType', description, correlationId);
  }
  return decideCall(route, parsed, correlationId, options.world);
}

/** What a planned or random fault answers. */
function faultOutcome(fault: Fault, correlationId: string | undefined, retryAfterSeconds: number): Outcome {
  if (fault === 'drop') return DROP;
  if (fault === 'hang') return HANG;
  if (fault === 'throttle') return throttledOutcome(retryAfterSeconds, correlationId);
  return errorOutcome(500, 'InternalServerError', 'An unexpected error occurred (simulated).', correlationId);
}

function record(req: IncomingMessage, now: number): RecordedRequest {
  return {
    method: req.method ?? '',
    path: req.url ?? '',
    tenant: header(req, 'x-tenant'),
    authorization: header(req, 'authorization'),
    correlationId: header(req, 'x-correlation-id'),
    contentType: header(req, 'content-type'),
    body: '',
    status: 0,
    at: now,
  };
}

/** Handles one request to the API (anything but the token endpoint and admin calls), from arrival to answer. */
export function handleApiRequest(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): void {
  const now = Date.now();
  const recorder = ctx.recorder;
  recorder.arrived(now);
  const recorded = ctx.options.recordRequests ? record(req, now) : undefined;
  if (recorded) recorder.requests.push(recorded);
  let key: string | undefined;
  let open = true;
  let timer: NodeJS.Timeout | undefined;
  // Called before the answer is written (so a client that waits for it never looks concurrent),
  // or when the socket closes first (dropped, hung, client gave up, server closing).
  const leave = () => {
    if (!open) return;
    open = false;
    if (timer !== undefined) clearTimeout(timer);
    recorder.left(key);
  };
  res.once('close', leave);
  req.on('error', ignore);
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    if (!open) return;
    const route = matchRoute(path);
    const parsed = route ? parseBody(body) : undefined;
    if (route) {
      key = callKey(route, parsed);
      recorder.enteredKey(key);
    }
    if (recorded) recorded.body = body;
    const outcome = decide(ctx, req, path, route, key, parsed, now);
    const perform = () => {
      timer = undefined;
      if (!open) return;
      if (outcome.action === 'hang') {
        recorder.counters.hung += 1;
        return;
      }
      leave();
      if (outcome.action === 'drop') {
        recorder.counters.dropped += 1;
        req.socket.destroy();
        return;
      }
      const answer =
        outcome.action === 'error'
          ? renderError(ctx.options.errorStyle, outcome.error, outcome.headers)
          : outcome;
      if (outcome.action === 'answer' && outcome.write)
        recorder.apply(outcome.write, ctx.options.recordRequests);
      recorder.answered(answer.status);
      if (recorded) recorded.status = answer.status;
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    };
    const options = ctx.options;
    const delay = options.latencyMs + (options.jitterMs > 0 ? ctx.random() * options.jitterMs : 0);
    if (delay > 0) timer = setTimeout(perform, delay);
    else perform();
  });
}
