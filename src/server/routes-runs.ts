/**
 * Runs: start one from a checked upload, watch it (events, or a snapshot to poll), cancel it,
 * resume one a crash or a cancel interrupted, list the past runs, and download their results file
 * and the rows that need attention in the input's own columns.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { attachment, type ServerContext } from './context.js';
import { streamEvents } from './events.js';
import { noCounts, type Snapshot } from './live.js';
import { ATTENTION, linesWithStatus, writeInputRows } from './rows-table.js';
import { stem } from './routes-uploads.js';
import { RunRefused } from './runner.js';
import type { JobRecord } from './store.js';

type WithId = { Params: { id: string } };

/** Where job `job`'s run stands: live if it runs (or ran) in this process, else from the index. */
function snapshotOf(ctx: ServerContext, job: JobRecord): Snapshot {
  const live = ctx.runner.live(job.id);
  if (live) return live.snapshot();
  const counts = job.summary?.counts ?? noCounts();
  return {
    id: job.id,
    state: job.state,
    eventId: 0,
    total: job.rows ?? 0,
    done: Object.values(counts).reduce((a, b) => a + b, 0),
    counts,
    rowsPerSecond: 0,
    secondsLeft: undefined,
    failures: [],
    summary: job.summary,
  };
}

/** A past run as the list shows it. */
function listed(ctx: ServerContext, job: JobRecord) {
  return {
    id: job.id,
    name: job.name,
    kind: job.kind,
    rows: job.rows,
    state: ctx.runner.running?.id === job.id ? 'running' : job.state,
    startedAt: job.startedAt,
    summary: job.summary,
    resumable:
      ctx.runner.running === undefined &&
      (job.state === 'interrupted' || (job.summary?.counts.not_attempted ?? 0) > 0),
  };
}

/** The run of job `id`, or a 404 sent. */
function runOf(ctx: ServerContext, id: string, reply: FastifyReply): JobRecord | undefined {
  const job = ctx.store.get(id);
  if (job === undefined || job.kind === undefined) void reply.code(404).send({ error: 'No such run.' });
  return job?.kind === undefined ? undefined : job;
}

/** Start (or resume) `job`; 409 with the reason when it cannot start now. */
async function startRun(ctx: ServerContext, job: JobRecord, resume: boolean, reply: FastifyReply) {
  if (ctx.plans.reading) return reply.code(409).send({ error: 'A plan is being read: wait for it to end.' });
  try {
    const live = await ctx.runner.start(job, resume);
    return reply.code(202).send(live.snapshot());
  } catch (error) {
    if (error instanceof RunRefused) return reply.code(409).send({ error: error.message });
    throw error;
  }
}

/** The results file's downloads: the file itself, and the rows to fix in the input's columns. */
function downloadRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<WithId>('/api/runs/:id/results.csv', async (request, reply) => {
    const job = runOf(ctx, request.params.id, reply);
    if (!job) return reply;
    const file = ctx.store.resultsPath(job);
    if (
      !(await access(file).then(
        () => true,
        () => false,
      ))
    ) {
      return reply
        .code(404)
        .send({ error: 'This run wrote no results file (it stopped before the first row).' });
    }
    return attachment(reply, `${stem(job.name)}.results.csv`).send(createReadStream(file));
  });
  app.get<WithId>('/api/runs/:id/attention.xlsx', async (request, reply) => {
    const job = runOf(ctx, request.params.id, reply);
    if (!job?.format) return reply;
    const results = ctx.store.resultsPath(job);
    const lines = await linesWithStatus(results, ATTENTION).catch(() => new Set<number>());
    const target = path.join(ctx.store.folder(job.id), 'attention.xlsx');
    await writeInputRows(ctx.store.inputPath(job), job.format, lines, target);
    return attachment(reply, `${stem(job.name)}.to-fix.xlsx`).send(createReadStream(target));
  });
}

/** The run routes. */
export async function runRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.get('/api/runs', async () => ({ runs: ctx.store.runs().map((job) => listed(ctx, job)) }));
  app.post<{ Body: { id?: unknown } }>('/api/runs', async (request, reply) => {
    const job = runOf(ctx, String(request.body?.id ?? ''), reply);
    return job ? startRun(ctx, job, false, reply) : reply;
  });
  app.get<WithId>('/api/runs/:id', async (request, reply) => {
    const job = runOf(ctx, request.params.id, reply);
    return job ? reply.send(snapshotOf(ctx, job)) : reply;
  });
  app.get<WithId>('/api/runs/:id/events', async (request, reply) => {
    const job = runOf(ctx, request.params.id, reply);
    if (!job) return reply;
    streamEvents(request, reply, ctx.runner.live(job.id), snapshotOf(ctx, job), ctx.heartbeatMs);
    return reply;
  });
  app.post<WithId>('/api/runs/:id/cancel', async (request, reply) => {
    const job = runOf(ctx, request.params.id, reply);
    if (!job) return reply;
    if (!ctx.runner.cancel(job.id)) return reply.code(409).send({ error: 'This run is not running.' });
    return reply.code(202).send({ cancelling: true });
  });
  app.post<WithId>('/api/runs/:id/resume', async (request, reply) => {
    const job = runOf(ctx, request.params.id, reply);
    return job ? startRun(ctx, job, true, reply) : reply;
  });
  downloadRoutes(app, ctx);
}
