/**
 * `--resume`: continue a run into its results file. Rows already `success` there are copied as
 * they are (same correlation id, same attempts) and not sent again; every other row is processed
 * anew. A resumed run writes `<out>.partial-N` and renames it over `<out>` only when complete, so
 * a crash during a resume loses nothing: the next resume reads `<out>` and every partial file.
 *
 * Everything is streamed and merged by line number (both files are in input order), so memory
 * stays flat however long the file. A kept row must still match the input at its line; if the
 * input changed, the resume is refused before anything is sent.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse';
import { InputError } from '../errors.js';
import { CARRIED_PREFIX, RESULT_COLUMNS, neutralise } from './results-writer.js';

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

/** One row of an earlier results file. */
export interface PreviousRow {
  readonly line: number;
  readonly status: string;
  /** Every cell as written, to copy unchanged. */
  readonly cells: readonly string[];
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

/** Put the completed partial file in place of `out` and remove the files it supersedes. */
export async function completeResume(plan: ResumePlan, out: string): Promise<void> {
  await rename(plan.partial, out);
  await Promise.all(plan.sources.filter((s) => s !== out).map((s) => rm(s, { force: true })));
}

async function endsWithNewline(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size === 0) return true;
    const buffer = Buffer.alloc(1);
    await handle.read(buffer, 0, 1, size - 1);
    return buffer[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

/**
 * The rows of an earlier results file, in order. A last record cut short by a crash (no final line
 * break, an open quote, missing cells) is dropped: that row is simply processed again.
 */
export async function* previousRows(file: string, header: readonly string[]): AsyncGenerator<PreviousRow> {
  const complete = await endsWithNewline(file);
  const parser = createReadStream(file).pipe(parse({ bom: true, relax_column_count: true }));
  let first = true;
  let pending: string[] | undefined;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (first) {
        first = false;
        if (!sameColumns(cells, header)) {
          // A header cut short by a crash is no header: nothing was written after it.
          if (!complete && header.join(',').startsWith(cells.join(','))) return;
          throw new InputError(
            file,
            `is not a results file of this kind, or was written with other options (its columns are ${cells.join(', ')}); resume with the same command and options`,
          );
        }
        continue;
      }
      if (pending) yield toRow(pending);
      pending = cells;
      if (cells.length !== header.length) {
        pending = undefined;
        return; // a torn record: everything after it is unusable
      }
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    // An open quote at the end: the last record is torn; the one before it is whole.
    if (pending) yield toRow(pending);
    return;
  }
  if (pending && complete) yield toRow(pending);
}

/** The columns before the carried ones: `line`, the kind's three, and the results columns. */
const OWN_COLUMNS = 4 + RESULT_COLUMNS.length;

/**
 * Whether a results file's header `found` has the columns of `expected`. A file written before
 * carried columns that clash got their `input:` prefix (`status`, not `input:status`) has the same
 * columns in the same places, so it is resumed too.
 */
function sameColumns(found: readonly string[], expected: readonly string[]): boolean {
  return (
    found.length === expected.length &&
    found.every((cell, i) => {
      let name = expected[i] ?? '';
      while (i >= OWN_COLUMNS && name !== cell && name.startsWith(CARRIED_PREFIX))
        name = name.slice(CARRIED_PREFIX.length);
      return name === cell;
    })
  );
}

function toRow(cells: string[]): PreviousRow {
  return { line: Number(cells[0]), status: cells[4] ?? '', cells };
}

/** The earlier result of each input line, looked up in line order across all sources. */
export class KeptRows {
  private readonly cursors: {
    file: string;
    rows: AsyncGenerator<PreviousRow>;
    current: PreviousRow | undefined;
    started: boolean;
  }[];
  /** Rows found `success` and kept. */
  kept = 0;

  constructor(
    plan: ResumePlan,
    header: readonly string[],
    private readonly input: string,
  ) {
    this.cursors = plan.sources.map((file) => ({
      file,
      rows: previousRows(file, header),
      current: undefined,
      started: false,
    }));
  }

  /**
   * The cells to copy for the data row at `line` if an earlier run already applied it, else
   * undefined. `cells` are the row's three input cells; they must match what was applied.
   */
  async find(line: number, cells: readonly string[]): Promise<readonly string[] | undefined> {
    let found: PreviousRow | undefined;
    for (const cursor of this.cursors) {
      if (!cursor.started) {
        cursor.started = true;
        cursor.current = (await cursor.rows.next()).value ?? undefined;
      }
      while (cursor.current && cursor.current.line < line) {
        this.orphan(cursor.file, cursor.current);
        cursor.current = (await cursor.rows.next()).value ?? undefined;
      }
      if (cursor.current?.line === line) {
        if (cursor.current.status === 'success') found = cursor.current;
        const row = cursor.current;
        cursor.current = (await cursor.rows.next()).value ?? undefined;
        if (row.status === 'success') this.check(cursor.file, row, cells);
      }
    }
    if (found) this.kept++;
    return found?.cells;
  }

  /** After the last input row: an earlier success beyond the input's end means the input changed. */
  async finish(): Promise<void> {
    for (const cursor of this.cursors) {
      if (!cursor.started) continue;
      for (; cursor.current; cursor.current = (await cursor.rows.next()).value ?? undefined)
        this.orphan(cursor.file, cursor.current);
    }
  }

  private check(file: string, row: PreviousRow, cells: readonly string[]): void {
    const expected = cells.map(neutralise);
    if (expected.some((c, i) => row.cells[i + 1] !== c)) {
      throw new ResumeMismatchError(
        this.input,
        `no longer matches ${file} at this line: it was applied there as ${row.cells.slice(1, 4).join(' / ')}, ` +
          `the input now says ${expected.join(' / ')}. The input changed since that run: resume it with the input it had, or start a new run with another --out`,
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
