/**
 * Upload and check: the file streams to disk under a name of our own (never the name it came
 * with), up to the size limit; then the check step's findings, the table of rows, the sheet choice
 * of a workbook, and the rows to fix.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type {} from '@fastify/multipart';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { CheckRefused, checkTable, checkUpload } from './check.js';
import { attachment, type ServerContext } from './context.js';
import { linesWithStatus, readTablePage, writeInputRows } from './rows-table.js';
import type { JobRecord } from './store.js';

/** A name as the page may show it: no folders, no control characters, not too long. */
export function displayName(given: string | undefined): string {
  const base = (given ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (clean === '' ? 'upload' : clean).slice(0, 200);
}

/** A workbook is a zip: told from its first bytes, as the reader tells it. */
async function containerOf(file: string): Promise<'csv' | 'xlsx'> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    return head.toString('latin1') === 'PK\x03\x04' ? 'xlsx' : 'csv';
  } finally {
    await handle.close();
  }
}

/** Check `job` and answer with the findings, or with why the file cannot be used. */
async function answerCheck(ctx: ServerContext, job: JobRecord, reply: FastifyReply): Promise<FastifyReply> {
  try {
    return reply.send(await checkUpload(ctx.store, job, ctx.base, ctx.env));
  } catch (error) {
    if (!(error instanceof CheckRefused)) throw error;
    // A workbook refused for its first sheet may hold the changes on another: the page offers them.
    const choice = error.sheets.length > 1 ? { id: job.id, name: job.name, sheets: error.sheets } : {};
    return reply.code(422).send({ error: error.message, ...choice });
  }
}

/** The upload's job, or a 404 sent. */
function jobOf(ctx: ServerContext, id: string, reply: FastifyReply): JobRecord | undefined {
  const job = ctx.store.get(id);
  if (job?.kind === undefined) void reply.code(404).send({ error: 'No such upload: upload the file again.' });
  return job?.kind === undefined ? undefined : job;
}

/** Stream the upload to its job's folder; answers 413 when it is over the limit. */
async function receive(ctx: ServerContext, app: FastifyInstance) {
  app.post('/api/uploads', async (request, reply) => {
    const part = await request.file();
    if (!part) return reply.code(400).send({ error: 'Choose a .csv or .xlsx file to upload.' });
    const job = await ctx.store.create(displayName(part.filename));
    const arriving = ctx.store.arrivingPath(job);
    let tooLarge: boolean;
    try {
      await pipeline(part.file, createWriteStream(arriving, { mode: 0o600 }));
      tooLarge = part.file.truncated;
    } catch (error) {
      if ((error as { code?: string }).code !== 'FST_REQ_FILE_TOO_LARGE') {
        await ctx.store.discard(job);
        throw error;
      }
      tooLarge = true;
    }
    if (tooLarge) {
      await ctx.store.discard(job);
      return reply.code(413).send({
        error: `${job.name} is larger than the limit of ${ctx.maxUploadMb} MB. Split it into smaller files, or ask for the server to be started with a higher --max-upload-mb.`,
      });
    }
    job.container = await containerOf(arriving);
    await rename(arriving, ctx.store.inputPath(job));
    return answerCheck(ctx, job, reply);
  });
}

/** The check step's routes: another sheet, a page of the table, the rows to fix. */
export async function uploadRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await receive(ctx, app);
  app.post<{ Params: { id: string }; Body: { sheet?: unknown } }>(
    '/api/uploads/:id/sheet',
    async (request, reply) => {
      const job = ctx.store.get(request.params.id);
      if (!job) return reply.code(404).send({ error: 'No such upload: upload the file again.' });
      const sheet = request.body?.sheet;
      if (typeof sheet !== 'string' || job.container !== 'xlsx' || job.state !== 'checked') {
        return reply.code(400).send({ error: 'Choose one of the sheets listed.' });
      }
      job.sheet = sheet;
      return answerCheck(ctx, job, reply);
    },
  );
  app.get<{ Params: { id: string }; Querystring: { only?: string; offset?: string; limit?: string } }>(
    '/api/uploads/:id/rows',
    async (request, reply) => {
      const job = jobOf(ctx, request.params.id, reply);
      if (!job) return reply;
      const offset = Math.max(0, Number(request.query.offset) || 0);
      const limit = Math.min(200, Math.max(1, Number(request.query.limit) || 25));
      const statuses = request.query.only === 'all' ? undefined : ['invalid'];
      return reply.send(await readTablePage(await checkTable(ctx.store, job), statuses, offset, limit));
    },
  );
  app.get<{ Params: { id: string } }>('/api/uploads/:id/to-fix.xlsx', async (request, reply) => {
    const job = jobOf(ctx, request.params.id, reply);
    if (!job?.format) return reply;
    const lines = await linesWithStatus(await checkTable(ctx.store, job), ['invalid']);
    const target = path.join(ctx.store.folder(job.id), 'to-fix.xlsx');
    await writeInputRows(ctx.store.inputPath(job), job.format, lines, target);
    return attachment(reply, `${stem(job.name)}.to-fix.xlsx`).send(createReadStream(target));
  });
}

/** A file name without its extension. */
export function stem(name: string): string {
  return name.replace(/\.[^.]*$/, '') || 'upload';
}
