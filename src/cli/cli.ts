/**
 * The command line: `main` parses argv (`parser.ts`), resolves the options (`resolve-options.ts`)
 * and calls `run` (or `runInbox`); the exit code is decided here, in one place. Nothing outside
 * this folder reads argv or exits the process.
 */
import { Writable } from 'node:stream';
import { readConfigFile } from './config-file.js';
import { loadEnvFile } from './env-file.js';
import { checkFormatFlags } from './input-flags.js';
import {
  checkPathClash,
  fileCommandPaths,
  findPathClash,
  givenPaths,
  inboxPaths,
  summaryPath,
  type NamedPath,
  type SettingFiles,
} from './path-clash.js';
import { RunError, UsageError } from '../errors.js';
import type { InboxSummary } from '../job/inbox.js';
import { checkLogFile, createLogger, closeLogger } from '../report/logger.js';
import type { Options } from '../options.js';
import type { RawFlags } from './option-table.js';
import { parseCommandLine, type FileCommand, type InboxCommand } from './parser.js';
import { redactor } from '../report/redact.js';
import { resolveOptions, resolveSettleSeconds } from './resolve-options.js';
import { run } from '../job/run.js';
import { summaryRecord } from '../report/summary.js';
import { abortOnInterrupt } from './interrupts.js';
import { checkSummaryJson, writeSummaryJson } from '../report/summary-json.js';

/** Exit code for bad usage, missing configuration or a malformed input: nothing was sent. */
export const EXIT_USAGE = 2;
/** Exit code for a bug in this program (a message, never a stack trace, unless CLOUDCOCKPIT_DEBUG). */
export const EXIT_INTERNAL = 70;

/** The world `main` talks to; each defaults to the real process's. */
export interface MainIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stderr: Writable & { isTTY?: boolean };
  /**
   * Given by a caller that owns the process (a test, a server): aborting it interrupts the run,
   * and `main` installs no signal handlers and leaves V8 alone. Without it, `main` owns the
   * process: SIGINT, SIGTERM and SIGHUP interrupt the run.
   */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Before anything is sent or written: no path written may be one read or written for another
 * purpose, and the log file and summary file must be writable (exit 2 if not).
 */
async function checkOutputs(
  paths: readonly NamedPath[],
  logFile: string | undefined,
  summaryJson: string | undefined,
): Promise<void> {
  await checkPathClash(paths);
  if (logFile !== undefined) await checkLogFile(logFile);
  if (summaryJson !== undefined) await checkSummaryJson(summaryJson);
}

/**
 * Write the summary file after a run. If that fails now (it was writable at the start), the run's
 * own exit code stands: its results file is complete; the missing summary is said on stderr.
 */
async function writeSummaryOrSay(file: string, record: unknown, stderr: Writable): Promise<void> {
  await writeSummaryJson(file, record).catch((error: unknown) => {
    const why = (error as NodeJS.ErrnoException).code ?? String(error);
    stderr.write(`cloudcockpit-bulk: could not write the summary file ${file} (${why})\n`);
  });
}

/** A bug, not a user error: one redacted line on stderr, the stack only with CLOUDCOCKPIT_DEBUG. */
export function reportUnexpected(error: unknown, stderr: Writable = process.stderr): void {
  stderr.write(
    `cloudcockpit-bulk: unexpected error: ${redactor.redact(error instanceof Error ? error.message : String(error))}\n`,
  );
  if (process.env.CLOUDCOCKPIT_DEBUG) stderr.write(`${redactor.redact(String((error as Error)?.stack))}\n`);
}

/** Load `--env-file` into the environment, then read `--config FILE` (no values without it). */
async function readSettingFiles(flags: RawFlags, io: MainIo): Promise<RawFlags> {
  const envFile = flags['env-file'];
  if (typeof envFile === 'string') {
    await loadEnvFile(envFile, io.env, (warning) =>
      io.stderr.write(`cloudcockpit-bulk: warning: ${warning}\n`),
    );
  }
  return typeof flags.config === 'string' ? await readConfigFile(flags.config) : {};
}

/** A flag's value if it is text. */
const textOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** What a command runs with once the environment file and the config file are read. */
interface Settings {
  readonly flags: RawFlags;
  /** The values of `--config FILE`, below the flags and the environment. */
  readonly config: RawFlags;
  /** `--summary-json`, from the flags or else the config file. */
  readonly summaryJson: string | undefined;
  /** The files the settings came from and the summary goes to, for the path check. */
  readonly files: SettingFiles;
  readonly io: MainIo;
}

/** One file through `run`; resolves to the run's exit code. */
async function runFileCommand(line: FileCommand, settings: Settings): Promise<number> {
  const { flags, config, summaryJson, io } = settings;
  const options = resolveOptions(line.command, line.file, flags, io.env, config);
  await checkFormatFlags(options);
  const outGiven = (textOf(flags.out) ?? textOf(config.out)) !== undefined;
  await checkOutputs(fileCommandPaths(options, settings.files, outGiven), options.logFile, summaryJson);
  const summary = await loggingFailure(options, () => run(options, io));
  if (summaryJson) await writeSummaryOrSay(summaryJson, summaryRecord(summary, line.file), io.stderr);
  return summary.exitCode;
}

/** The inbox's summary file: its exit code and each file's own summary. */
function inboxSummaryRecord(summary: InboxSummary): unknown {
  return {
    exitCode: summary.exitCode,
    finishedAt: new Date().toISOString(),
    files: summary.files.map((f) => ({
      ...f,
      summary: f.summary ? summaryRecord(f.summary, f.name) : undefined,
    })),
  };
}

/** Every file of the inbox folder through `runInbox`; resolves to the inbox's exit code. */
async function runInboxCommand(line: InboxCommand, settings: Settings): Promise<number> {
  const { flags, config, summaryJson, io } = settings;
  const settle = resolveSettleSeconds(line.settleSeconds);
  // Check the shared options once, before any file, so a bad value fails the whole inbox at once.
  // Each file's run resumes (see below), so `--retry-failed` is checked as it is used there.
  // Only a config file can bring a plan here (the inbox has no --plan flag); said first, as the
  // resume every file's run makes would otherwise be refused with it, naming a flag nobody typed.
  if (config.plan === true) {
    throw new UsageError(
      '`plan` in the config file: the inbox applies its files and moves them to processed/, so it makes no plan. Plan a file with `cloudcockpit-bulk run FILE --plan`',
    );
  }
  const shared = resolveOptions('run', 'inbox-check.csv', { ...flags, resume: true }, io.env, config);
  await checkOutputs(inboxPaths(line.dir, shared, settings.files), shared.logFile, summaryJson);
  return loggingFailure(shared, () => runInboxLogged(line.dir, settle, settings, shared));
}

/** The inbox under its own logger: its lines (files refused, the closing report) go to the log file too. */
async function runInboxLogged(
  dir: string,
  settle: number,
  { flags, config, summaryJson, io }: Settings,
  shared: Options,
): Promise<number> {
  const logger = createLogger({
    level: 'info',
    stderr: io.stderr,
    file: shared.logFile,
    fileFormat: shared.logFormat,
  });
  try {
    // Imported here: a run of one file need not load the inbox's six modules before its first row.
    const { runInbox } = await import('../job/inbox.js');
    const summary = await runInbox(
      dir,
      {
        settleSeconds: settle,
        options: (file, out) =>
          resolveOptions(
            'run',
            file,
            { ...flags, out, resume: true, 'summary-json': undefined },
            io.env,
            config,
          ),
        report: (text, level = 'info') => logger.log(level, text),
      },
      io,
    );
    if (summaryJson) await writeSummaryOrSay(summaryJson, inboxSummaryRecord(summary), io.stderr);
    return summary.exitCode;
  } finally {
    await closeLogger(logger);
  }
}

/**
 * Run `command`; if it fails, say why in the log file too, at error level: a cron job keeps only
 * its log file, and stderr already gets the message (`reportFailure`).
 */
async function loggingFailure<T>(
  { logFile, logFormat }: Pick<Options, 'logFile' | 'logFormat'>,
  command: () => Promise<T>,
): Promise<T> {
  try {
    return await command();
  } catch (error) {
    if (logFile !== undefined) {
      const fileOnly = new Writable({ write: (_chunk, _encoding, done) => done() });
      const logger = createLogger({ level: 'error', stderr: fileOnly, file: logFile, fileFormat: logFormat });
      const message = error instanceof Error ? error.message : String(error);
      logger.error(error instanceof RunError ? message : `unexpected error: ${message}`);
      await closeLogger(logger);
    }
    throw error;
  }
}

/**
 * A command that could not run to its end: a `RunError` says its own exit code and message; anything
 * else is a bug (exit 70). The summary file, if asked for, records the failure.
 */
async function reportFailure(
  error: unknown,
  summaryJson: string | undefined,
  stderr: Writable,
): Promise<number> {
  const exitCode = error instanceof RunError ? error.exitCode : EXIT_INTERNAL;
  const message = redactor.redact(error instanceof Error ? error.message : String(error));
  if (error instanceof RunError) {
    stderr.write(`cloudcockpit-bulk: ${message}\n`);
  } else {
    reportUnexpected(error, stderr);
  }
  if (summaryJson) {
    await writeSummaryJson(summaryJson, {
      exitCode,
      finishedAt: new Date().toISOString(),
      error: message,
    }).catch(() => undefined);
  }
  return exitCode;
}

/**
 * Parse `args`, run, and resolve to the exit code. Messages go to `io.stderr`; stdout stays empty
 * (but for the help and version, which yargs prints).
 */
export async function main(args: string[], given: Partial<MainIo> = {}): Promise<number> {
  const stderr = given.stderr ?? process.stderr;
  const line = await parseCommandLine(args);
  if ('usageError' in line) {
    // One line, so a cron mail or a monitoring check shows the whole of it.
    stderr.write(`cloudcockpit-bulk: ${line.usageError} (see cloudcockpit-bulk --help)\n`);
    return EXIT_USAGE;
  }
  if ('shown' in line) return 0;
  const interrupts = given.signal === undefined ? abortOnInterrupt(stderr) : undefined;
  const io: MainIo = { env: given.env ?? process.env, stderr, signal: given.signal ?? interrupts?.signal };
  const fromFlags = line.flags['summary-json'];
  let summaryJson = typeof fromFlags === 'string' ? fromFlags : undefined;
  let config: RawFlags = {};
  try {
    config = await readSettingFiles(line.flags, io);
    if (typeof config['summary-json'] === 'string') summaryJson ??= config['summary-json'];
    const files: SettingFiles = {
      summaryJson,
      config: textOf(line.flags.config),
      envFile: textOf(line.flags['env-file']),
    };
    const settings: Settings = { flags: line.flags, config, summaryJson, files, io };
    if (line.command === 'serve') {
      // Loaded only to serve: fastify and its plugins cost every other run start-up time and memory.
      const { runServeCommand } = await import('./serve-command.js');
      return await runServeCommand(line, config, io);
    }
    return line.command === 'inbox'
      ? await runInboxCommand(line, settings)
      : await runFileCommand(line, settings);
  } catch (error) {
    // A run refused before its paths were checked must not write its summary over another file.
    const paths = line.command === 'serve' ? [] : givenPaths(line, { ...config, ...line.flags });
    const safe = summaryJson !== undefined && !(await findPathClash(paths, summaryPath(summaryJson)));
    return await reportFailure(error, safe ? summaryJson : undefined, stderr);
  } finally {
    interrupts?.release();
  }
}
