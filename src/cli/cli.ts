/**
 * The command line: yargs turns argv into options and calls `run` (or `runInbox`); the exit code is
 * decided here, in one place. Nothing else in the program reads argv or exits the process.
 */
import { stat } from 'node:fs/promises';
import v8 from 'node:v8';
import yargs, { type Argv } from 'yargs';
import { readConfigFile } from './config-file.js';
import { readableByOthers } from '../api/credentials.js';
import { ConfigError, RunError, UsageError } from '../errors.js';
import { runInbox } from '../job/inbox.js';
import { checkLogFile, createLogger, closeLogger } from '../report/logger.js';
import type { CommandName } from '../options.js';
import { OPTION_SPECS, type FlagName, type RawFlags } from './option-table.js';
import { redactor } from '../report/redact.js';
import { resolveOptions } from './resolve-options.js';
import { run } from '../job/run.js';
import { summaryRecord } from '../report/summary.js';
import { checkSummaryJson, writeSummaryJson } from '../report/summary-json.js';

/** Exit code for bad usage, missing configuration or a malformed input: nothing was sent. */
export const EXIT_USAGE = 2;
/** Exit code for a bug in this program (a message, never a stack trace, unless CLOUDCOCKPIT_DEBUG). */
export const EXIT_INTERNAL = 70;

const EXAMPLES: [string, string][] = [
  ['$0 po-numbers orders.csv --tenant portal.contoso.com', 'Set PO numbers; results in orders.results.csv'],
  ['$0 run changes.csv --dry-run', 'Check a file of either kind without sending anything'],
  ['$0 internal-identifiers ids.csv --rate 5 --out ids-night.csv', 'Five requests a second at most'],
  [
    '$0 inbox /srv/cloudcockpit/inbox --env-file /etc/cloudcockpit.env',
    'The nightly sync: every file of a folder',
  ],
];

/** Flags that make no sense for the inbox, which chooses its results files itself. */
const NOT_FOR_INBOX: FlagName[] = ['out', 'resume', 'overwrite', 'dry-run'];

function addOptions(y: Argv, what: 'file' | 'dir'): Argv {
  for (const [name, spec] of Object.entries(OPTION_SPECS)) {
    if (what === 'dir' && NOT_FOR_INBOX.includes(name as FlagName)) continue;
    y.option(name, {
      type: spec.type,
      describe: 'env' in spec ? `${spec.describe} ($${spec.env})` : spec.describe,
      group: spec.group,
      ...('choices' in spec ? { choices: [...spec.choices] } : {}),
    });
  }
  if (what === 'dir') {
    y.option('settle-seconds', {
      type: 'number',
      group: 'Input and output:',
      describe: 'Leave files modified more recently than this for the next run [default: 60]',
    });
    return y.positional('dir', { type: 'string', describe: 'The inbox folder', demandOption: true });
  }
  return y.positional('file', {
    type: 'string',
    describe: 'CSV file of changes, or - for standard input',
    demandOption: true,
  });
}

function flagsOf(argv: Record<string, unknown>): RawFlags {
  const flags: RawFlags = {};
  for (const name of Object.keys(OPTION_SPECS) as FlagName[]) {
    const value = argv[name];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      flags[name] = value;
  }
  return flags;
}

// yargs reads a lone `-` as an empty flag, so it is swapped for a marker before parsing and back after.
const STDIN_MARK = '\u0000stdin';

/** Load `--env-file` with Node's own loader; the real environment keeps precedence. */
async function loadEnvFile(file: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new ConfigError(`Cannot read the environment file ${file}`);
  const warning = readableByOthers(info.mode, file);
  if (warning) process.stderr.write(`cloudcockpit-bulk: warning: ${warning}\n`);
  try {
    process.loadEnvFile(file);
  } catch (error) {
    throw new ConfigError(`Cannot load the environment file ${file}: ${(error as Error).message}`);
  }
}

function settleSeconds(argv: Record<string, unknown>): number {
  const value = argv['settle-seconds'];
  if (value === undefined) return 60;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`Expected \`--settle-seconds\` to be a number from 0 up, got \`${String(value)}\``);
  }
  return value;
}

/** The log file and summary file must be writable before anything is sent (exit 2 if not). */
async function checkOutputs(logFile: string | undefined, summaryJson: string | undefined): Promise<void> {
  if (logFile !== undefined) await checkLogFile(logFile);
  if (summaryJson !== undefined) await checkSummaryJson(summaryJson);
}

/**
 * Write the summary file after a run. If that fails now (it was writable at the start), the run's
 * own exit code stands: its results file is complete; the missing summary is said on stderr.
 */
async function writeSummaryOrSay(file: string, record: unknown): Promise<void> {
  await writeSummaryJson(file, record).catch((error: unknown) => {
    const why = (error as NodeJS.ErrnoException).code ?? String(error);
    process.stderr.write(`cloudcockpit-bulk: could not write the summary file ${file} (${why})\n`);
  });
}

/** A bug, not a user error: one redacted line on stderr, the stack only with CLOUDCOCKPIT_DEBUG. */
export function reportUnexpected(error: unknown): void {
  process.stderr.write(
    `cloudcockpit-bulk: unexpected error: ${redactor.redact(error instanceof Error ? error.message : String(error))}\n`,
  );
  if (process.env.CLOUDCOCKPIT_DEBUG)
    process.stderr.write(`${redactor.redact(String((error as Error)?.stack))}\n`);
}

/**
 * A run that sends lasts as long as the API makes it (hours for a big file at the API's pace), so
 * the process favours memory over CPU: V8's optimize-for-size mode keeps the heap close to its live
 * size. Measured on 200,000 rows at instant answers: peak RSS 169 MB without it, 114-121 MB with
 * it, for about 10% more CPU (the job stays about as fast as a bare got loop). A dry run is a short
 * CPU-bound pass and keeps V8's defaults. Set here, before the first pass over the input, because
 * the heap limits V8 settles on early stay; set at run time because V8 reads this flag as it goes.
 * Here and not in `run()`: flipping a V8 flag is the process owner's business, not a library's.
 */
function favourMemory(): void {
  v8.setFlagsFromString('--optimize-for-size');
}

/** Parse `args`, run, and resolve to the exit code. Messages go to stderr; stdout stays empty. */
export async function main(args: string[]): Promise<number> {
  let usageError: string | undefined;
  const parser = yargs(args.map((a) => (a === '-' ? STDIN_MARK : a)))
    .scriptName('cloudcockpit-bulk')
    .usage(
      '$0 <command> FILE [options]\n\nApply a CSV of changes to CloudCockpit, one PATCH per row, and write a results CSV.',
    )
    .command(
      'po-numbers <file>',
      'Set subscription PO numbers (columns: customerId, subscriptionId, poNumber)',
      (y) => addOptions(y, 'file'),
    )
    .command(
      'internal-identifiers <file>',
      'Set customer internal identifiers (columns: customerId, resellerId, internalIdentifier)',
      (y) => addOptions(y, 'file'),
    )
    .command('run <file>', 'Either kind, detected from the header', (y) => addOptions(y, 'file'))
    .command(
      'inbox <dir>',
      'Process every .csv/.xlsx in a folder, then move each to processed/ or rejected/',
      (y) => addOptions(y, 'dir'),
    )
    .demandCommand(1, 'Give a command: po-numbers, internal-identifiers, run or inbox')
    .example(EXAMPLES)
    .epilog(
      'Secrets come only from the environment or files: CLOUDCOCKPIT_CLIENT_SECRET, --client-secret-file, CLOUDCOCKPIT_TOKEN, --token-file.\n' +
        'Exit codes: 0 all rows succeeded, 1 some rows failed or invalid, 2 nothing sent (usage, configuration, input), ' +
        '3 stopped part-way, 130/143 interrupted.',
    )
    .strict()
    .help()
    .version()
    // yargs formats the whole help on every run (it caches it for the command), and wrapping is
    // the costly part, ~25 ms of start-up: wrap only when the help is what was asked for.
    .wrap(args.includes('--help') ? Math.min(110, process.stdout.columns || 100) : null)
    .exitProcess(false)
    .fail((message, error) => {
      usageError = error ? error.message : message;
    });
  const argv = (await parser.parseAsync()) as Record<string, unknown> & { _: (string | number)[] };
  if (usageError !== undefined) {
    process.stderr.write(`cloudcockpit-bulk: ${usageError}\nRun cloudcockpit-bulk --help for usage.\n`);
    return EXIT_USAGE;
  }
  // With exitProcess(false), yargs shows the help (or version) and still returns the command.
  if (argv.help === true || argv.version === true) return 0;
  const command = argv._[0];
  if (
    command !== 'po-numbers' &&
    command !== 'internal-identifiers' &&
    command !== 'run' &&
    command !== 'inbox'
  ) {
    return 0; // --help or --version was shown
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (name: 'SIGINT' | 'SIGTERM'): void => {
    interrupts++;
    // A second interrupt means "now": the results file already holds a valid prefix.
    if (interrupts > 1) process.exit(name === 'SIGTERM' ? 143 : 130);
    process.stderr.write(
      `\ncloudcockpit-bulk: ${name}: finishing the rows in flight (interrupt again to quit at once)\n`,
    );
    controller.abort(name);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const flags = flagsOf(argv);
  let summaryJson = typeof flags['summary-json'] === 'string' ? flags['summary-json'] : undefined;
  try {
    if (typeof flags['env-file'] === 'string') await loadEnvFile(flags['env-file']);
    const config = typeof flags.config === 'string' ? await readConfigFile(flags.config) : {};
    if (typeof config['summary-json'] === 'string') summaryJson ??= config['summary-json'];
    if (command === 'inbox') {
      const dir = String(argv.dir);
      const settle = settleSeconds(argv);
      // Check the shared options once, before any file, so a bad value fails the whole inbox at once.
      const shared = resolveOptions('run', 'inbox-check.csv', flags, process.env, config);
      await checkOutputs(shared.logFile, summaryJson);
      if (!shared.dryRun) favourMemory();
      // The inbox's own lines (files refused, the closing report) go to the log file too.
      const logger = createLogger({
        level: 'info',
        stderr: process.stderr,
        file: shared.logFile,
        fileFormat: shared.logFormat,
      });
      try {
        const summary = await runInbox(
          dir,
          {
            settleSeconds: settle,
            options: (file, out) =>
              resolveOptions(
                'run',
                file,
                { ...flags, out, resume: true, 'summary-json': undefined },
                process.env,
                config,
              ),
            report: (line) => logger.info(line),
          },
          { signal: controller.signal },
        );
        if (summaryJson) {
          await writeSummaryOrSay(summaryJson, {
            exitCode: summary.exitCode,
            finishedAt: new Date().toISOString(),
            files: summary.files.map((f) => ({
              ...f,
              summary: f.summary ? summaryRecord(f.summary, f.name) : undefined,
            })),
          });
        }
        return summary.exitCode;
      } finally {
        await closeLogger(logger);
      }
    }
    const file = argv.file === STDIN_MARK ? '-' : String(argv.file);
    const options = resolveOptions(command as CommandName, file, flags, process.env, config);
    await checkOutputs(options.logFile, summaryJson);
    if (!options.dryRun) favourMemory();
    const summary = await run(options, { signal: controller.signal });
    if (summaryJson) await writeSummaryOrSay(summaryJson, summaryRecord(summary, file));
    return summary.exitCode;
  } catch (error) {
    const exitCode = error instanceof RunError ? error.exitCode : EXIT_INTERNAL;
    const message = redactor.redact(error instanceof Error ? error.message : String(error));
    if (error instanceof RunError) {
      process.stderr.write(`cloudcockpit-bulk: ${message}\n`);
    } else {
      reportUnexpected(error);
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
}
