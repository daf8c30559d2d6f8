/**
 * Every option of the program, defined once: its flag, its environment variable, its default and
 * its check. The CLI builds yargs from `OPTION_SPECS`; `resolveOptions` applies the precedence
 * (flag, then environment, then default) and checks ranges and combinations in one place.
 */
import path from 'node:path';
import { UsageError } from './errors.js';
import type { KindName } from './kinds.js';

/** The documented production endpoints (shared/api.md). */
export const DEFAULT_BASE_URL = 'https://app-cloudcockpitapi-prod-01.azurewebsites.net';
/** Microsoft Entra ID token endpoint of the CloudCockpit tenant. */
export const DEFAULT_TOKEN_URL =
  'https://login.microsoftonline.com/4e806121-ff28-4286-ab4e-3be0a08f9ce0/oauth2/v2.0/token';
/** The scope to ask the token for. */
export const DEFAULT_SCOPE = 'api://b92a36a4-feb8-4f47-a69c-29a180aa6d0a/.default';

/** The command: one kind, or `run` to detect the kind from the header. */
export type CommandName = KindName | 'run';

/** Log output formats. */
export type LogFormat = 'text' | 'json';

/** Log levels, most severe first (winston's npm levels). */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `--max-failures`: an absolute count, or a percentage once 100 rows have finished. */
export type MaxFailures = { readonly count: number } | { readonly percent: number };

/** The resolved, checked options of one run. Secrets are never part of it (see `credentials.ts`). */
export interface Options {
  /** Which command was given. */
  readonly command: CommandName;
  /** Input file path, or `-` for standard input. */
  readonly file: string;
  /** Sent as `X-Tenant`; required unless `dryRun`. */
  readonly tenant: string | undefined;
  /** API base URL. @default DEFAULT_BASE_URL */
  readonly baseUrl: string;
  /** Entra token endpoint. @default DEFAULT_TOKEN_URL */
  readonly tokenUrl: string;
  /** Token scope. @default DEFAULT_SCOPE */
  readonly scope: string;
  /** Api Access client id, for client credentials. */
  readonly clientId: string | undefined;
  /** File holding the client secret (else `CLOUDCOCKPIT_CLIENT_SECRET`). */
  readonly clientSecretFile: string | undefined;
  /** File holding a ready bearer token (else `CLOUDCOCKPIT_TOKEN`). */
  readonly tokenFile: string | undefined;
  /** Results file. @default `<input folder>/<input name>.results.csv` */
  readonly out: string;
  /** Replace an existing results file instead of refusing. @default false */
  readonly overwrite: boolean;
  /** Requests in flight at most. @default 4 */
  readonly concurrency: number;
  /** Requests started per second at most; 0 = no limit. @default 10 */
  readonly rate: number;
  /** Attempts after the first for a retryable failure. @default 5 */
  readonly retries: number;
  /** Seconds for one attempt. @default 30 */
  readonly timeoutSeconds: number;
  /** Longest `Retry-After` (seconds) we agree to wait; beyond, the row fails. @default 120 */
  readonly maxRetryAfterSeconds: number;
  /** Stop after this many failed rows. @default undefined (never) */
  readonly maxFailures: MaxFailures | undefined;
  /** Validate only: nothing is sent, no credentials needed. @default false */
  readonly dryRun: boolean;
  /** Continue into an existing `out`, skipping rows already `success` there. @default false */
  readonly resume: boolean;
  /** An empty value clears it instead of being invalid. @default false */
  readonly allowClear: boolean;
  /** Refuse the whole file if any row is invalid. @default false */
  readonly strict: boolean;
  /** Send values that look like Excel's scientific notation as written. @default false */
  readonly acceptNumbers: boolean;
  /** Carry extra input columns into the results file. @default false */
  readonly keepColumns: boolean;
  /** Field delimiter; undefined = detected from the header line. */
  readonly delimiter: string | undefined;
  /** Worksheet of an .xlsx input; undefined = the first visible one. */
  readonly sheet: string | undefined;
  /** Input encoding; undefined = detected (BOM, else UTF-8, else Windows-1252). */
  readonly encoding: string | undefined;
  /** Log file (JSON lines unless `logFormat` says otherwise). */
  readonly logFile: string | undefined;
  /** @default 'info' */
  readonly logLevel: LogLevel;
  /** Format of the log file; stderr is always text. @default 'json' for files */
  readonly logFormat: LogFormat | undefined;
  /** Show a progress bar on a terminal. @default true */
  readonly progress: boolean;
  /** Seconds between progress log lines without a terminal. @default 10 */
  readonly progressIntervalSeconds: number;
}

/** How one option is presented on the command line and read from the environment. */
export interface OptionSpec {
  readonly type: 'string' | 'number' | 'boolean';
  readonly describe: string;
  readonly env?: string;
  readonly group:
    | 'Connection:'
    | 'Credentials:'
    | 'Input and output:'
    | 'Pace and retries:'
    | 'Logging:'
    | 'Configuration:';
  readonly choices?: readonly string[];
}

/** Every flag of the data commands, keyed by its name on the command line. */
export const OPTION_SPECS = {
  tenant: {
    type: 'string',
    env: 'CLOUDCOCKPIT_TENANT',
    group: 'Connection:',
    describe: 'Portal domain, sent as X-Tenant (required unless --dry-run)',
  },
  'base-url': {
    type: 'string',
    env: 'CLOUDCOCKPIT_BASE_URL',
    group: 'Connection:',
    describe: `API base URL [default: ${DEFAULT_BASE_URL}]`,
  },
  'token-url': {
    type: 'string',
    env: 'CLOUDCOCKPIT_TOKEN_URL',
    group: 'Connection:',
    describe: 'Entra ID token endpoint [default: the CloudCockpit tenant]',
  },
  scope: {
    type: 'string',
    env: 'CLOUDCOCKPIT_SCOPE',
    group: 'Connection:',
    describe: 'Token scope [default: the CloudCockpit API]',
  },
  'client-id': {
    type: 'string',
    env: 'CLOUDCOCKPIT_CLIENT_ID',
    group: 'Credentials:',
    describe: 'Api Access client id (client credentials)',
  },
  'client-secret-file': {
    type: 'string',
    group: 'Credentials:',
    describe: 'File holding the client secret (else $CLOUDCOCKPIT_CLIENT_SECRET)',
  },
  'token-file': {
    type: 'string',
    group: 'Credentials:',
    describe: 'File holding a ready bearer token (else $CLOUDCOCKPIT_TOKEN)',
  },
  out: {
    type: 'string',
    group: 'Input and output:',
    describe: 'Results file [default: <input>.results.csv beside the input]',
  },
  overwrite: {
    type: 'boolean',
    group: 'Input and output:',
    describe: 'Replace an existing results file instead of refusing',
  },
  'dry-run': {
    type: 'boolean',
    group: 'Input and output:',
    describe: 'Validate only: nothing is sent, no credentials needed',
  },
  resume: {
    type: 'boolean',
    group: 'Input and output:',
    describe: 'Continue into an existing --out file, skipping rows already successful',
  },
  'allow-clear': {
    type: 'boolean',
    group: 'Input and output:',
    describe: 'An empty PO number / internal identifier clears it (else the row is invalid)',
  },
  strict: {
    type: 'boolean',
    group: 'Input and output:',
    describe: 'Refuse the whole file (exit 2, nothing sent) if any row is invalid',
  },
  'accept-numbers': {
    type: 'boolean',
    group: 'Input and output:',
    describe: 'Send values like 4.5E+11 or 450001234567890000 as written (else invalid: Excel lost digits)',
  },
  'keep-columns': {
    type: 'boolean',
    group: 'Input and output:',
    describe: 'Carry extra input columns into the results file',
  },
  delimiter: {
    type: 'string',
    group: 'Input and output:',
    describe: 'Force the field delimiter: comma, semicolon, tab, pipe [default: detected]',
    choices: ['comma', 'semicolon', 'tab', 'pipe', ',', ';', '|'],
  },
  encoding: {
    type: 'string',
    group: 'Input and output:',
    describe: 'Force the input encoding [default: BOM, else UTF-8, else Windows-1252]',
    choices: ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'],
  },
  sheet: {
    type: 'string',
    group: 'Input and output:',
    describe: 'The worksheet to read from an .xlsx workbook [default: the first visible one]',
  },
  concurrency: {
    type: 'number',
    env: 'CLOUDCOCKPIT_CONCURRENCY',
    group: 'Pace and retries:',
    describe: 'Requests in flight at most [default: 4]',
  },
  rate: {
    type: 'number',
    env: 'CLOUDCOCKPIT_RATE',
    group: 'Pace and retries:',
    describe: 'Requests started per second at most, 0 = no limit [default: 10]',
  },
  retries: {
    type: 'number',
    group: 'Pace and retries:',
    describe: 'Attempts after the first for a retryable failure [default: 5]',
  },
  timeout: { type: 'number', group: 'Pace and retries:', describe: 'Seconds for one attempt [default: 30]' },
  'max-retry-after': {
    type: 'number',
    group: 'Pace and retries:',
    describe: 'Longest Retry-After (seconds) to wait for; beyond, the row fails [default: 120]',
  },
  'max-failures': {
    type: 'string',
    group: 'Pace and retries:',
    describe: 'Stop after N failed rows, or P% once 100 rows finished (e.g. 50, 10%)',
  },
  'log-file': { type: 'string', group: 'Logging:', describe: 'Also log to this file' },
  'log-level': {
    type: 'string',
    group: 'Logging:',
    describe: 'error, warn, info or debug [default: info]',
    choices: LOG_LEVELS,
  },
  'log-format': {
    type: 'string',
    group: 'Logging:',
    describe: 'Log file format: json or text [default: json]',
    choices: ['json', 'text'],
  },
  'progress-interval': {
    type: 'number',
    env: 'CLOUDCOCKPIT_PROGRESS_INTERVAL',
    group: 'Logging:',
    describe: 'Seconds between progress lines in the log when there is no terminal [default: 10]',
  },
  'summary-json': {
    type: 'string',
    group: 'Logging:',
    describe: 'Also write the summary as JSON to this file, for monitoring',
  },
  config: {
    type: 'string',
    group: 'Configuration:',
    describe: 'JSON file of settings, keys as the flags (no secrets); below flags and environment',
  },
  'env-file': {
    type: 'string',
    group: 'Configuration:',
    describe: "Load environment variables from this file (Node's .env format); the real environment wins",
  },
  progress: {
    type: 'boolean',
    group: 'Logging:',
    describe: 'Progress bar on a terminal (--no-progress to turn off) [default: true]',
  },
} as const satisfies Record<string, OptionSpec>;

/** A flag name. */
export type FlagName = keyof typeof OPTION_SPECS;

/** Raw values as yargs parsed them (undefined when not given). */
export type RawFlags = Partial<Record<FlagName, string | number | boolean | undefined>>;

const DELIMITERS: Record<string, string> = {
  comma: ',',
  semicolon: ';',
  tab: '\t',
  pipe: '|',
  ',': ',',
  ';': ';',
  '|': '|',
};

/** p-queue's style: `` Expected `--concurrency` to be an integer from 1 to 256, got `0` ``. */
function expected(flag: string, what: string, got: unknown): UsageError {
  const shown = typeof got === 'string' ? `\`${got}\`` : `\`${String(got)}\` (${typeof got})`;
  return new UsageError(`Expected \`--${flag}\` to be ${what}, got ${shown}`);
}

/** Where option values come from, in order of precedence. */
interface Sources {
  readonly flags: RawFlags;
  readonly env: NodeJS.ProcessEnv;
  /** Values from `--config FILE`, below the environment. */
  readonly config: RawFlags;
}

/** The value of `flag`: from the command line, else the environment, else the config file. */
function pick(src: Sources, flag: FlagName): string | number | boolean | undefined {
  const value = src.flags[flag];
  if (value !== undefined) return value;
  const spec: OptionSpec = OPTION_SPECS[flag];
  const fromEnv = spec.env === undefined ? undefined : src.env[spec.env];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return src.config[flag];
}

/** A boolean flag, from the command line or else the config file. */
function flag(src: Sources, name: FlagName): boolean {
  return (src.flags[name] ?? src.config[name]) === true;
}

function text(src: Sources, flag: FlagName): string | undefined {
  const value = pick(src, flag);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw expected(flag, 'a non-empty text', value);
  return value.trim();
}

/** A number option, from the command line (a number) or the environment (text). */
function numeric(
  src: Sources,
  flag: FlagName,
  min: number,
  max: number,
  fallback: number,
  whole: boolean,
): number {
  const value = pick(src, flag);
  if (value === undefined) return fallback;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  if (!(whole ? Number.isInteger(n) : Number.isFinite(n)) || n < min || n > max) {
    throw expected(flag, `${whole ? 'an integer' : 'a number'} from ${min} to ${max}`, value);
  }
  return n;
}

function integer(src: Sources, flag: FlagName, min: number, max: number, fallback: number): number {
  return numeric(src, flag, min, max, fallback, true);
}

function positive(src: Sources, flag: FlagName, min: number, max: number, fallback: number): number {
  return numeric(src, flag, min, max, fallback, false);
}

function url(src: Sources, flag: FlagName, fallback: string): string {
  const value = text(src, flag) ?? fallback;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw expected(flag, 'an absolute URL such as https://host', value);
  }
  const loopback =
    ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname) || parsed.hostname.startsWith('127.');
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw expected(flag, 'an https:// URL (plain http is allowed only for a loopback host)', value);
  }
  return value.replace(/\/+$/, '');
}

function maxFailures(raw: string | number | boolean | undefined): MaxFailures | undefined {
  if (raw === undefined) return undefined;
  const s = String(raw).trim();
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(s);
  const n = m ? Number(m[1]) : NaN;
  if (!m || (m[2] === '%' ? n <= 0 || n > 100 : !Number.isInteger(n) || n < 1)) {
    throw expected(
      'max-failures',
      'a count from 1 (e.g. `50`) or a percentage from 0 to 100 (e.g. `10%`)',
      raw,
    );
  }
  return m[2] === '%' ? { percent: n } : { count: n };
}

/** The default results path: beside the input, `<name>.results.csv` (`.dry-run.results.csv` for a dry run). */
export function defaultOutPath(file: string, dryRun: boolean): string {
  const parsed = path.parse(file);
  return path.join(parsed.dir, `${parsed.name}${dryRun ? '.dry-run' : ''}.results.csv`);
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
  if (resume && overwrite)
    throw new UsageError('`--resume` and `--overwrite` contradict each other: choose one');
  if (resume && dryRun)
    throw new UsageError('`--resume` continues a real run; it cannot be combined with `--dry-run`');
  const out = text(src, 'out');
  if (file === '-' && out === undefined) {
    throw new UsageError(
      'Reading from standard input (`-`) needs `--out FILE` to know where to write the results',
    );
  }
  const delimiterRaw = text(src, 'delimiter');
  const logLevel = (text(src, 'log-level') ?? 'info') as LogLevel;
  const logFormat = text(src, 'log-format') as LogFormat | undefined;
  if (!LOG_LEVELS.includes(logLevel))
    throw expected('log-level', `one of ${LOG_LEVELS.join(', ')}`, logLevel);
  if (logFormat !== undefined && logFormat !== 'json' && logFormat !== 'text') {
    throw expected('log-format', 'json or text', logFormat);
  }
  if (delimiterRaw !== undefined && DELIMITERS[delimiterRaw] === undefined) {
    throw expected('delimiter', 'comma, semicolon, tab or pipe', delimiterRaw);
  }
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
    out: out ?? defaultOutPath(file, dryRun),
    overwrite,
    concurrency: integer(src, 'concurrency', 1, 256, 4),
    rate: positive(src, 'rate', 0, 10_000, 10),
    retries: integer(src, 'retries', 0, 20, 5),
    timeoutSeconds: positive(src, 'timeout', 0.1, 3600, 30),
    maxRetryAfterSeconds: positive(src, 'max-retry-after', 0, 3600, 120),
    maxFailures: maxFailures(pick(src, 'max-failures')),
    dryRun,
    resume,
    allowClear: flag(src, 'allow-clear'),
    acceptNumbers: flag(src, 'accept-numbers'),
    strict: flag(src, 'strict'),
    keepColumns: flag(src, 'keep-columns'),
    delimiter: delimiterRaw === undefined ? undefined : DELIMITERS[delimiterRaw],
    encoding: text(src, 'encoding'),
    sheet: text(src, 'sheet'),
    logFile: text(src, 'log-file'),
    logLevel,
    logFormat,
    progress: (flags.progress ?? config.progress) !== false,
    progressIntervalSeconds: positive(src, 'progress-interval', 0.1, 86_400, 10),
  };
  if (file !== '-' && path.resolve(options.out) === path.resolve(file)) {
    throw new UsageError(`\`--out\` is the input file itself (${file}); choose another results file`);
  }
  if (!dryRun && options.tenant === undefined) {
    throw new UsageError(
      'Missing `--tenant` (or CLOUDCOCKPIT_TENANT): the portal domain sent as X-Tenant, e.g. portal.cloudcockpit.com',
    );
  }
  return options;
}
