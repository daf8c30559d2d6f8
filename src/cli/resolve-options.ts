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
  LOG_LEVELS,
  type CommandName,
  type LogFormat,
  type LogLevel,
  type MaxFailures,
  type Options,
} from '../options.js';
import { OPTION_SPECS, type FlagName, type OptionSpec, type RawFlags } from './option-table.js';

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

/** The inbox's `--settle-seconds`: a number from 0 up. @default 60 */
export function resolveSettleSeconds(value: unknown): number {
  if (value === undefined) return 60;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`Expected \`--settle-seconds\` to be a number from 0 up, got \`${String(value)}\``);
  }
  return value;
}
