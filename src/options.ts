/**
 * The options of one run, as every stage sees them: the resolved, checked `Options` and its small
 * types and defaults. Where they come from (flags, environment, config file) and how they are
 * checked is the command line's business: `cli/option-table.ts` and `cli/resolve-options.ts`.
 */
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
  /**
   * Read each valid row's current value and write a plan (`change`, `unchanged`), sending no
   * PATCH; credentials are needed. @default false
   */
  readonly plan: boolean;
  /** Read first; send the PATCH only when the value differs, else the row is `unchanged`. @default false */
  readonly skipUnchanged: boolean;
  /**
   * Read each written value back (a 204 whose value did not land is `failed` `NotApplied`), settle
   * an unknown outcome by a read, and read back the final value of every key with several rows. @default false
   */
  readonly verify: boolean;
  /** Continue into an existing `out`, skipping rows already `success` there. @default false */
  readonly resume: boolean;
  /** On resume, send again the rows refused for good (400, 403, 404) instead of keeping them. @default false */
  readonly retryFailed: boolean;
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
