/**
 * The row loop: read each data row, validate it, send it through the scheduler (or keep an earlier
 * success, or only check it in a dry run), and hand every outcome to the ordered output. The
 * reader never runs more than a window of rows ahead of the results file, so memory stays flat.
 * Stops (a refused token, --max-failures, a signal) are decided here: nothing new starts and the
 * remaining rows are written as not_attempted. When the results file cannot be written, nothing
 * new starts either, and the loop ends at once: the remaining rows could not be written at all.
 */
import { randomUUID } from 'node:crypto';
import type { ApiClient } from '../api/client.js';
import type { Logger } from '../report/logger.js';
import type { Options } from '../options.js';
import type { OrderedOutput } from '../results/ordered-output.js';
import type { PreflightResult } from '../input/preflight.js';
import { kindCells } from '../input/header.js';
import { dataRecords } from '../input/reader.js';
import { flattenErrors, type RowResult } from '../result.js';
import type { LatencyHistogram } from '../report/latency.js';
import type { KeptRows } from '../results/resume.js';
import type { Scheduler } from '../pacing/scheduler.js';
import { describeProblems, validateRecord } from '../input/validate.js';

/** Why a run stopped before its end, and the exit code that follows. */
export interface Stop {
  /** What stopped it: the credentials, too many failures, a signal, or a results file it cannot write. */
  readonly cause: 'auth' | 'max-failures' | 'signal' | 'output';
  readonly reason: string;
  readonly exitCode: number;
}

/** What the row loop works with. */
export interface RowsContext {
  readonly options: Options;
  readonly file: string;
  readonly displayName: string;
  readonly checked: PreflightResult;
  /** Extra columns carried into the results (`--keep-columns`). */
  readonly keep: readonly { readonly name: string; readonly index: number }[];
  /** Earlier results of a resumed run. */
  readonly kept: KeptRows | undefined;
  /** Undefined in a dry run. */
  readonly client: ApiClient | undefined;
  readonly scheduler: Scheduler;
  readonly output: OrderedOutput;
  readonly logger: Logger;
  readonly signal: AbortSignal | undefined;
  /** Where each sent row's latency (all its attempts) is recorded. */
  readonly latency: LatencyHistogram;
  /** Resolves if the results file cannot be written: then nothing new starts. */
  readonly outputFailed?: Promise<Error>;
}

/** Unwritten rows allowed ahead of the oldest unfinished one: bounds memory, hides latency spread. */
export function windowSize(concurrency: number): number {
  return Math.max(256, concurrency * 32);
}

const NOT_ATTEMPTED: RowResult = { status: 'not_attempted', attempts: 0 };

function invalid(problems: Parameters<typeof describeProblems>[0]): RowResult {
  return {
    status: 'invalid',
    attempts: 0,
    errorType: 'ValidationError',
    errorDescription: describeProblems(problems),
    errorDetails: flattenErrors(problems),
  };
}

/** Process every data row; resolves when every row's result has been written. */
export async function processRows(ctx: RowsContext): Promise<{ stop: Stop | undefined; kept: number }> {
  const { options, checked, client, scheduler, output, logger, signal } = ctx;
  const { header } = checked;
  const { kind } = header;
  let stop: Stop | undefined;
  let running = true;
  const stopWith = (cause: Stop['cause'], reason: string, exitCode: number): void => {
    if (stop || !running) return;
    stop = { cause, reason, exitCode };
    scheduler.stop();
    client?.stop();
    logger.error(
      cause === 'output'
        ? `stopping: ${reason}`
        : `stopping: ${reason}; rows not yet started are written as not_attempted`,
    );
  };
  void ctx.outputFailed?.then((error) => stopWith('output', error.message, 3));
  const onAbort = (): void => {
    const reason = String(signal?.reason ?? 'interrupted');
    stopWith('signal', `interrupted by ${reason}`, reason === 'SIGTERM' ? 143 : 130);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();

  let finished = 0;
  let failed = 0;
  const afterRow = (result: RowResult): void => {
    if (result.stopRun) stopWith('auth', result.stopRun, 3);
    if (result.status === 'not_attempted') return;
    finished++;
    if (result.status !== 'failed') return;
    failed++;
    const max = options.maxFailures;
    if (
      max &&
      ('count' in max ? failed >= max.count : finished >= 100 && (failed / finished) * 100 >= max.percent)
    ) {
      stopWith('max-failures', `--max-failures reached (${failed} failed of ${finished} finished)`, 3);
    }
  };

  // Asked once: winston's isDebugEnabled() walks its transports, which a dry run of a million
  // rows noticed (0.2 s) when it was asked per row.
  const debug = logger.isDebugEnabled();
  const window = windowSize(options.concurrency);
  /** Keys sent in a resumed run (only rows re-sent, so it stays small). */
  const resent = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let seq = 0;
  try {
    for await (const record of dataRecords(ctx.file, ctx.displayName, checked.format)) {
      // Rows could only be written as not_attempted, and nothing can be written any more.
      if (stop?.cause === 'output') break;
      const rowSeq = seq++;
      while (rowSeq - output.written >= window) await output.nextWrite();
      const cells = kindCells(header, record.cells);
      const extras = ctx.keep.map((e) => record.cells[e.index] ?? '');
      const finish = (result: RowResult, raw?: readonly string[]): void => {
        // One debug line per row, whatever became of it (sent, invalid, kept, checked).
        if (debug) {
          logger.debug(`line ${record.line}: ${result.status}`, {
            line: record.line,
            correlationId: result.correlationId,
            status: result.status,
            httpStatus: result.httpStatus,
            attempts: result.attempts,
            durationMs: result.durationMs === undefined ? undefined : Math.round(result.durationMs),
            kept: raw === undefined ? undefined : true,
            problem: result.status === 'invalid' ? result.errorDescription : undefined,
          });
        }
        output.finish(rowSeq, { line: record.line, cells, extras, result, raw });
      };

      const earlier = ctx.kept ? await ctx.kept.find(record.line, cells) : undefined;
      const validation = validateRecord(header, record.cells, options);
      // An earlier success is kept, unless an earlier row of the same key was sent again in this
      // run: then this one must be applied again too, or the last row in the file would not win.
      if (earlier && !('change' in validation && resent.has(kind.key(validation.change)))) {
        finish({ status: 'success', attempts: Number(earlier[6]) || 0 }, earlier);
        continue;
      }
      if ('problems' in validation) {
        finish(invalid(validation.problems));
        continue;
      }
      if (!client) {
        finish({ status: 'valid', attempts: 0 });
        continue;
      }
      const change = validation.change;
      if (ctx.kept) resent.add(kind.key(change));
      const correlationId = randomUUID();
      const done = (result: RowResult): void => {
        inFlight.delete(task);
        afterRow(result);
        if (result.durationMs !== undefined) ctx.latency.add(result.durationMs);
        finish(result);
      };
      const task: Promise<void> = scheduler
        .schedule(
          kind.key(change),
          () => client.send(kind, change, correlationId),
          () => NOT_ATTEMPTED,
        )
        .then(done, (error: unknown) =>
          done({
            status: 'failed',
            attempts: 0,
            correlationId,
            errorType: 'InternalError',
            errorDescription: `cloudcockpit-bulk failed on this row: ${error instanceof Error ? error.message : String(error)}`,
          }),
        );
      inFlight.add(task);
    }
    await ctx.kept?.finish();
    await Promise.all(inFlight);
    await output.flushed();
  } catch (error) {
    // The input could not be read to its end (it changed under us?): start nothing more, let the
    // rows in flight finish so their results are written, then report the error.
    scheduler.stop();
    client?.stop();
    await Promise.allSettled(inFlight);
    throw error;
  } finally {
    running = false;
    signal?.removeEventListener('abort', onAbort);
  }
  return { stop, kept: ctx.kept?.kept ?? 0 };
}
