/**
 * Every option of the data commands, defined once: its flag, its environment variable, its help
 * text with the default it shows. The parser builds yargs from `OPTION_SPECS`, `--config` accepts
 * its keys, and `resolveOptions` reads each value through it.
 */
import { DEFAULT_BASE_URL, LOG_LEVELS } from '../options.js';

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
    | 'Configuration:'
    | 'The page (serve):';
  /** The values accepted, for an option that takes one of a few words. */
  readonly choices?: readonly string[];
  /** A number option's bounds, whether it must be whole, and its default. */
  readonly range?: NumberRange;
}

/** What a number option accepts: from `min` to `max`, whole numbers only if `integer`. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  readonly default: number;
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
  plan: {
    type: 'boolean',
    group: 'Input and output:',
    describe: "Read each row's current value and say what would change (change/unchanged); no PATCH is sent",
  },
  'skip-unchanged': {
    type: 'boolean',
    group: 'Input and output:',
    describe: 'Read first; send only the rows whose value differs (the others are unchanged)',
  },
  verify: {
    type: 'boolean',
    group: 'Input and output:',
    describe: 'Read each written value back: one that did not land is failed (NotApplied)',
  },
  resume: {
    type: 'boolean',
    group: 'Input and output:',
    describe: 'Continue into an existing --out file, skipping rows already successful',
  },
  'retry-failed': {
    type: 'boolean',
    group: 'Input and output:',
    describe: 'With --resume, send again the rows the API refused for good (400, 403, 404)',
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
    describe: 'Requests in flight at most',
    range: { min: 1, max: 256, integer: true, default: 4 },
  },
  rate: {
    type: 'number',
    env: 'CLOUDCOCKPIT_RATE',
    group: 'Pace and retries:',
    describe: 'Requests started per second at most, 0 = no limit',
    range: { min: 0, max: 10_000, integer: false, default: 10 },
  },
  retries: {
    type: 'number',
    group: 'Pace and retries:',
    describe: 'Attempts after the first for a retryable failure',
    range: { min: 0, max: 20, integer: true, default: 5 },
  },
  timeout: {
    type: 'number',
    group: 'Pace and retries:',
    describe: 'Seconds for one attempt',
    range: { min: 0.1, max: 3600, integer: false, default: 30 },
  },
  'max-retry-after': {
    type: 'number',
    group: 'Pace and retries:',
    describe: 'Longest Retry-After (seconds) to wait for; beyond, the row fails',
    range: { min: 0, max: 3600, integer: false, default: 120 },
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
    describe: 'Seconds between progress lines in the log when there is no terminal',
    range: { min: 0.1, max: 86_400, integer: false, default: 10 },
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

const CLIENT_SECRET_HOME = '`--client-secret-file FILE` or CLOUDCOCKPIT_CLIENT_SECRET';
const TOKEN_HOME = '`--token-file FILE` or CLOUDCOCKPIT_TOKEN';

/**
 * Names that would carry a secret, compared without case, `-` or `_`, each with where that secret
 * belongs instead. Neither a flag nor a config file takes one: flags show in `ps` and shell history.
 */
const SECRET_HOMES: Readonly<Record<string, string>> = {
  clientsecret: CLIENT_SECRET_HOME,
  secret: CLIENT_SECRET_HOME,
  password: CLIENT_SECRET_HOME,
  token: TOKEN_HOME,
  accesstoken: TOKEN_HOME,
  bearer: TOKEN_HOME,
  bearertoken: TOKEN_HOME,
};

/** Where the secret named by a flag or config key `name` belongs; undefined if it names no secret. */
export function secretHome(name: string): string | undefined {
  return SECRET_HOMES[name.toLowerCase().replace(/[-_]/g, '')];
}
