/**
 * The check step: what the preflight finds in an upload (rows, kind, encoding, delimiter, warnings,
 * invalid rows), and a dry run through the same `run()` the CLI uses, whose results file lists
 * every row with its reason: the page pages through it and offers the rows to fix from it. The
 * findings are answered as soon as the preflight has them; the dry run's table follows.
 */
import { Writable } from 'node:stream';
import { RunError } from '../errors.js';
import { preflight } from '../input/preflight.js';
import { run } from '../job/run.js';
import type { Options } from '../options.js';
import { redactor } from '../report/redact.js';
import { workbookSheets } from './sheets.js';
import type { JobRecord, JobStore } from './store.js';

/** What the page shows of a checked upload. */
export interface CheckReport {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly rows: number;
  readonly valid: number;
  readonly invalid: number;
  readonly container: 'csv' | 'xlsx';
  /** The text encoding and the delimiter (a CSV only). */
  readonly encoding: string | undefined;
  readonly delimiter: string | undefined;
  readonly sheet: string | undefined;
  /** The visible sheets of a workbook, to choose from when there are several. */
  readonly sheets: readonly string[];
  readonly warnings: readonly string[];
}

/** An upload the check refused as a whole (malformed, wrong header…): the message for the page. */
export class CheckRefused extends Error {
  /** Answered as 422 (Unprocessable Content): the file, not the request, is the problem. */
  readonly statusCode = 422;

  constructor(
    message: string,
    /** A workbook's visible sheets: another one may be the right one. */
    readonly sheets: readonly string[],
  ) {
    super(message);
  }
}

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

/** A log sink: the check's dry run says nothing the page does not show itself. */
const quiet = (): Writable => new Writable({ write: (_chunk, _encoding, done) => done() });

/** A message about job `job` fit for the page: its own file name, no folder of ours, no secret. */
export function pageMessage(error: unknown, job: JobRecord, store: JobStore): string {
  const text = error instanceof Error ? error.message : String(error);
  return redactor.redact(
    text
      .split(store.inputPath(job))
      .join(job.name)
      .split(store.folder(job.id) + '/')
      .join(''),
  );
}

/** The options of a page run of `job`: the server's own settings, our paths, the chosen sheet. */
export function jobOptions(base: Options, store: JobStore, job: JobRecord, more: Partial<Options>): Options {
  return {
    ...base,
    command: 'run',
    file: store.inputPath(job),
    out: store.resultsPath(job),
    sheet: job.sheet,
    delimiter: undefined,
    encoding: undefined,
    overwrite: false,
    resume: false,
    dryRun: false,
    plan: false,
    strict: false,
    progress: false,
    ...more,
  };
}

/** The dry runs of the checks, by job id: the table and the rows to fix wait for theirs. */
const tables = new Map<string, Promise<void>>();

/**
 * Wait until the check's table of rows (its dry run's results) is written. A dry run that failed
 * (the preflight read the file, so this is rare: the file changed since) is said as a refusal.
 */
export async function checkTable(store: JobStore, job: JobRecord): Promise<string> {
  try {
    await tables.get(job.id);
  } catch (error) {
    throw new CheckRefused(pageMessage(error, job, store), []);
  }
  return store.checkPath(job);
}

/** Check the upload of `job` (again, with `sheet`): preflight, then a dry run listing every row. */
export async function checkUpload(
  store: JobStore,
  job: JobRecord,
  base: Options,
  env: NodeJS.ProcessEnv,
): Promise<CheckReport> {
  const file = store.inputPath(job);
  // A check with another sheet writes the same table: the one before must have finished.
  await tables.get(job.id)?.catch(() => undefined);
  const sheets = job.container === 'xlsx' ? await workbookSheets(file) : [];
  try {
    const found = await preflight(file, job.name, {
      kind: undefined,
      encoding: undefined,
      delimiter: undefined,
      sheet: job.sheet,
      allowClear: base.allowClear,
      acceptNumbers: base.acceptNumbers,
    });
    // The table of rows comes from a dry run; the check answers without waiting for it.
    const dryRun = jobOptions(base, store, job, { dryRun: true, overwrite: true, out: store.checkPath(job) });
    const listed = run({ ...dryRun, logFile: undefined }, { env, stderr: quiet() }).then(() => undefined);
    tables.set(job.id, listed);
    listed.catch(() => tables.delete(job.id));
    job.kind = found.header.kind.name;
    job.rows = found.rows ?? 0;
    job.format = found.format;
    const invalid = found.invalid ?? 0;
    return {
      id: job.id,
      name: job.name,
      kind: found.header.kind.name,
      rows: job.rows,
      valid: job.rows - invalid,
      invalid,
      container: found.format.container,
      encoding: found.format.container === 'csv' ? found.format.encoding : undefined,
      delimiter: found.format.container === 'csv' ? DELIMITER_NAMES[found.format.delimiter] : undefined,
      sheet: job.sheet ?? (found.format.container === 'xlsx' ? sheets[0] : undefined),
      sheets,
      warnings: found.warnings.map((w) => pageMessage(w, job, store)),
    };
  } catch (error) {
    if (error instanceof RunError) throw new CheckRefused(pageMessage(error, job, store), sheets);
    throw error;
  }
}
