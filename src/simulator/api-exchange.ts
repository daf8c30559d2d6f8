/**
 * One API request from arrival to answer: what it targets, the decision (decide.ts), the latency,
 * and what the answer stores. The per-key and in-flight counts are kept here, since only this
 * module sees both a request's start and the socket's close.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { decide, header, type ApiContext } from './decide.js';
import { renderError } from './error-styles.js';
import type { RecordedRequest } from './recorder.js';
import type { Outcome, Write } from './responses.js';
import { callKey, isWrite, matchRoute } from './routes.js';
import { parseBody } from './validation.js';

export type { ApiContext } from './decide.js';

const ignore = () => {};
/** How long before an answer is due its timer fires; the rest is waited turn by turn. */
const FINAL_STRETCH_MS = 1.5;

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

/**
 * Handles one request to the API (anything but the token endpoint and admin calls), from arrival
 * to answer; `search` is the query (`?…`, or empty).
 */
export function handleApiRequest(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  search = '',
): void {
  const now = ctx.clock();
  // The latency counts from here, the request's arrival, as a real API's does: reading the body
  // and deciding are part of it, not added to it.
  const arrived = performance.now();
  const recorder = ctx.recorder;
  recorder.arrived(req.method ?? '', now);
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
    const route = matchRoute(path, search);
    const parsed = route && isWrite(route) ? parseBody(body) : undefined;
    if (route) recorder.routed(route.call, now);
    key = route && callKey(route, parsed);
    if (key !== undefined) recorder.enteredKey(key);
    if (recorded) recorded.body = body;
    const outcome = decide(ctx, { req, path, route, key, parsed, now });
    // What is left of the limit as this call was decided, whatever the answer turns out to be.
    const announced = ctx.limiter.headers(ctx.options.rateLimitHeaders, now);
    const options = ctx.options;
    const delay = options.latencyMs + (options.jitterMs > 0 ? ctx.random() * options.jitterMs : 0);
    const due = arrived + delay;
    // Stored whether or not the client still waits: a late write lands after the client gave up.
    if (outcome.action === 'hang' && outcome.write)
      applyLate(ctx, outcome.write, due - performance.now() + options.lateApplyMs);
    const perform = () => {
      timer = undefined;
      if (!open) return;
      // Never before the latency, and as little after it as can be: Node fires a timer by the
      // loop's whole-millisecond clock, up to a millisecond either side of when it is due. So the
      // timer aims short and the last stretch is waited turn by turn of the event loop.
      const early = due - performance.now();
      if (early > FINAL_STRETCH_MS) {
        timer = setTimeout(perform, early - FINAL_STRETCH_MS);
        return;
      }
      if (early > 0) {
        setImmediate(perform);
        return;
      }
      if (outcome.action === 'hang') {
        recorder.counters.hung += 1;
        return;
      }
      leave();
      respond(ctx, req, res, outcome, announced, recorded);
    };
    // At once when the latency is 0 or already spent, else on a timer; held while a test holds
    // the answers (Simulator.holdAnswers).
    ctx.answerWhenFree(perform);
  });
}

/** Carries out a decided outcome that is not a hang: drops the connection, or answers and stores. */
function respond(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  outcome: Exclude<Outcome, { action: 'hang' }>,
  announced: OutgoingHttpHeaders,
  recorded: RecordedRequest | undefined,
): void {
  const recorder = ctx.recorder;
  if (outcome.action === 'drop') {
    recorder.counters.dropped += 1;
    req.socket.destroy();
    return;
  }
  const answer =
    outcome.action === 'error'
      ? renderError(ctx.options.errorStyle, outcome.error, outcome.headers)
      : outcome;
  if (outcome.action === 'answer' && outcome.write) store(ctx, outcome.write);
  if (outcome.action === 'answer' && outcome.unapplied) recorder.counters.notApplied += 1;
  recorder.answered(answer.status);
  if (recorded) recorded.status = answer.status;
  res.writeHead(answer.status, { ...answer.headers, ...announced });
  res.end(answer.body);
}

function store(ctx: ApiContext, write: Write): void {
  ctx.values.apply(write, Date.now(), ctx.options.recordRequests, ctx.options.readLagMs);
}

/** Stores a hang-after-apply write `delayMs` from now, counting it; not held up by the client, nor holding up a close. */
function applyLate(ctx: ApiContext, write: Write, delayMs: number): void {
  const apply = () => {
    store(ctx, write);
    ctx.recorder.counters.hungAfterApply += 1;
  };
  if (delayMs > 0) setTimeout(apply, delayMs).unref();
  else apply();
}
