/**
 * Rows of a results file for the page: a page of them (only those that need attention, or all),
 * the line numbers with a given status, and the input's own rows at those lines, ready to fix in
 * Excel and upload again. Everything is streamed: a results file is never held whole.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { readRecords, type InputFormat } from '../input/reader.js';
import { writeRowsWorkbook } from './rows-workbook.js';

/** One row of the page's table. */
export interface TableRow {
  readonly line: number;
  readonly status: string;
  /** The kind's three values, as the results file has them. */
  readonly values: readonly string[];
  /** The columns the problem is about (`poNumber`, `customerId`…), from `errorDetails`. */
  readonly columns: string;
  readonly reason: string;
  /** The value read from the API before (a plan's current value). */
  readonly previous: string;
}

/** A page of the table, and how many rows the filter matches in all. */
export interface TablePage {
  readonly columns: readonly string[];
  readonly total: number;
  readonly rows: readonly TableRow[];
}

/** The statuses of rows that need someone's attention. */
export const ATTENTION: readonly string[] = ['invalid', 'failed', 'not_attempted'];

/** Each row of a results file as an object keyed by column (the byte-order mark dropped). */
async function* resultRows(file: string): AsyncGenerator<Record<string, string>> {
  const parser = createReadStream(file).pipe(parse({ bom: true, columns: true, relax_column_count: true }));
  for await (const row of parser as AsyncIterable<Record<string, string>>) yield row;
}

/** The columns named in `errorDetails` (`poNumber: …; … | customerId: …`). */
function problemColumns(details: string): string {
  return details
    .split(' | ')
    .map((part) => part.split(':')[0]?.trim() ?? '')
    .filter((name) => name !== '' && name !== 'row')
    .join(', ');
}

/** Rows `offset` to `offset + limit` of `file` whose status is in `statuses` (all rows if undefined). */
export async function readTablePage(
  file: string,
  statuses: readonly string[] | undefined,
  offset: number,
  limit: number,
): Promise<TablePage> {
  let total = 0;
  let columns: string[] = [];
  const rows: TableRow[] = [];
  for await (const row of resultRows(file)) {
    if (columns.length === 0) columns = Object.keys(row).slice(1, 4);
    if (statuses !== undefined && !statuses.includes(row.status ?? '')) continue;
    total++;
    if (total <= offset || rows.length >= limit) continue;
    rows.push({
      line: Number(row.line),
      status: row.status ?? '',
      values: columns.map((c) => row[c] ?? ''),
      columns: problemColumns(row.errorDetails ?? ''),
      reason: (row.errorDescription ?? '').replace(/^Not sent: /, ''),
      previous: row.previousValue ?? '',
    });
  }
  return { columns, total, rows };
}

/** The lines of `file` whose status is in `statuses`. */
export async function linesWithStatus(file: string, statuses: readonly string[]): Promise<Set<number>> {
  const lines = new Set<number>();
  for await (const row of resultRows(file)) {
    if (statuses.includes(row.status ?? '')) lines.add(Number(row.line));
  }
  return lines;
}

/**
 * Write the header and the rows at `lines` of the input, in its own columns, to `target` as a
 * workbook of text cells (rows-workbook.ts): it is fixed in Excel and uploaded again, each value
 * as it was, none run as a formula.
 */
export async function writeInputRows(
  input: string,
  format: InputFormat,
  lines: ReadonlySet<number>,
  target: string,
): Promise<void> {
  async function* chosen() {
    let header = true;
    for await (const record of readRecords(input, 'the upload', format)) {
      if (!header && !lines.has(record.line)) continue;
      header = false;
      yield record.cells;
    }
  }
  await writeRowsWorkbook(chosen(), target);
}
