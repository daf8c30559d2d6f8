/**
 * The command line's grammar: the four commands and their flags, built by yargs from the option
 * table, and the parse that turns argv into one command, its file or folder and its raw flags.
 * Here each flag is checked for its form (a value where one is needed, booleans, repeats: see
 * `flag-values.ts`); the values themselves are `resolveOptions`'s job, once the environment and
 * the config file are known too.
 */
import yargs, { type Argv } from 'yargs';
import type { CommandName } from '../options.js';
import {
  flagValues,
  scanBooleanFlags,
  singleValue,
  type BooleanFlags,
  type UsageProblem,
} from './flag-values.js';
import { OPTION_SPECS, type FlagName, type OptionSpec, type RawFlags } from './option-table.js';
import { NOT_FOR_SERVE, SERVE_OPTION_SPECS, type ServeFlagName } from './serve-options.js';

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

/** The page's server; its own flags as given (checked later, as the others are). */
export interface ServeCommand {
  readonly command: 'serve';
  readonly flags: RawFlags;
  readonly serve: Partial<Record<ServeFlagName, string | number>>;
}

/** What the command line asked for: a command, nothing more (help or version was shown), or a usage error. */
export type CommandLine =
  FileCommand | InboxCommand | ServeCommand | { readonly shown: true } | { readonly usageError: string };

/** The commands, each with what it does and the examples its own help shows. */
const COMMANDS = {
  'po-numbers': {
    describe: 'Set subscription PO numbers (columns: customerId, subscriptionId, poNumber)',
    examples: [
      [
        '$0 po-numbers orders.csv --tenant portal.contoso.com',
        'Set PO numbers; results in orders.results.csv',
      ],
      ['$0 po-numbers orders.csv --dry-run', 'Check the file first: nothing is sent'],
      ['$0 po-numbers orders.csv --plan', 'See what would change (orders.plan.results.csv): reads only'],
      ['$0 po-numbers orders.csv --skip-unchanged --verify', 'Write only what differs, and read it back'],
    ],
  },
  'internal-identifiers': {
    describe: 'Set customer internal identifiers (columns: customerId, resellerId, internalIdentifier)',
    examples: [
      ['$0 internal-identifiers ids.csv --rate 5 --out ids-night.csv', 'Five requests a second at most'],
    ],
  },
  run: {
    describe: 'Either kind, detected from the header',
    examples: [
      ['$0 run changes.csv --dry-run', 'Check a file of either kind without sending anything'],
      ['$0 run changes.xlsx --sheet Changes', 'Read one worksheet of a workbook'],
    ],
  },
  inbox: {
    describe: 'Process every .csv/.xlsx in a folder, then move each to processed/ or rejected/',
    examples: [
      [
        '$0 inbox /srv/cloudcockpit/inbox --env-file /etc/cloudcockpit.env',
        'The nightly sync: every file of a folder',
      ],
    ],
  },
  serve: {
    describe: 'A local web page to upload a file, check it, run it and download the results',
    examples: [['$0 serve --env-file ~/cloudcockpit.env', 'Start the page; open the link it prints']],
  },
} as const satisfies Record<string, { describe: string; examples: readonly (readonly [string, string])[] }>;

/** The names of the commands. */
type Command = keyof typeof COMMANDS;

/** Flags that make no sense for the inbox, which chooses its results files itself. */
const NOT_FOR_INBOX: FlagName[] = ['out', 'resume', 'overwrite', 'dry-run', 'plan'];

/** The inbox's own help for flags whose general help speaks of `--resume`: every inbox file's run resumes. */
const INBOX_DESCRIBE: Partial<Record<FlagName, string>> = {
  'retry-failed':
    "Send again the rows the API refused for good (400, 403, 404) in a file's earlier, unfinished run",
};

/** An option's line in the help: its text, a number's range and default, its variable. */
function helpText(spec: OptionSpec): string {
  const range = spec.range
    ? ` (${spec.range.min} to ${spec.range.max}) [default: ${spec.range.default}]`
    : '';
  return `${spec.describe}${range}${spec.env === undefined ? '' : ` ($${spec.env})`}`;
}

/** The inbox's own flag. */
const SETTLE_SPEC: OptionSpec = {
  type: 'number',
  group: 'Input and output:',
  describe:
    'Leave files modified more recently than this (seconds), or still growing over two looks this far apart (5 s at most), for the next run [default: 60]',
};

/**
 * Declare a flag to yargs. A number flag is declared as text: as a number yargs would make
 * `--rate abc` NaN and `--rate` alone the default, and untyped it counts a repeated flag whose
 * value is 1 (`--rate 2 --rate 1` became 3); as text it keeps `abc`, marks the missing value and
 * keeps both values, for `flag-values.ts` to refuse by name. Choices are checked by
 * `resolveOptions`, in one line.
 */
function addOption(y: Argv, name: string, spec: OptionSpec, help: boolean): void {
  y.option(name, {
    type: spec.type === 'number' ? 'string' : spec.type,
    describe: help ? helpText(spec) : undefined,
    group: spec.group,
    // Hidden from a help nobody asked for: yargs still formats one on every run (see below).
    hidden: !help,
  });
}

/** The flags of a command; `help`: the help is what was asked for, so each flag says what it does. */
function addOptions(y: Argv, what: 'file' | 'dir' | 'serve', help: boolean): Argv {
  for (const [name, spec] of Object.entries(OPTION_SPECS) as [FlagName, OptionSpec][]) {
    if (what === 'dir' && NOT_FOR_INBOX.includes(name)) continue;
    if (what === 'serve' && NOT_FOR_SERVE.includes(name)) continue;
    const describe = what === 'dir' ? INBOX_DESCRIBE[name] : undefined;
    addOption(y, name, describe === undefined ? spec : { ...spec, describe }, help);
  }
  if (what === 'serve') {
    for (const [name, spec] of Object.entries(SERVE_OPTION_SPECS)) addOption(y, name, spec, help);
    return y;
  }
  if (what === 'dir') {
    addOption(y, 'settle-seconds', SETTLE_SPEC, help);
    return y.positional('dir', { type: 'string', describe: 'The inbox folder', demandOption: true });
  }
  return y.positional('file', {
    type: 'string',
    describe: 'CSV file of changes, or - for standard input',
    demandOption: true,
  });
}

// yargs reads a lone `-` as an empty flag, so it is swapped for a marker before parsing and back after.
const STDIN_MARK = '\u0000stdin';

/** Each command with its file or folder, its options and, for its help, its own examples. */
function addCommands(y: Argv, help: boolean): Argv {
  for (const [name, command] of Object.entries(COMMANDS)) {
    const what = name === 'inbox' ? 'dir' : name === 'serve' ? 'serve' : 'file';
    const examples = help ? command.examples.map(([example, says]): [string, string] => [example, says]) : [];
    y.command(what === 'serve' ? name : `${name} <${what}>`, command.describe, (sub) =>
      addOptions(sub, what, help).example(examples),
    );
  }
  return y;
}

/** The yargs parser of the whole command line; `onFail` receives yargs's message for a usage error. */
function commandLineParser(args: string[], onFail: (message: string) => void): Argv {
  // yargs formats the whole help of the command on every run it parses (and keeps it, in case the
  // command asks for it), measuring the width of every cell: wrapping it cost ~25 ms of start-up,
  // the flags' descriptions and the examples ~20 more, and a line per flag, even bare, 35-66 ms of
  // a profiled one-row run. So they are given, the flags shown and the help wrapped, only when
  // the help is what was asked for.
  const help = args.includes('--help') || args.includes('-h');
  return addCommands(
    yargs(args.map((a) => (a === '-' ? STDIN_MARK : a)))
      .scriptName('cloudcockpit-bulk')
      .usage(
        '$0 <command> FILE [options]\n\nApply a CSV of changes to CloudCockpit, one PATCH per row, and write a results CSV.',
      ),
    help,
  )
    .demandCommand(1, 'Give a command: po-numbers, internal-identifiers, run, inbox or serve')
    .example(help ? Object.values(COMMANDS).map(({ examples: [[example, says]] }) => [example, says]) : [])
    .epilog(
      'Secrets come only from the environment or files: CLOUDCOCKPIT_CLIENT_SECRET, --client-secret-file, CLOUDCOCKPIT_TOKEN, --token-file.\n' +
        'Exit codes: 0 all rows succeeded, 1 some rows failed or invalid, 2 nothing sent (usage, configuration, input), ' +
        '3 stopped part-way, 130/143 interrupted (SIGINT/SIGTERM), 70 a bug in this program.',
    )
    .strict()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(help ? Math.min(110, process.stdout.columns || 100) : null)
    .exitProcess(false)
    .fail((message, error) => onFail(error ? error.message : message));
}

/** How many single-character edits turn `a` into `b` (Levenshtein). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The usage error for a first word that is no command, with the command it was likely meant to be. */
function unknownCommand(given: string | number | undefined): string | undefined {
  if (given === undefined || String(given) in COMMANDS) return undefined;
  const word = String(given) === STDIN_MARK ? '-' : String(given);
  const names = Object.keys(COMMANDS) as Command[];
  const [closest] = names
    .map((name) => ({
      name,
      distance: word.length > 1 && name.startsWith(word) ? 1 : editDistance(word, name),
    }))
    .sort((a, b) => a.distance - b.distance);
  return closest && closest.distance <= 2
    ? `Unknown command \`${word}\`: did you mean \`${closest.name}\`?`
    : `Unknown command \`${word}\`; the commands are ${names.join(', ')}`;
}

/** `serve` with its own flags, each given once with a value (or the usage error). */
function serveCommand(argv: Record<string, unknown>, flags: RawFlags): ServeCommand | UsageProblem {
  const serve: ServeCommand['serve'] = {};
  for (const [name, spec] of Object.entries(SERVE_OPTION_SPECS) as [ServeFlagName, OptionSpec][]) {
    const value = singleValue(name, argv[name], spec);
    if (typeof value === 'object') return value;
    if (value !== undefined) serve[name] = value;
  }
  return { command: 'serve', flags, serve };
}

/** Parse `args` (without node and the script). yargs itself prints the help or version if asked. */
export async function parseCommandLine(args: string[]): Promise<CommandLine> {
  const booleans: BooleanFlags | UsageProblem = scanBooleanFlags(args);
  if ('usageError' in booleans) return booleans;
  let usageError: string | undefined;
  const parser = commandLineParser(args, (message) => {
    usageError = message;
  });
  const argv = (await parser.parseAsync()) as Record<string, unknown> & { _: (string | number)[] };
  const command = argv._[0];
  if (usageError !== undefined) {
    return { usageError: unknownCommand(command) ?? usageError.replace(/\s*\n\s*/g, ' ') };
  }
  // With exitProcess(false), yargs shows the help (or version) and still returns the command.
  if (argv.help === true || argv.version === true) return { shown: true };
  const flags = flagValues(argv, booleans);
  if ('usageError' in flags) return flags;
  if (command === 'inbox') {
    const settleSeconds = singleValue('settle-seconds', argv['settle-seconds'], SETTLE_SPEC);
    if (typeof settleSeconds === 'object') return settleSeconds;
    return { command, dir: String(argv.dir), flags, settleSeconds };
  }
  if (command === 'serve') return serveCommand(argv, flags);
  if (command === 'po-numbers' || command === 'internal-identifiers' || command === 'run') {
    return { command, file: argv.file === STDIN_MARK ? '-' : String(argv.file), flags };
  }
  return { shown: true }; // --help or --version was shown
}
