/**
 * From raw flags to checked `Options`: the precedence (flag, then environment, then config file,
 * then default) and every range and combination check, in one place, before anything is sent.
 */
import path from 'node:path';
import { UsageError } from '../errors.js';
import {
  DEFAULT_BASE_URL,
  DEFAULT_SCOPE,
  DEFAULT_TOKEN_URL,
  type CommandName,
  type LogFormat,
  type LogLevel,
  type MaxFailures,
  type Options,
} from '../options.js';
import {
  OPTION_SPECS,
  type FlagName,
  type NumberRange,
  type OptionSpec,
  type RawFlags,
} from './option-table.js';

const DELIMITERS: Record<string, string> = {
  comma: ',',
  semicolon: ';',
  tab: '\t',
  pipe: '|',
  ',': ',',
  ';': ';',
  '|': '|',
};

/** Names Excel would open as a workbook: the results are CSV, so they may not be called that. */
const WORKBOOK = /\.(xlsx|xlsm|xlsb|xls|ods)$/i;

/** A value and where it came from, named as the person gave it: a flag, a variable, a config key. */
interface Picked {
  readonly value: string | number | boolean;
  readonly from: string;
}

/** p-queue's style: `` Expected `--concurrency` to be an integer from 1 to 256, got `0` (number) ``. */
function expected({ value, from }: Picked, what: string): UsageError {
  const shown = typeof value === 'string' ? `\`${value}\`` : `\`${String(value)}\` (${typeof value})`;
  return new UsageError(`Expected ${from} to be ${what}, got ${shown}`);
}

/** Where option values come from, in order of precedence. */
interface Sources {
  readonly flags: RawFlags;
  readonly env: NodeJS.ProcessEnv;
  /** Values from `--config FILE`, below the environment. */
  readonly config: RawFlags;
}

/** The value of `flag`: from the command line, else the environment, else the config file. */
function pick(src: Sources, flag: FlagName): Picked | undefined {
  const value = src.flags[flag];
  if (value !== undefined) return { value, from: `\`--${flag}\`` };
  const spec: OptionSpec = OPTION_SPECS[flag];
  const fromEnv = spec.env === undefined ? undefined : src.env[spec.env];
  if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, from: `\`${spec.env}\`` };
  const configured = src.config[flag];
  return configured === undefined ? undefined : { value: configured, from: `\`${flag}\` in the config file` };
}

/** A boolean flag, from the command line or else the config file. */
function flag(src: Sources, name: FlagName): boolean {
  return (src.flags[name] ?? src.config[name]) === true;
}

function text(src: Sources, flag: FlagName): string | undefined {
  const picked = pick(src, flag);
  if (picked === undefined) return undefined;
  if (typeof picked.value !== 'string' || picked.value.trim() === '')
    throw expected(picked, 'a non-empty text');
  return picked.value.trim();
}

/** The bounds of a number option, from the option table. */
function rangeOf(flag: FlagName): NumberRange {
  const { range } = OPTION_SPECS[flag] as OptionSpec;
  if (range === undefined) throw new Error(`--${flag} is not a number option`);
  return range;
}

/** A number option, from the command line or the config file (a number) or the environment (text). */
function numeric(src: Sources, flag: FlagName): number {
  const range = rangeOf(flag);
  const picked = pick(src, flag);
  if (picked === undefined) return range.default;
  const { value } = picked;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  if (!(range.integer ? Number.isInteger(n) : Number.isFinite(n)) || n < range.min || n > range.max) {
    // A command-line value that reads as a number is shown as one (`got `0` (number)`), as it was
    // when yargs converted it; the environment's text stays text.
    const shown = Number.isFinite(n) && src.flags[flag] !== undefined ? { ...picked, value: n } : picked;
    throw expected(shown, `${range.integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max}`);
  }
  return n;
}

/** The choices of an option as a message lists them; a lone character is quoted so it shows. */
function choiceList(choices: readonly string[]): string {
  return choices.map((c) => (c.length === 1 ? `\`${c}\`` : c)).join(', ');
}

/** An option that takes one of the words its table entry lists. */
function choice(src: Sources, flag: FlagName): string | undefined {
  const { choices = [] } = OPTION_SPECS[flag] as OptionSpec;
  const picked = pick(src, flag);
  if (picked === undefined) return undefined;
  if (typeof picked.value !== 'string' || !choices.includes(picked.value)) {
    throw expected(picked, `one of ${choiceList(choices)}`);
  }
  return picked.value;
}

function url(src: Sources, flag: FlagName, fallback: string): string {
  const value = text(src, flag) ?? fallback;
  const picked = pick(src, flag) ?? { value, from: `\`--${flag}\`` };
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw expected(picked, 'an absolute URL such as https://host');
  }
  const loopback =
    ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname) || parsed.hostname.startsWith('127.');
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw expected(picked, 'an https:// URL (plain http is allowed only for a loopback host)');
  }
  return value.replace(/\/+$/, '');
}

function maxFailures(picked: Picked | undefined): MaxFailures | undefined {
  if (picked === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(String(picked.value).trim());
  const n = m ? Number(m[1]) : NaN;
  if (!m || (m[2] === '%' ? n <= 0 || n > 100 : !Number.isInteger(n) || n < 1)) {
    throw expected(picked, 'a count from 1 (e.g. `50`) or a percentage above 0 and at most 100 (e.g. `10%`)');
  }
  return m[2] === '%' ? { percent: n } : { count: n };
}

/** A run that sends nothing: a dry run checks the rows, a plan also reads their current values. */
export type Preview = 'dry-run' | 'plan';

/**
 * The default results path: beside the input, `<name>.results.csv` (`<name>.dry-run.results.csv`
 * for a dry run, `<name>.plan.results.csv` for a plan), so neither takes a real run's name.
 */
export function defaultOutPath(file: string, preview?: Preview): string {
  const parsed = path.parse(file);
  return path.join(parsed.dir, `${parsed.name}${preview ? `.${preview}` : ''}.results.csv`);
}

/** Where a boolean flag that is on came from, as the person gave it: the flag, or the config key. */
function flagFrom(src: Sources, name: FlagName): string {
  return src.flags[name] !== undefined ? `\`--${name}\`` : `\`${name}\` in the config file`;
}

/**
 * Flags that cannot go together, the first clash in words naming where each came from: `--plan`
 * with `--skip-unchanged`, `--verify`, `--dry-run` or `--resume`; `--skip-unchanged` or `--verify`
 * with `--dry-run` (both read from the API, which a dry run never calls).
 */
function readingClash(src: Sources): string | undefined {
  const reader = (['plan', 'skip-unchanged', 'verify'] as const).find((f) => flag(src, f));
  if (reader === undefined) return undefined;
  if (flag(src, 'dry-run'))
    return `${flagFrom(src, reader)} reads from the API and ${flagFrom(src, 'dry-run')} sends nothing at all: choose one`;
  if (reader !== 'plan') return undefined;
  const clash = (['resume', 'skip-unchanged', 'verify'] as const).find((f) => flag(src, f));
  if (clash === undefined) return undefined;
  return `${flagFrom(src, 'plan')} sends no change, so ${flagFrom(src, clash)} has nothing to act on: run the plan first, then the real run with \`--${clash}\``;
}

/** `--resume` with `--overwrite` or `--dry-run`, or `--retry-failed` without it, in words naming where each came from. */
function resumeClash(src: Sources): string | undefined {
  const resume = flag(src, 'resume');
  if (resume && flag(src, 'overwrite'))
    return `${flagFrom(src, 'resume')} and ${flagFrom(src, 'overwrite')} contradict each other: choose one`;
  if (resume && flag(src, 'dry-run'))
    return `${flagFrom(src, 'resume')} continues a real run; it cannot be combined with ${flagFrom(src, 'dry-run')}`;
  if (flag(src, 'retry-failed') && !resume)
    return `${flagFrom(src, 'retry-failed')} sends again the rows an earlier run of the same \`--out\` had refused for good; add \`--resume\``;
  return undefined;
}

/** Apply the precedence (flag, environment, default) and check every value and combination. */
export function resolveOptions(
  command: CommandName,
  file: string,
  flags: RawFlags,
  env: NodeJS.ProcessEnv = process.env,
  config: RawFlags = {},
): Options {
  const src: Sources = { flags, env, config };
  const dryRun = flag(src, 'dry-run');
  const resume = flag(src, 'resume');
  const overwrite = flag(src, 'overwrite');
  const resumeProblem = resumeClash(src);
  if (resumeProblem !== undefined) throw new UsageError(resumeProblem);
  const clash = readingClash(src);
  if (clash !== undefined) throw new UsageError(clash);
  const plan = flag(src, 'plan');
  const out = text(src, 'out');
  if (out !== undefined && WORKBOOK.test(out)) {
    throw new UsageError(
      `${pick(src, 'out')?.from} ${out}: the results file is CSV (UTF-8 with a byte-order mark, which Excel opens); ` +
        'give it a name ending in .csv',
    );
  }
  if (file === '-' && out === undefined) {
    throw new UsageError(
      'Reading from standard input (`-`) needs `--out FILE` to know where to write the results',
    );
  }
  const delimiter = choice(src, 'delimiter');
  const options: Options = {
    command,
    file,
    tenant: text(src, 'tenant'),
    baseUrl: url(src, 'base-url', DEFAULT_BASE_URL),
    tokenUrl: url(src, 'token-url', DEFAULT_TOKEN_URL),
    scope: text(src, 'scope') ?? DEFAULT_SCOPE,
    clientId: text(src, 'client-id'),
    clientSecretFile: text(src, 'client-secret-file'),
    tokenFile: text(src, 'token-file'),
    out: out ?? defaultOutPath(file, dryRun ? 'dry-run' : plan ? 'plan' : undefined),
    overwrite,
    concurrency: numeric(src, 'concurrency'),
    rate: numeric(src, 'rate'),
    retries: numeric(src, 'retries'),
    timeoutSeconds: numeric(src, 'timeout'),
    maxRetryAfterSeconds: numeric(src, 'max-retry-after'),
    maxFailures: maxFailures(pick(src, 'max-failures')),
    dryRun,
    plan,
    skipUnchanged: flag(src, 'skip-unchanged'),
    verify: flag(src, 'verify'),
    resume,
    retryFailed: flag(src, 'retry-failed'),
    allowClear: flag(src, 'allow-clear'),
    acceptNumbers: flag(src, 'accept-numbers'),
    strict: flag(src, 'strict'),
    keepColumns: flag(src, 'keep-columns'),
    delimiter: delimiter === undefined ? undefined : DELIMITERS[delimiter],
    encoding: choice(src, 'encoding'),
    sheet: text(src, 'sheet'),
    logFile: text(src, 'log-file'),
    logLevel: (choice(src, 'log-level') ?? 'info') as LogLevel,
    logFormat: choice(src, 'log-format') as LogFormat | undefined,
    progress: (flags.progress ?? config.progress) !== false,
    progressIntervalSeconds: numeric(src, 'progress-interval'),
  };
  if (!dryRun && options.tenant === undefined) {
    throw new UsageError(
      'Missing `--tenant` (or CLOUDCOCKPIT_TENANT): the portal domain sent as X-Tenant, e.g. portal.cloudcockpit.com',
    );
  }
  return options;
}

/** The inbox's `--settle-seconds`: a number from 0 up, as yargs gave it (a number or text). @default 60 */
export function resolveSettleSeconds(value: unknown): number {
  if (value === undefined) return 60;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`Expected \`--settle-seconds\` to be a number from 0 up, got \`${String(value)}\``);
  }
  return n;
}
