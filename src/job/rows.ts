/**
 * The row loop: read each data row, validate it, send it on its key's chain (row-task.ts: its
 * write, and the reads of a plan, --skip-unchanged and --verify), or keep an earlier success, or
 * only check it in a dry run (row-decision.ts decides which), and hand every outcome
 * to the ordered output, never more than a window of rows ahead of the results file. Stops are
 * decided here (see Stops): nothing new starts, the remaining rows are written not_attempted. Only
 * bytes the preflight checked are parsed; rows it counted that can no longer be read are still
 * written, as not_attempted, at their row numbers. When the results file cannot be written, the
 * loop ends at once: the remaining rows could not be written at all.
 */
import type { ApiClient } from '../api/client.js';
import type { Logger } from '../report/logger.js';
import type { Options } from '../options.js';
import type { OrderedOutput } from '../results/ordered-output.js';
import type { PreflightResult } from '../input/preflight.js';
import { kindCells } from '../input/header.js';
import { watchInput } from '../input/file-identity.js';
import { dataRecordBatches, InputChangedError } from '../input/reader.js';
import type { ResultLine, RowResult } from '../result.js';
import type { LatencyHistogram } from '../report/latency.js';
import { interruptExitCode } from '../report/summary.js';
import type { KeptRows } from '../results/resume.js';
import type { Scheduler } from '../pacing/scheduler.js';
import { validateRecord } from '../input/validate.js';
import { isSend, RowDecisions, settledResult } from './row-decision.js';
import { FinalValues, type FinalCheck } from './final-check.js';
import { KeyChains } from './key-chains.js';
import { sendRow, type RowTaskContext } from './row-task.js';
import { afterLastRow, LateWrites } from './late-writes.js';
import type { OutageWatch } from './outage.js';

/** Why a run stopped before its end, and the exit code that follows. */
export interface Stop {
  /**
   * What stopped it: the credentials, too many failures, a signal, a results file it cannot write,
   * an input file that changed, every row failing for one cause (`hopeless`), or the API down
   * past the circuit's bound (`outage`).
   */
  readonly cause: 'auth' | 'max-failures' | 'signal' | 'output' | 'input' | 'hopeless' | 'outage';
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
  /** Earlier results of a resumed run, checked against the whole input before (verify-resume.ts). */
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
  /** Finds a run that cannot succeed (outage.ts); none in a dry run. */
  readonly outage?: Pick<OutageWatch, 'afterRow' | 'gaveUp'> | undefined;
  /**
   * Asked before each row is sent: a promise to wait for while the checks that need the API are
   * made (connect.ts), else undefined; one that rejects ends the loop with its error.
   */
  readonly beforeSending?: () => Promise<void> | undefined;
}

/** Unwritten rows allowed ahead of the oldest unfinished one: bounds memory, hides latency spread. */
export function windowSize(concurrency: number): number {
  return Math.max(256, concurrency * 32);
}

/**
 * Rows read ahead to wait for a free slot: enough that a freed slot never waits for the reader.
 * Queued up to the whole window, a row waited long enough to outlive two young-generation
 * collections, and V8 copied it to the old generation: 110 MB of 20,000 rows at instant answers,
 * against 43 MB with this.
 */
function readAhead(concurrency: number): number {
  return Math.max(8, concurrency);
}

/** The extra columns of every row when none are carried. */
const NO_EXTRAS: readonly string[] = [];

const UNREAD: RowResult = {
  status: 'not_attempted',
  attempts: 0,
  errorDescription:
    'Not sent: the input file changed before this row could be read again, so its cells are not known',
};

/**
 * When the run stops: a refused token, --max-failures, a signal, a results file that cannot be
 * written, an input file that changed, or a run that cannot succeed (outage.ts). The first cause
 * wins; stopping halts the scheduler and the client's retries at once.
 */
class Stops {
  /** Why the run stopped, once it has. */
  stop: Stop | undefined;
  private running = true;
  private finished = 0;
  private failed = 0;
  private readonly unwatch: () => void;

  constructor(private readonly ctx: RowsContext) {
    void ctx.outputFailed?.then((error) => this.stopWith('output', error.message, 3));
    void ctx.outage?.gaveUp.then((reason) => this.stopWith('outage', reason, 3));
    ctx.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (ctx.signal?.aborted) this.onAbort();
    this.unwatch = watchInput(ctx.file, ctx.checked.fingerprint.identity, (how) => this.inputChanged(how));
  }

  /** The input file is not the one the preflight read any more (`how`: in what way). */
  inputChanged(how: string): void {
    this.stopWith('input', `${this.ctx.displayName} changed while it was being read (${how})`, 3);
  }

  /** Count a finished row; a refused token or too many failures stop the run. */
  afterRow(result: RowResult): void {
    if (result.stopRun) this.stopWith('auth', result.stopRun, 3);
    if (result.status === 'not_attempted') return;
    const hopeless = this.ctx.outage?.afterRow(result);
    if (hopeless !== undefined) this.stopWith('hopeless', hopeless, 3);
    this.finished++;
    if (result.status !== 'failed') return;
    this.failed++;
    const { failed, finished } = this;
    const max = this.ctx.options.maxFailures;
    if (
      max &&
      ('count' in max ? failed >= max.count : finished >= 100 && (failed / finished) * 100 >= max.percent)
    ) {
      this.stopWith('max-failures', `--max-failures reached (${failed} failed of ${finished} finished)`, 3);
    }
  }

  /** The loop is over: nothing stops it any more. */
  dispose(): void {
    this.running = false;
    this.unwatch();
    this.ctx.signal?.removeEventListener('abort', this.onAbort);
  }

  private readonly onAbort = (): void => {
    const reason = String(this.ctx.signal?.reason ?? 'interrupted');
    this.stopWith('signal', `interrupted by ${reason}`, interruptExitCode(reason));
  };

  private stopWith(cause: Stop['cause'], reason: string, exitCode: number): void {
    if (this.stop || !this.running) return;
    this.stop = { cause, reason, exitCode };
    this.ctx.scheduler.stop();
    this.ctx.client?.stop();
    this.ctx.logger.error(
      cause === 'output'
        ? `stopping: ${reason}`
        : `stopping: ${reason}; rows not yet started are written as not_attempted`,
    );
  }
}

/** Hand a row's outcome to the ordered output, with one debug line per row whatever became of it. */
function finishRow(
  ctx: RowsContext,
  debug: boolean,
  seq: number,
  row: Omit<ResultLine, 'result' | 'raw'>,
  result: RowResult,
  raw?: readonly string[],
): void {
  if (debug) {
    ctx.logger.debug(`line ${row.line}: ${result.status}`, {
      line: row.line,
      correlationId: result.correlationId,
      status: result.status,
      httpStatus: result.httpStatus,
      attempts: result.attempts,
      durationMs: result.durationMs === undefined ? undefined : Math.round(result.durationMs),
      kept: raw === undefined ? undefined : true,
      problem: result.status === 'invalid' ? result.errorDescription : undefined,
    });
  }
  ctx.output.finish(seq, { line: row.line, cells: row.cells, extras: row.extras, result, raw });
}

/**
 * After the input changed under the reader: every row the preflight counted that could not be read
 * again, written as not_attempted at its row number, so the results keep one row per input row.
 */
async function writeUnread(ctx: RowsContext, from: number, window: number, debug: boolean): Promise<void> {
  const { rows, lines } = ctx.checked;
  const blank = { cells: ['', '', ''] as const, extras: ctx.keep.map(() => '') };
  for (let seq = from; seq < (rows ?? from); seq++) {
    while (seq - ctx.output.written >= window) await ctx.output.nextWrite();
    finishRow(ctx, debug, seq, { line: lines?.lineOf(seq) ?? 0, ...blank }, UNREAD);
  }
  await ctx.output.flushed();
}

/** What the row loop did: why it stopped, rows kept from the earlier run, `--verify`'s final read-back. */
export interface RowsOutcome {
  readonly stop: Stop | undefined;
  readonly kept: number;
  readonly finalCheck?: FinalCheck | undefined;
}

/** Process every data row; resolves when every row's result has been written. */
export async function processRows(ctx: RowsContext): Promise<RowsOutcome> {
  const { options, checked, client, scheduler, output } = ctx;
  const { header } = checked;
  const stops = new Stops(ctx);
  const chains = new KeyChains(scheduler, options.timeoutSeconds * 1000);
  const tasks: RowTaskContext | undefined = client && { kind: header.kind, client, chains, options };
  const finalValues = options.verify && !options.plan ? new FinalValues() : undefined;
  const late = new LateWrites();
  let finalCheck: FinalCheck | undefined;
  const decisions = new RowDecisions(ctx.kept !== undefined);
  // Asked once: winston's isDebugEnabled() walks its transports, which a dry run of a million
  // rows noticed (0.2 s) when it was asked per row.
  const debug = ctx.logger.isDebugEnabled();
  const window = windowSize(options.concurrency);
  const inFlight = new Set<Promise<void>>();
  let seq = 0;
  try {
    const batches = dataRecordBatches(ctx.file, ctx.displayName, checked.format, checked.fingerprint);
    reading: for await (const batch of batches)
      for (const record of batch) {
        // Rows could only be written as not_attempted, and nothing can be written any more.
        if (stops.stop?.cause === 'output') break reading;
        const rowSeq = seq++;
        while (rowSeq - output.written >= window) await output.nextWrite();
        const cells = kindCells(header, record.cells);
        const extras = ctx.keep.length === 0 ? NO_EXTRAS : ctx.keep.map((e) => record.cells[e.index] ?? '');
        const row = { line: record.line, cells, extras };
        const held = ctx.kept ? await ctx.kept.find(record.line, cells) : undefined;
        const validation = validateRecord(header, record.cells, options);
        const decision = decisions.next({
          held,
          validation:
            'change' in validation
              ? { change: validation.change, key: header.kind.key(validation.change) }
              : validation,
          sending: client !== undefined,
          stopping: stops.stop !== undefined,
        });
        if (!isSend(decision)) {
          const raw = decision.action === 'keep' ? decision.cells : undefined;
          finishRow(ctx, debug, rowSeq, row, settledResult(decision), raw);
          continue;
        }
        const checking = ctx.beforeSending?.();
        if (checking !== undefined) await checking;
        // `sending` was `client !== undefined`: a row is sent only when there is a client.
        const { change, key } = decision;
        while (scheduler.queued >= readAhead(scheduler.concurrency)) await scheduler.nextStart();
        finalValues?.row(key, record.line, change);
        const task: Promise<void> = sendRow(tasks!, change, key, record.line).then((result) => {
          inFlight.delete(task);
          finalValues?.finished(key, record.line, result);
          late.finished(key, record.line, change, result);
          stops.afterRow(result);
          if (result.durationMs !== undefined) ctx.latency.add(result.durationMs);
          finishRow(ctx, debug, rowSeq, row, result);
        });
        inFlight.add(task);
      }
    await Promise.all(inFlight);
    if (tasks && !stops.stop) finalCheck = await afterLastRow(tasks, late, finalValues);
    await output.flushed();
  } catch (error) {
    // The input could not be read to its end: start nothing more, let the rows in flight finish so
    // their results are written. Then report the error, unless the input changed: bytes the
    // preflight did not check are never parsed, and the rows it counted beyond them are written
    // from what it knew of them (a resume's earlier results beyond them stay where they are).
    const changed = error instanceof InputChangedError;
    if (changed) stops.inputChanged(error.detail);
    scheduler.stop();
    client?.stop();
    await Promise.allSettled(inFlight);
    if (!changed) throw error;
    await writeUnread(ctx, seq, window, debug);
  } finally {
    chains.dispose();
    stops.dispose();
  }
  return { stop: stops.stop, kept: ctx.kept?.kept ?? 0, finalCheck };
}
