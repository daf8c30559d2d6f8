/**
 * The command line's grammar: the four commands and their flags, built by yargs from the option
 * table, and the parse that turns argv into one command, its file or folder and its raw flags.
 * Values are not checked here beyond what yargs checks (unknown flags, choices): that is
 * `resolveOptions`'s job, once the environment and the config file are known too.
 */
import yargs, { type Argv } from 'yargs';
import type { CommandName } from '../options.js';
import { OPTION_SPECS, type FlagName, type OptionSpec, type RawFlags } from './option-table.js';

/** One of the commands that work on a file; `file` is `-` for standard input. */
export interface FileCommand {
  readonly command: CommandName;
  readonly file: string;
  readonly flags: RawFlags;
}

/** The inbox on a folder; `settleSeconds` is as given (undefined if not), checked later. */
export interface InboxCommand {
  readonly command: 'inbox';
  readonly dir: string;
  readonly flags: RawFlags;
  readonly settleSeconds: unknown;
}

/** What the command line asked for: a command, nothing more (help or version was shown), or a usage error. */
export type CommandLine =
  FileCommand | InboxCommand | { readonly shown: true } | { readonly usageError: string };

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

/** An option's line in the help: its text, a number's range and default, its variable. */
function helpText(spec: OptionSpec): string {
  const range = spec.range
    ? ` (${spec.range.min} to ${spec.range.max}) [default: ${spec.range.default}]`
    : '';
  return `${spec.describe}${range}${spec.env === undefined ? '' : ` ($${spec.env})`}`;
}

function addOptions(y: Argv, what: 'file' | 'dir'): Argv {
  for (const [name, spec] of Object.entries(OPTION_SPECS) as [FlagName, OptionSpec][]) {
    if (what === 'dir' && NOT_FOR_INBOX.includes(name)) continue;
    y.option(name, {
      type: spec.type,
      describe: helpText(spec),
      group: spec.group,
      ...(spec.choices ? { choices: [...spec.choices] } : {}),
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

/** The yargs parser of the whole command line; `onFail` receives yargs's message for a usage error. */
function commandLineParser(args: string[], onFail: (message: string) => void): Argv {
  return (
    yargs(args.map((a) => (a === '-' ? STDIN_MARK : a)))
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
      .fail((message, error) => onFail(error ? error.message : message))
  );
}

/** Parse `args` (without node and the script). yargs itself prints the help or version if asked. */
export async function parseCommandLine(args: string[]): Promise<CommandLine> {
  let usageError: string | undefined;
  const parser = commandLineParser(args, (message) => {
    usageError = message;
  });
  const argv = (await parser.parseAsync()) as Record<string, unknown> & { _: (string | number)[] };
  if (usageError !== undefined) return { usageError };
  // With exitProcess(false), yargs shows the help (or version) and still returns the command.
  if (argv.help === true || argv.version === true) return { shown: true };
  const command = argv._[0];
  const flags = flagsOf(argv);
  if (command === 'inbox') {
    return { command, dir: String(argv.dir), flags, settleSeconds: argv['settle-seconds'] };
  }
  if (command === 'po-numbers' || command === 'internal-identifiers' || command === 'run') {
    return { command, file: argv.file === STDIN_MARK ? '-' : String(argv.file), flags };
  }
  return { shown: true }; // --help or --version was shown
}
