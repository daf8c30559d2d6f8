/**
 * One run, start to finish: preflight the input, open the results file, then stream every row
 * through validation, the scheduler and the API client, writing results in input order as rows
 * finish. Importable as a library; the CLI is only a thin layer over `run`.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { connect } from './connect.js';
import { kindByName } from './kinds.js';
import { createLogger, closeLogger, type Logger } from './logger.js';
import type { Options } from './options.js';
import { OrderedOutput } from './ordered-output.js';
import { preflight } from './preflight.js';
import { RateLimiter } from './rate-limiter.js';
import { readRecords } from './reader.js';
import type { RowResult, RowStatus } from './result.js';
import { ResultsWriter, resultsHeader } from './results-writer.js';
import { Scheduler } from './scheduler.js';
import { AdaptiveThrottle } from './throttle.js';
import { spool, type Spooled } from './spool.js';
import { describeProblems, validateRecord } from './validate.js';
import { summarise, type RunSummary } from './summary.js';

/** The world a run talks to; every field defaults to the real process's. */
export interface RunIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: Readable;
  readonly stderr: Writable & { isTTY?: boolean };
  /** Aborting it stops the run cleanly: no new rows start, the rest are `not_attempted`. */
  readonly signal?: AbortSignal | undefined;
}

/** Why a run stopped before its end, and the exit code that follows. */
interface Stop {
  readonly reason: string;
  readonly exitCode: number;
}

/** Unwritten rows allowed ahead of the oldest unfinished one: bounds memory, hides latency spread. */
function windowSize(concurrency: number): number {
  return Math.max(256, concurrency * 32);
}

/** Run a whole job. Setup failures throw a `RunError` (exit 2); everything after is in the summary. */
export async function run(options: Options, io: Partial<RunIo> = {}): Promise<RunSummary> {
  const env = io.env ?? process.env;
  const stderr = io.stderr ?? process.stderr;
  const logger = createLogger({
    level: options.logLevel,
    stderr,
    file: options.logFile,
    fileFormat: options.logFormat,
  });
  let spooled: Spooled | undefined;
  try {
    spooled = options.file === '-' ? await spool(io.stdin ?? process.stdin) : undefined;
    return await runJob(options, spooled?.path ?? options.file, env, logger, io.signal);
  } finally {
    await spooled?.remove();
    await closeLogger(logger);
  }
}

async function runJob(
  options: Options,
  file: string,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  signal: AbortSignal | undefined,
): Promise<RunSummary> {
  const started = performance.now();
  const displayName = options.file === '-' ? 'standard input' : options.file;
  const checked = await preflight(file, displayName, {
    kind: options.command === 'run' ? undefined : kindByName(options.command),
    encoding: options.encoding,
    delimiter: options.delimiter,
    allowClear: options.allowClear,
    acceptNumbers: options.acceptNumbers,
  });
  checked.warnings.forEach((w) => logger.warn(w));
  const { header } = checked;
  const kind = header.kind;
  logger.info(
    `${displayName}: ${checked.rows} ${kind.name} rows, ${checked.invalid} invalid${options.dryRun ? ' (dry run: nothing is sent)' : ''}`,
  );

  const limiter = new RateLimiter(options.rate);
  const scheduler = new Scheduler(options.concurrency);
  const counts: Record<RowStatus, number> = { success: 0, failed: 0, invalid: 0, not_attempted: 0, valid: 0 };
  let retries = 0;
  const throttle = new AdaptiveThrottle(
    { scheduler, limiter },
    { concurrency: options.concurrency, rate: options.rate },
  );
  const connected = options.dryRun
    ? undefined
    : await connect(options, env, logger, limiter, {
        onResponse: (status, startedAt) => {
          const cuts = throttle.cuts;
          throttle.answer(status, startedAt);
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
  const client = connected?.client;

  const keep = options.keepColumns ? header.extras : [];
  let writer: ResultsWriter;
  try {
    writer = await ResultsWriter.create(
      options.out,
      resultsHeader(
        kind,
        keep.map((e) => e.name),
      ),
      {
        overwrite: options.overwrite,
      },
    );
  } catch (error) {
    connected?.close();
    throw error;
  }

  const output = new OrderedOutput(writer, (row) => counts[row.result.status]++);

  let stop: Stop | undefined;
  const stopWith = (reason: string, exitCode: number): void => {
    if (stop) return;
    stop = { reason, exitCode };
    scheduler.stop();
    connected?.client.stop();
    logger.error(`stopping: ${reason}; rows not yet started are written as not_attempted`);
  };
  const onAbort = (): void => {
    const reason = String(signal?.reason ?? 'interrupted');
    stopWith(`interrupted by ${reason}`, reason === 'SIGTERM' ? 143 : 130);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();

  let finished = 0;
  let failed = 0;
  const afterRow = (result: RowResult): void => {
    finished++;
    if (result.status === 'failed') failed++;
    const max = options.maxFailures;
    if (max && result.status === 'failed') {
      if (
        'count' in max ? failed >= max.count : finished >= 100 && (failed / finished) * 100 >= max.percent
      ) {
        stopWith(`--max-failures reached (${failed} failed of ${finished} finished)`, 3);
      }
    }
  };

  const window = windowSize(options.concurrency);
  const inFlight = new Set<Promise<void>>();
  let seq = 0;
  let first = true;
  try {
    for await (const record of readRecords(file, displayName, checked.format)) {
      if (first) {
        first = false;
        continue;
      }
      const rowSeq = seq++;
      while (rowSeq - output.written >= window) await output.nextWrite();
      const cells = header.indexes.map((i) => (record.cells[i] ?? '').trim()) as unknown as [
        string,
        string,
        string,
      ];
      const extras = keep.map((e) => record.cells[e.index] ?? '');
      const finish = (result: RowResult): void =>
        output.finish(rowSeq, { line: record.line, cells, extras, result });
      const validation = validateRecord(header, record.cells, options);
      if ('problems' in validation) {
        finish({
          status: 'invalid',
          attempts: 0,
          errorType: 'ValidationError',
          errorDescription: describeProblems(validation.problems),
          errorDetails: validation.problems.map((p) => `${p.propertyName}: ${p.description}`).join(' | '),
        });
        continue;
      }
      if (!client) {
        finish({ status: 'valid', attempts: 0 });
        continue;
      }
      const change = validation.change;
      const correlationId = randomUUID();
      const begun = performance.now();
      const task = scheduler
        .schedule(
          kind.key(change),
          () => client.send(kind, change, correlationId),
          (): RowResult => ({ status: 'not_attempted', attempts: 0 }),
        )
        .catch((error: unknown): RowResult => ({
          status: 'failed',
          attempts: 0,
          correlationId,
          errorType: 'InternalError',
          errorDescription: `cloudcockpit-bulk failed on this row: ${error instanceof Error ? error.message : String(error)}`,
        }))
        .then((result) => {
          if (result.stopRun) stopWith(result.stopRun, 3);
          if (result.status !== 'not_attempted') afterRow(result);
          logger.debug(`line ${record.line}: ${result.status}`, {
            line: record.line,
            correlationId: result.correlationId,
            status: result.status,
            httpStatus: result.httpStatus,
            attempts: result.attempts,
            durationMs: Math.round(performance.now() - begun),
          });
          finish(result);
        });
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
    }
    await Promise.all(inFlight);
    await output.flushed();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    connected?.close();
    await writer.close();
  }
  const summary = summarise({
    kind: kind.name,
    counts,
    rows: checked.rows,
    durationMs: performance.now() - started,
    retries,
    throttle: { signals: throttle.signals, cuts: throttle.cuts, lowestRate: throttle.lowestRate },
    resultsPath: path.resolve(options.out),
    dryRun: options.dryRun,
    stop,
  });
  logger.info(summary.text);
  return summary;
}
