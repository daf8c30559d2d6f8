/**
 * The command line: yargs turns argv into options and calls `run`; the exit code is decided here,
 * in one place. Nothing else in the program reads argv or exits the process.
 */
import yargs, { type Argv } from 'yargs';
import { RunError } from './errors.js';
import { OPTION_SPECS, resolveOptions, type CommandName, type FlagName, type RawFlags } from './options.js';
import { redactor } from './redact.js';
import { run } from './run.js';

/** Exit codes of the contract that do not come from a run's summary. */
export const EXIT_USAGE = 2;

const EXAMPLES: [string, string][] = [
  ['$0 po-numbers orders.csv --tenant portal.contoso.com', 'Set PO numbers; results in orders.results.csv'],
  ['$0 run changes.csv --dry-run', 'Check a file of either kind without sending anything'],
  ['$0 internal-identifiers ids.csv --rate 5 --out ids-night.csv', 'Five requests a second at most'],
];

function addOptions(y: Argv): Argv {
  for (const [name, spec] of Object.entries(OPTION_SPECS)) {
    y.option(name, {
      type: spec.type,
      describe: 'env' in spec ? `${spec.describe} ($${spec.env})` : spec.describe,
      group: spec.group,
      ...('choices' in spec ? { choices: [...spec.choices] } : {}),
    });
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

/** Parse `args`, run, and resolve to the exit code. Messages go to stderr; stdout stays empty. */
export async function main(args: string[]): Promise<number> {
  let chosen: { command: CommandName; file: string; flags: RawFlags } | undefined;
  let usageError: string | undefined;
  const parser = yargs(args.map((a) => (a === '-' ? STDIN_MARK : a)))
    .scriptName('cloudcockpit-bulk')
    .usage(
      '$0 <command> FILE [options]\n\nApply a CSV of changes to CloudCockpit, one PATCH per row, and write a results CSV.',
    )
    .command(
      'po-numbers <file>',
      'Set subscription PO numbers (columns: customerId, subscriptionId, poNumber)',
      addOptions,
    )
    .command(
      'internal-identifiers <file>',
      'Set customer internal identifiers (columns: customerId, resellerId, internalIdentifier)',
      addOptions,
    )
    .command('run <file>', 'Either kind, detected from the header', addOptions)
    .demandCommand(1, 'Give a command: po-numbers, internal-identifiers or run')
    .example(EXAMPLES)
    .epilog(
      'Secrets come only from the environment or files: CLOUDCOCKPIT_TOKEN, --token-file, CLOUDCOCKPIT_CLIENT_SECRET, --client-secret-file.\nExit codes: 0 all rows succeeded, 1 some rows failed or invalid, 2 nothing sent (usage, configuration, input), 3 stopped part-way, 130/143 interrupted.',
    )
    .strict()
    .help()
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      usageError = error ? error.message : message;
    });
  const argv = (await parser.parseAsync()) as Record<string, unknown> & { _: (string | number)[] };
  if (usageError !== undefined) {
    process.stderr.write(`cloudcockpit-bulk: ${usageError}\nRun cloudcockpit-bulk --help for usage.\n`);
    return EXIT_USAGE;
  }
  const command = argv._[0];
  if (command === 'po-numbers' || command === 'internal-identifiers' || command === 'run') {
    chosen = { command, file: argv.file === STDIN_MARK ? '-' : String(argv.file), flags: flagsOf(argv) };
  }
  if (!chosen) return 0; // --help or --version was shown
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
  try {
    const options = resolveOptions(chosen.command, chosen.file, chosen.flags, process.env);
    const summary = await run(options, { signal: controller.signal });
    return summary.exitCode;
  } catch (error) {
    if (error instanceof RunError) {
      process.stderr.write(`cloudcockpit-bulk: ${redactor.redact(error.message)}\n`);
      return error.exitCode;
    }
    // A bug, not a user error: say so plainly, without a stack trace unless asked for.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`cloudcockpit-bulk: unexpected error: ${redactor.redact(message)}\n`);
    if (process.env.CLOUDCOCKPIT_DEBUG)
      process.stderr.write(`${redactor.redact(String((error as Error).stack))}\n`);
    return 70;
  }
}
