/**
 * `--resume`: continue a run into its results file. Rows already `success` there, and rows the API
 * refused for good (400, 403, 404), are copied as they are (same correlation id, same attempts)
 * and not sent again; every other row is processed anew. A resumed run writes `<out>.partial-N`
 * and renames it over `<out>` only when complete, so a crash during a resume loses nothing: the
 * next resume reads `<out>` and every partial file, and for each line the newest file that holds
 * it decides (heldAt).
 *
 * Everything is streamed and merged by line number (all files are in input order), so memory
 * stays flat however long the file. A kept row must still match the input at its line; if the
 * input changed, the resume is refused before anything is sent.
 */
import { link, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { endsWithNewline, previousRows, type PreviousRow } from './earlier-rows.js';
import { neutralise } from './results-writer.js';

/**
 * The input no longer matches the earlier results being resumed: it changed since that run. An
 * `InputError` (exit 2, nothing sent); the inbox, which resumes by itself, sets those results aside.
 */
export class ResumeMismatchError extends InputError {
  constructor(file: string, message: string, line: number) {
    super(file, message, { line });
    this.name = 'ResumeMismatchError';
  }
}

/** Where a resume reads from and writes to. */
export interface ResumePlan {
  /** Earlier results, oldest first: `<out>`, then partial files of interrupted resumes. */
  readonly sources: readonly string[];
  /** The new file, renamed over `<out>` when complete. */
  readonly partial: string;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Find the earlier results of `out`; undefined when there are none (a fresh run). */
export async function planResume(out: string): Promise<ResumePlan | undefined> {
  const dir = path.dirname(out);
  const base = path.basename(out);
  const numbers = (await readdir(dir))
    .map((name) => (name.startsWith(`${base}.partial-`) ? Number(name.slice(base.length + 9)) : NaN))
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => a - b);
  const sources = [...((await exists(out)) ? [out] : []), ...numbers.map((n) => `${out}.partial-${n}`)];
  if (sources.length === 0) return undefined;
  return { sources, partial: `${out}.partial-${(numbers.at(-1) ?? 0) + 1}` };
}

/**
 * Whether the earlier results of `plan` are a finished run's: one file (no resume of it stopped
 * part-way), ending at a whole row, with no row left `not_attempted` (a stop writes them so).
 * A run killed at a row boundary looks finished too; the caller also asks whether its lock was
 * left behind.
 */
export async function finishedRun(plan: ResumePlan, header: readonly string[]): Promise<boolean> {
  const [only, ...partials] = plan.sources;
  if (only === undefined || partials.length > 0 || !(await endsWithNewline(only))) return false;
  for await (const row of previousRows(only, header)) if (row.status === 'not_attempted') return false;
  return true;
}

/**
 * Move the results `out` of a finished run aside, beside it, under a name with the time in it
 * (`orders.results.csv` → `orders.results.20261123-023012.csv`, `-2`… if taken): never over
 * another file. Returns where it went.
 */
export async function keepBeside(out: string): Promise<string> {
  const { dir, name, ext } = path.parse(out);
  const at = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  for (let n = 1; ; n++) {
    const target = path.join(dir, `${name}.${at}${n === 1 ? '' : `-${n}`}${ext}`);
    // A hard link fails if the name is taken, where a rename would replace that file. On a
    // filesystem without hard links, the name is looked at first (this run holds the lock).
    const how = await link(out, target).then(
      () => 'linked',
      (error: NodeJS.ErrnoException) => (error.code === 'EEXIST' ? 'taken' : 'no links'),
    );
    if (how === 'taken' || (how === 'no links' && (await exists(target)))) continue;
    await (how === 'linked' ? unlink(out) : rename(out, target));
    return target;
  }
}

/** Put the completed partial file in place of `out` and remove the files it supersedes. */
export async function completeResume(plan: ResumePlan, out: string): Promise<void> {
  await rename(plan.partial, out);
  await Promise.all(plan.sources.filter((s) => s !== out).map((s) => rm(s, { force: true })));
}

/** Answers that are final: sending the row again would be refused the same way. */
const REFUSED_FOR_GOOD: ReadonlySet<string> = new Set(['400', '403', '404']);

/** What the earlier results hold for one line, and the run keeps unless the key's order forbids it. */
export interface Held {
  /** The cells to copy, as written. */
  readonly cells: readonly string[];
  /** `success`: applied; `failed`: refused for good (400, 403, 404), not to be sent again. */
  readonly status: 'success' | 'failed';
  readonly attempts: number;
  /**
   * For a success, the source (0: `<out>`, N: `.partial-N`) whose run applied it: a kept row is
   * copied into each later partial file with its correlation id, so the oldest source with that
   * id is the run that sent it. Runs are in source order, and rows of a key in file order within
   * a run, which is what "the last row wins" needs.
   */
  readonly origin: number;
}

/**
 * What the earlier results say of one line, from `records` (each source's row at that line, oldest
 * first; undefined where a source does not hold it). The newest source that holds the line decides:
 * a resume records every line it reaches, so an older record of it is out of date. Undefined when
 * the row is to be processed anew: no record, or one that is neither a success nor a refusal for
 * good (and with `retryFailed`, refusals are sent again too).
 */
export function heldAt(
  records: readonly (PreviousRow | undefined)[],
  retryFailed: boolean,
): Held | undefined {
  let newest = records.length - 1;
  while (newest >= 0 && records[newest] === undefined) newest--;
  const decider = records[newest];
  if (decider === undefined) return undefined;
  const attempts = Number(decider.cells[RESULT_ATTEMPTS]) || 0;
  if (decider.status === 'success') {
    const origin = records.findIndex(
      (r) => r?.status === 'success' && r.correlationId === decider.correlationId,
    );
    return { cells: decider.cells, status: 'success', attempts, origin };
  }
  if (decider.status === 'failed' && !retryFailed && REFUSED_FOR_GOOD.has(decider.httpStatus))
    return { cells: decider.cells, status: 'failed', attempts, origin: newest };
  return undefined;
}

/** Where `attempts` is in a results row: after `line`, the kind's three columns, status and httpStatus. */
const RESULT_ATTEMPTS = 6;

/** How a resumed run treats the earlier results. */
export interface KeptRowsOptions {
  /** Rows refused for good (400, 403, 404) are sent again (`--retry-failed`). @default false */
  readonly retryFailed?: boolean;
}

/** The earlier result of each input line, looked up in line order across all sources. */
export class KeptRows {
  private readonly cursors: {
    file: string;
    rows: AsyncGenerator<PreviousRow>;
    current: PreviousRow | undefined;
    started: boolean;
  }[];
  /** Rows found applied (`success`) and kept, unless the key's order sends them again. */
  kept = 0;
  /** Rows found refused for good and kept as they are. */
  refused = 0;
  private readonly retryFailed: boolean;

  constructor(
    plan: ResumePlan,
    header: readonly string[],
    private readonly input: string,
    options: KeptRowsOptions = {},
  ) {
    this.retryFailed = options.retryFailed ?? false;
    this.cursors = plan.sources.map((file) => ({
      file,
      rows: previousRows(file, header),
      current: undefined,
      started: false,
    }));
  }

  /**
   * What the earlier results hold for the data row at `line` (see `heldAt`), else undefined.
   * `cells` are the row's three input cells; an applied row's must match what was applied, and a
   * refused row whose cells changed (it was corrected) is sent again.
   */
  async find(line: number, cells: readonly string[]): Promise<Held | undefined> {
    const records: (PreviousRow | undefined)[] = [];
    for (const cursor of this.cursors) {
      if (!cursor.started) {
        cursor.started = true;
        cursor.current = (await cursor.rows.next()).value ?? undefined;
      }
      while (cursor.current && cursor.current.line < line) {
        this.orphan(cursor.file, cursor.current);
        cursor.current = (await cursor.rows.next()).value ?? undefined;
      }
      const row = cursor.current?.line === line ? cursor.current : undefined;
      records.push(row);
      if (row === undefined) continue;
      cursor.current = (await cursor.rows.next()).value ?? undefined;
      if (row.status === 'success') this.check(cursor.file, row, cells);
    }
    const held = heldAt(records, this.retryFailed);
    if (held?.status === 'failed' && !sameCells(held.cells, cells)) return undefined;
    if (held?.status === 'success') this.kept++;
    if (held?.status === 'failed') this.refused++;
    return held;
  }

  /** After the last input row: an earlier success beyond the input's end means the input changed. */
  async finish(): Promise<void> {
    for (const cursor of this.cursors) {
      if (!cursor.started) continue;
      for (; cursor.current; cursor.current = (await cursor.rows.next()).value ?? undefined)
        this.orphan(cursor.file, cursor.current);
    }
  }

  /** Stop reading the earlier results (their files are closed), wherever the run got to. */
  async close(): Promise<void> {
    await Promise.all(this.cursors.map((cursor) => cursor.rows.return(undefined)));
  }

  private check(file: string, row: PreviousRow, cells: readonly string[]): void {
    if (!sameCells(row.cells, cells)) {
      throw new ResumeMismatchError(
        this.input,
        `no longer matches ${file} at this line: it was applied there as ${row.cells.slice(1, 4).join(' / ')}, ` +
          `the input now says ${cells.map(neutralise).join(' / ')}. The input changed since that run: resume it with the input it had, or start a new run with another --out`,
        row.line,
      );
    }
  }

  private orphan(file: string, row: PreviousRow): void {
    if (row.status !== 'success') return;
    throw new ResumeMismatchError(
      this.input,
      `has no data row here any more, but ${file} says this line was applied. The input changed since that run: ` +
        'resume it with the input it had, or start a new run with another --out',
      row.line,
    );
  }
}

/** Whether a results row's input cells (after `line`) are the input's `cells`, as the writer writes them. */
function sameCells(row: readonly string[], cells: readonly string[]): boolean {
  return cells.every((c, i) => row[i + 1] === neutralise(c));
}
