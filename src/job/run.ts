/**
 * One run, start to finish: preflight the input, take the lock, plan a resume, connect, open the
 * results file, then stream every row through validation, the scheduler and the API client
 * (rows.ts), writing results in input order as rows finish, and sum the run up. Importable as a
 * library; the CLI is a thin layer over `run`.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { checksBeforeSending, connectPaced, type Connection } from './connect.js';
import { kindByName } from '../kinds.js';
import { acquireLock, type Lock } from '../results/lock.js';
import { createLogger, closeLogger, type Logger } from '../report/logger.js';
import type { Options } from '../options.js';
import { OrderedOutput } from '../results/ordered-output.js';
import { answerBadBytes } from '../input/encoding-refusal.js';
import { preflight, type PreflightResult } from '../input/preflight.js';
import { EncodingError } from '../input/reader.js';
import { InputError } from '../errors.js';
import type { ResultLine } from '../result.js';
import { RowTally } from '../results/row-tally.js';
import { ResultsWriter, resultsHeader } from '../results/results-writer.js';
import { startProgress, TerminalStream } from '../report/progress.js';
import { completeResume, type ResumePlan } from '../results/resume.js';
import { processRows, type RowsContext, type RowsOutcome } from './rows.js';
import { spoolUnlessFile, type Spooled } from '../input/spool.js';
import { keptRows, planTheResume } from './resume-run.js';
import { recordFinalCheck } from './final-check.js';
import { summarise, type RunSummary } from '../report/summary.js';
import { plural } from '../report/plural.js';

/** The world a run talks to; every field defaults to the real process's. */
export interface RunIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: Readable;
  readonly stderr: Writable & { isTTY?: boolean };
  /** Aborting it stops the run cleanly: no new rows start, the rest are `not_attempted`. */
  readonly signal?: AbortSignal | undefined;
  /**
   * With --resume, a finished run's results that no longer match the input are kept beside them
   * and a new run starts; false refuses them instead (the inbox sets them aside itself). @default true
   */
  readonly keepFinished?: boolean | undefined;
  /** Told of every row as it is written to the results file (the page's live progress). */
  readonly onRow?: ((row: ResultLine) => void) | undefined;
}

/** How the input is named in messages. */
function displayNameOf(options: Options): string {
  return options.file === '-' ? 'standard input' : options.file;
}

/** Run a whole job. Setup failures throw a `RunError` (exit 2); everything after is in the summary. */
export async function run(options: Options, io: Partial<RunIo> = {}): Promise<RunSummary> {
  const env = io.env ?? process.env;
  const stderr = io.stderr ?? process.stderr;
  // On a terminal with a bar, log lines are printed above the bar rather than through it.
  const terminal = options.progress && stderr.isTTY === true ? new TerminalStream(stderr) : undefined;
  const logger = createLogger({
    level: options.logLevel,
    stderr: terminal ?? stderr,
    file: options.logFile,
    fileFormat: options.logFormat,
  });
  let spooled: Spooled | undefined;
  try {
    spooled = await spoolUnlessFile(options.file, io.stdin ?? process.stdin, displayNameOf(options));
    const file = spooled?.path ?? options.file;
    try {
      return await runJob(options, file, env, logger, { ...io, terminal });
    } catch (error) {
      // Only a dry run (one pass, no preflight) can meet bad bytes this late.
      if (!(error instanceof EncodingError) || !error.format) throw error;
      const forced = options.encoding !== undefined;
      logger.warn(await answerBadBytes(file, displayNameOf(options), error.format, forced));
      return await runJob({ ...options, encoding: 'windows-1252' }, file, env, logger, { ...io, terminal });
    }
  } finally {
    await spooled?.remove();
    await closeLogger(logger);
  }
}

/** The checked input, and the results file's columns that follow from it. */
interface CheckedInput {
  /** How the input is named in messages. */
  readonly displayName: string;
  readonly checked: PreflightResult;
  /** Extra columns carried into the results (`--keep-columns`). */
  readonly keep: RowsContext['keep'];
  readonly header: string[];
}

/** What every step of one run shares. */
interface Job {
  readonly options: Options;
  /** The file read: the input, or its spooled copy when it is standard input. */
  readonly file: string;
  readonly logger: Logger;
  readonly input: CheckedInput;
  readonly onRow: RunIo['onRow'];
}

/** The results file being written, and the rows handed to it so far by status. */
interface Results {
  readonly writer: ResultsWriter;
  readonly output: OrderedOutput;
  readonly tally: RowTally;
}

/** One pass of the run over `file`, step by step; the lock is released whatever happens. */
async function runJob(
  options: Options,
  file: string,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  { signal, terminal, keepFinished, onRow }: Partial<RunIo> & { terminal: TerminalStream | undefined },
): Promise<RunSummary> {
  const started = performance.now();
  const job: Job = { options, file, logger, onRow, input: await prepareInput(options, file, logger) };
  const lock = await acquireLock(options.out, (message) => logger.warn(message));
  let connection: Connection | undefined;
  try {
    const plan = await planTheResume(options, file, job.input, logger, {
      crashed: lock.tookOver,
      keepFinished: keepFinished ?? true,
    });
    connection = await connectPaced(options, env, logger);
    const results = await openResults(job, plan);
    const outcome = await processInput(job, plan, connection, results, { signal, terminal });
    return await finishRun(job, plan, connection, results, { ...outcome, started });
  } finally {
    connection?.connected?.close();
    await releaseQuietly(lock);
  }
}

/** Preflight the input (refused as a whole under --strict if a row is invalid) and say what it holds. */
async function prepareInput(options: Options, file: string, logger: Logger): Promise<CheckedInput> {
  const displayName = displayNameOf(options);
  const checked = await preflight(file, displayName, {
    kind: options.command === 'run' ? undefined : kindByName(options.command),
    encoding: options.encoding,
    delimiter: options.delimiter,
    sheet: options.sheet,
    allowClear: options.allowClear,
    acceptNumbers: options.acceptNumbers,
    headerOnly: options.dryRun && !options.strict,
  });
  if (options.strict && checked.invalid) {
    const first = checked.firstInvalid[0];
    throw new InputError(
      displayName,
      `--strict: ${checked.invalid} of ${plural(checked.rows ?? 0, 'row')} ${checked.rows === 1 ? 'is' : 'are'} invalid, so nothing was sent. ` +
        `First, line ${first?.line}: ${first?.problem}. ` +
        (options.dryRun
          ? 'Run the dry run without --strict to see every invalid row'
          : 'Run with --dry-run to see every invalid row'),
      { line: first?.line },
    );
  }
  checked.warnings.forEach((w) => logger.warn(w));
  const { kind } = checked.header;
  logger.info(
    checked.rows === undefined
      ? `${displayName}: ${kind.name} rows (dry run: every row is checked, nothing is sent)`
      : `${displayName}: ${plural(checked.rows, `${kind.name} row`)}, ${checked.invalid} invalid` +
          (options.plan ? ' (plan: each current value is read, nothing is changed)' : ''),
  );
  const keep = options.keepColumns ? checked.header.extras : [];
  const header = resultsHeader(
    kind,
    keep.map((e) => e.name),
  );
  return { displayName, checked, keep, header };
}

/** Open the results file (a resume's partial file), counting each row as it is written. */
async function openResults({ options, input, onRow }: Job, plan: ResumePlan | undefined): Promise<Results> {
  const writer = await ResultsWriter.create(plan?.partial ?? options.out, input.header, {
    overwrite: options.overwrite,
    resumable: !options.dryRun && !options.plan,
  });
  // Rows handed over after the file failed are counted too: what happened to them is known.
  const tally = new RowTally();
  const output = new OrderedOutput(writer, (row) => {
    tally.count(row);
    onRow?.(row);
  });
  return { writer, output, tally };
}

/** Stream every row into the results file under a progress bar; the file is closed whatever happens. */
async function processInput(
  { options, file, logger, input }: Job,
  plan: ResumePlan | undefined,
  connection: Connection,
  { writer, output, tally: { counts } }: Results,
  { signal, terminal }: { signal: AbortSignal | undefined; terminal: TerminalStream | undefined },
): Promise<RowsOutcome> {
  const kept = plan ? keptRows(plan, options, input) : undefined;
  const stopProgress = startProgress({
    total: input.checked.rows,
    read: () => ({ done: output.written, failed: counts.failed, invalid: counts.invalid }),
    terminal,
    log: (line) => logger.info(line),
    intervalMs: options.progressIntervalSeconds * 1000,
  });
  try {
    return await processRows({
      options,
      file,
      displayName: input.displayName,
      checked: input.checked,
      keep: input.keep,
      kept,
      client: connection.connected?.client,
      scheduler: connection.scheduler,
      output,
      logger,
      signal,
      latency: connection.latency,
      outputFailed: writer.failed,
      outage: connection.outage,
      // A fresh run with a valid row will send it: its checks need not wait for the first row.
      beforeSending: checksBeforeSending(connection, writer, {
        early: plan === undefined && (input.checked.rows ?? 0) > (input.checked.invalid ?? 0),
      }),
    });
  } catch (error) {
    // A dry run meets a malformed file only now: it leaves nothing behind, as a real run would.
    if (options.dryRun) await writer.close().then(() => rm(options.out, { force: true }));
    throw error;
  } finally {
    stopProgress();
    await kept?.close();
    await writer.close();
  }
}

/** Settle the results file (a complete resume replaces the earlier results) and sum the run up. */
async function finishRun(
  { options, logger, input }: Job,
  plan: ResumePlan | undefined,
  { throttle, retries, latency }: Connection,
  { writer, tally }: Results,
  outcome: RowsOutcome & { started: number },
): Promise<RunSummary> {
  let { stop } = outcome;
  // The last rows, written on closing, can fail too: every row was sent, but the file is short.
  if (writer.error && !stop) {
    logger.error(`stopping: ${writer.error.message}`);
    stop = { cause: 'output', reason: writer.error.message, exitCode: 3 };
  }
  if (outcome.finalCheck && !writer.error) {
    await recordFinalCheck(writer.path, outcome.finalCheck, tally.counts, tally.notApplied);
  }
  // A partial file that ends early is not complete: it stays beside the earlier results, and
  // the next --resume reads them all. So does one whose input changed: rows it could not read again
  // may have been applied by the earlier run.
  if (plan && !writer.error && stop?.cause !== 'input') await completeResume(plan, options.out);
  const unrecorded = writer.unrecorded();
  if (unrecorded.length > 0) {
    const rows = unrecorded.map((r) => `line ${r.line} (${r.status}, correlation id ${r.correlationId})`);
    logger.error(
      `${plural(unrecorded.length, 'row')} sent but not written to the results file, which could not be written; ` +
        `--resume sends them again: ${rows.join('; ')}`,
    );
  }
  tally.complete(input.checked.rows);
  const { counts, kept } = tally;
  const summary = summarise({
    kind: input.checked.header.kind.name,
    counts,
    rows: input.checked.rows ?? Object.values(counts).reduce((a, b) => a + b, 0),
    kept: kept.success,
    keptRefused: kept.failed,
    durationMs: performance.now() - outcome.started,
    retries: retries(),
    throttle: { signals: throttle.signals, cuts: throttle.cuts, lowestRate: throttle.lowestRate },
    latency: { p50: latency.quantile(0.5), p95: latency.quantile(0.95) },
    resultsPath: path.resolve(options.out),
    dryRun: options.dryRun,
    unrecorded,
    plan: options.plan,
    notApplied: tally.notApplied.count,
    notes: outcome.finalCheck?.note === undefined ? [] : [outcome.finalCheck.note],
    stop,
  });
  logger.info(summary.text);
  return summary;
}

async function releaseQuietly(lock: Lock): Promise<void> {
  await lock.release().catch(() => undefined);
}
