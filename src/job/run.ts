/**
 * One run, start to finish: preflight the input, take the lock, plan a resume, connect, then
 * stream every row through validation, the scheduler and the API client (rows.ts), writing results
 * in input order as rows finish. Importable as a library; the CLI is a thin layer over `run`.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { connect, type Connected } from './connect.js';
import { kindCells } from '../input/header.js';
import { kindByName } from '../kinds.js';
import { acquireLock, type Lock } from '../results/lock.js';
import { createLogger, closeLogger, type Logger } from '../report/logger.js';
import type { Options } from '../options.js';
import { OrderedOutput } from '../results/ordered-output.js';
import { fallBackFromUtf8, preflight, type PreflightResult } from '../input/preflight.js';
import { RateLimiter } from '../pacing/rate-limiter.js';
import { dataRecords, EncodingError } from '../input/reader.js';
import { InputError } from '../errors.js';
import type { RowStatus } from '../result.js';
import { ResultsWriter, resultsHeader } from '../results/results-writer.js';
import { LatencyHistogram } from '../report/latency.js';
import { startProgress, TerminalStream } from '../report/progress.js';
import { KeptRows, completeResume, planResume, type ResumePlan } from '../results/resume.js';
import { processRows, type Stop } from './rows.js';
import { Scheduler } from '../pacing/scheduler.js';
import { spool, type Spooled } from '../input/spool.js';
import { summarise, type RunSummary } from '../report/summary.js';
import { AdaptiveThrottle } from '../pacing/throttle.js';

/** The world a run talks to; every field defaults to the real process's. */
export interface RunIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: Readable;
  readonly stderr: Writable & { isTTY?: boolean };
  /** Aborting it stops the run cleanly: no new rows start, the rest are `not_attempted`. */
  readonly signal?: AbortSignal | undefined;
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
    spooled = options.file === '-' ? await spool(io.stdin ?? process.stdin) : undefined;
    const file = spooled?.path ?? options.file;
    try {
      return await runJob(options, file, env, logger, io.signal, terminal);
    } catch (error) {
      // Only a dry run (one pass, no preflight) can meet bad bytes this late.
      if (!(error instanceof EncodingError)) throw error;
      logger.warn(fallBackFromUtf8(displayNameOf(options), options.encoding === undefined, error.encoding));
      return await runJob({ ...options, encoding: 'windows-1252' }, file, env, logger, io.signal, terminal);
    }
  } finally {
    await spooled?.remove();
    await closeLogger(logger);
  }
}

/** Pass over the input with the earlier results, so a changed input is refused before anything is sent. */
async function verifyResume(
  plan: ResumePlan,
  file: string,
  displayName: string,
  checked: PreflightResult,
  header: string[],
): Promise<number> {
  const kept = new KeptRows(plan, header, displayName);
  for await (const record of dataRecords(file, displayName, checked.format)) {
    await kept.find(record.line, kindCells(checked.header, record.cells));
  }
  await kept.finish();
  return kept.kept;
}

async function runJob(
  options: Options,
  file: string,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  signal: AbortSignal | undefined,
  terminal: TerminalStream | undefined,
): Promise<RunSummary> {
  const started = performance.now();
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
      `--strict: ${checked.invalid} of ${checked.rows} rows are invalid, so nothing was sent. ` +
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
      : `${displayName}: ${checked.rows} ${kind.name} rows, ${checked.invalid} invalid`,
  );
  const keep = options.keepColumns ? checked.header.extras : [];
  const header = resultsHeader(
    kind,
    keep.map((e) => e.name),
  );

  const lock = await acquireLock(options.out);
  let connected: Connected | undefined;
  try {
    const plan = options.resume ? await planResume(options.out) : undefined;
    if (options.resume && !plan) logger.info(`${options.out} does not exist yet: starting a fresh run`);
    if (plan) {
      const kept = await verifyResume(plan, file, displayName, checked, header);
      logger.info(`resuming into ${options.out}: ${kept} rows already applied are kept and not sent again`);
    }

    const limiter = new RateLimiter(options.rate);
    const scheduler = new Scheduler(options.concurrency);
    const throttle = new AdaptiveThrottle(
      { scheduler, limiter },
      { concurrency: options.concurrency, rate: options.rate },
    );
    let retries = 0;
    connected = options.dryRun
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

    const writer = await ResultsWriter.create(plan?.partial ?? options.out, header, {
      overwrite: options.overwrite,
    });
    const counts: Record<RowStatus, number> = {
      success: 0,
      failed: 0,
      invalid: 0,
      not_attempted: 0,
      valid: 0,
    };
    // Rows handed over after the file failed are dropped, so they are not counted either.
    const output = new OrderedOutput(writer, (row) => {
      if (!writer.error) counts[row.result.status]++;
    });
    let stop: Stop | undefined;
    let kept = 0;
    const latency = new LatencyHistogram();
    const stopProgress = startProgress({
      total: checked.rows ?? 0,
      read: () => ({ done: output.written, failed: counts.failed, invalid: counts.invalid }),
      terminal,
      log: (line) => logger.info(line),
      intervalMs: options.progressIntervalSeconds * 1000,
    });
    try {
      const result = await processRows({
        options,
        file,
        displayName,
        checked,
        keep,
        kept: plan ? new KeptRows(plan, header, displayName) : undefined,
        client: connected?.client,
        scheduler,
        output,
        logger,
        signal,
        latency,
        outputFailed: writer.failed,
      });
      stop = result.stop;
      kept = result.kept;
    } catch (error) {
      // A dry run meets a malformed file only now: it leaves nothing behind, as a real run would.
      if (options.dryRun) await writer.close().then(() => rm(options.out, { force: true }));
      throw error;
    } finally {
      stopProgress();
      await writer.close();
    }
    // The last rows, written on closing, can fail too: every row was sent, but the file is short.
    if (writer.error && !stop) {
      logger.error(`stopping: ${writer.error.message}`);
      stop = { cause: 'output', reason: writer.error.message, exitCode: 3 };
    }
    // A partial file that ends early is not complete: it stays beside the earlier results, and
    // the next --resume reads them all.
    if (plan && !writer.error) await completeResume(plan, options.out);
    const summary = summarise({
      kind: kind.name,
      counts,
      rows: checked.rows ?? Object.values(counts).reduce((a, b) => a + b, 0),
      kept,
      durationMs: performance.now() - started,
      retries,
      throttle: { signals: throttle.signals, cuts: throttle.cuts, lowestRate: throttle.lowestRate },
      latency: { p50: latency.quantile(0.5), p95: latency.quantile(0.95) },
      resultsPath: path.resolve(options.out),
      dryRun: options.dryRun,
      stop,
    });
    logger.info(summary.text);
    return summary;
  } finally {
    connected?.close();
    await releaseQuietly(lock);
  }
}

async function releaseQuietly(lock: Lock): Promise<void> {
  await lock.release().catch(() => undefined);
}
