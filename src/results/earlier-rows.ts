/**
 * Reading back a results file an earlier run wrote, for `--resume`: its rows in order, each with
 * its cells in the columns of the file this run writes. Columns are found by name in the file's
 * header, so a file of the version before `previousValue` was added (or after) is read too.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { InputError } from '../errors.js';
import { CARRIED_PREFIX, RESULT_COLUMNS } from './results-writer.js';

/** One row of an earlier results file. */
export interface PreviousRow {
  readonly line: number;
  readonly status: string;
  /** The last HTTP status, as written (empty when none). */
  readonly httpStatus: string;
  readonly correlationId: string;
  /** Every cell as written, in the columns of this run's results file, to copy unchanged. */
  readonly cells: readonly string[];
}

/**
 * Results columns a file may have or lack: one written by a version without them (or with them,
 * read by this one). Missing, they are copied as empty cells.
 */
const OPTIONAL_COLUMNS: ReadonlySet<string> = new Set(['previousValue']);

/** The columns before the carried ones: `line`, the kind's three, and the results columns. */
const OWN_COLUMNS = 4 + RESULT_COLUMNS.length;

/** Whether `file` ends with a line break (or is empty): its last row is whole. */
export async function endsWithNewline(file: string): Promise<boolean> {
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
 * Where each column of `expected` (this run's header) is in a results file whose header is
 * `found` (-1: an optional column the file lacks), or undefined when the file has other columns.
 * Own columns are matched by name, an optional one being skipped on either side; carried columns
 * (`--keep-columns`, after the own ones) by place, a file written before clashing names got their
 * `input:` prefix (`status`, not `input:status`) being read too.
 */
export function columnIndexes(found: readonly string[], expected: readonly string[]): number[] | undefined {
  let own = OWN_COLUMNS;
  while (OPTIONAL_COLUMNS.has(expected[own] ?? '')) own++;
  const indexes: number[] = [];
  let f = 0;
  for (const name of expected.slice(0, own)) {
    while (found[f] !== name && OPTIONAL_COLUMNS.has(found[f] ?? '')) f++;
    if (found[f] === name) indexes.push(f++);
    else if (OPTIONAL_COLUMNS.has(name)) indexes.push(-1);
    else return undefined;
  }
  // An optional column after the last own one this version has (a newer file's).
  while (OPTIONAL_COLUMNS.has(found[f] ?? '')) f++;
  const carriedFound = found.slice(f);
  const carriedExpected = expected.slice(own);
  if (carriedFound.length !== carriedExpected.length) return undefined;
  const same = carriedExpected.every((name, i) => {
    let unprefixed = name;
    while (unprefixed !== carriedFound[i] && unprefixed.startsWith(CARRIED_PREFIX))
      unprefixed = unprefixed.slice(CARRIED_PREFIX.length);
    return unprefixed === carriedFound[i];
  });
  return same ? [...indexes, ...carriedExpected.map((_, i) => f + i)] : undefined;
}

/** The row of `cells` (as the file has them) in this run's columns. */
function toRow(cells: readonly string[], indexes: readonly number[], at: ColumnsAt): PreviousRow {
  const mapped = indexes.map((i) => (i < 0 ? '' : (cells[i] ?? '')));
  return {
    line: Number(mapped[0]),
    status: mapped[at.status] ?? '',
    httpStatus: mapped[at.httpStatus] ?? '',
    correlationId: mapped[at.correlationId] ?? '',
    cells: mapped,
  };
}

/** Where the columns read by name are in this run's header. */
interface ColumnsAt {
  readonly status: number;
  readonly httpStatus: number;
  readonly correlationId: number;
}

/**
 * The rows of an earlier results file, in order, in the columns of `header` (this run's). A last
 * record cut short by a crash (no final line break, an open quote, missing cells) is dropped: that
 * row is simply processed again.
 */
export async function* previousRows(file: string, header: readonly string[]): AsyncGenerator<PreviousRow> {
  const complete = await endsWithNewline(file);
  const at = {
    status: header.indexOf('status'),
    httpStatus: header.indexOf('httpStatus'),
    correlationId: header.indexOf('correlationId'),
  };
  const parser = createReadStream(file).pipe(parse({ bom: true, relax_column_count: true }));
  let indexes: number[] | undefined;
  let width = 0;
  let pending: string[] | undefined;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (indexes === undefined) {
        indexes = columnIndexes(cells, header);
        width = cells.length;
        if (indexes) continue;
        // A header cut short by a crash is no header: nothing was written after it.
        if (!complete && header.join(',').startsWith(cells.join(','))) return;
        throw new InputError(
          file,
          `is not a results file of this kind, or was written with other options (its columns are ${cells.join(', ')}); resume with the same command and options`,
        );
      }
      if (pending) yield toRow(pending, indexes, at);
      pending = cells;
      if (cells.length !== width) {
        pending = undefined;
        return; // a torn record: everything after it is unusable
      }
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    // An open quote at the end: the last record is torn; the one before it is whole.
    if (pending && indexes) yield toRow(pending, indexes, at);
    return;
  }
  if (pending && indexes && complete) yield toRow(pending, indexes, at);
}
