/**
 * Reading an .xlsx workbook instead of a CSV: one sheet (the first, or one named), streamed row by
 * row with exceljs's WorkbookReader, each cell turned into the text Excel shows for it, yielded as
 * the same records as the CSV reader. `line` is the sheet's row number, so it matches what a person
 * sees in Excel; blank rows are skipped and the numbers stay true.
 *
 * The pieces live beside it: xlsx-container.ts refuses what is not a workbook, xlsx-stream.ts
 * streams a sheet, xlsx-workbook.ts chooses it, xlsx-cells.ts turns rows into records, and
 * xlsx-format.ts shows numbers as Excel does.
 */
import { stat } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { InputError } from '../errors.js';
import { openInput, type OpenedInput, type ReadGuard } from './fingerprint.js';
import { unreadable } from './read-errors.js';
import type { InputRecord } from './record.js';
import { RowCleaner } from './xlsx-cells.js';
import { checkContainer } from './xlsx-container.js';
import { streamWorkbook, WorkbookPartLast } from './xlsx-stream.js';
import { chooseSheet, damaged, missingSheet, noSheets, type SheetEntry } from './xlsx-workbook.js';

/** Workbooks up to this size are read whole when streaming cannot read them (about 100,000 rows). */
const WHOLE_READ_LIMIT_BYTES = 5 * 1024 * 1024;

/**
 * Every non-blank row of one sheet of an .xlsx workbook (header row included), as `{ line, cells }`:
 * `line` is the row number Excel shows, `cells` the text Excel shows in each cell (formatted numbers
 * and dates, a formula's cached result, rich text flattened). Rows are read as a stream, so memory
 * stays flat however long the sheet is (a workbook exceljs cannot stream, see `WorkbookPartLast`, is
 * read whole if it is small). Its bytes are guarded as the CSV reader's are (see fingerprint.ts).
 * Throws `InputError` for anything that is not a readable workbook, a missing sheet (naming those
 * that exist) and an encrypted workbook, `InputChangedError` when the bytes are not those checked.
 */
export async function* readWorkbookRecords(
  file: string,
  displayName: string,
  sheet: string | undefined,
  guard: ReadGuard = {},
): AsyncGenerator<InputRecord> {
  await checkContainer(file, displayName);
  let yielded = false;
  try {
    for await (const record of guardedStream(file, displayName, sheet, guard)) {
      yielded = true;
      yield record;
    }
  } catch (error) {
    if (yielded || !(error instanceof WorkbookPartLast)) throw error;
    yield* readWholeWorkbook(file, displayName, sheet, error.refusal, guard);
  }
}

async function open(file: string, displayName: string, guard: ReadGuard): Promise<OpenedInput> {
  try {
    return await openInput(file, displayName, guard.against);
  } catch (error) {
    throw unreadable(displayName, error);
  }
}

/**
 * The sheet streamed from guarded bytes. Rows read before the bytes changed are whole and were
 * checked; where they changed, exceljs meets the end of the zip and the change is what is thrown.
 */
async function* guardedStream(
  file: string,
  displayName: string,
  sheet: string | undefined,
  guard: ReadGuard,
): AsyncGenerator<InputRecord> {
  const input = await open(file, displayName, guard);
  try {
    yield* streamWorkbook(input.bytes, displayName, sheet);
  } catch (error) {
    throw input.failure() ?? error;
  } finally {
    input.bytes.destroy();
    guard.recorded?.(input.fingerprint());
  }
  const failure = input.failure();
  if (failure) throw failure;
}

/** The sheet read by exceljs's whole-file reader, for a small workbook streaming cannot read. */
async function* readWholeWorkbook(
  file: string,
  displayName: string,
  sheet: string | undefined,
  refusal: InputError,
  guard: ReadGuard,
): AsyncGenerator<InputRecord> {
  const size = await stat(file).then(
    (s) => s.size,
    () => Infinity,
  );
  if (size > WHOLE_READ_LIMIT_BYTES) {
    throw new InputError(
      displayName,
      `stores its workbook part after its sheets, which can only be read whole, and it is larger than ${WHOLE_READ_LIMIT_BYTES / 1024 / 1024} MB: open it in Excel and save it again (Excel stores it first), or save the sheet as CSV`,
    );
  }
  const workbook = new ExcelJS.Workbook();
  const bytes = await readGuarded(file, displayName, guard);
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    throw damaged(displayName, error, undefined);
  }
  const known: SheetEntry[] = workbook.worksheets.map((ws) => ({ name: ws.name, state: ws.state }));
  const chosen = chooseSheet(known, sheet);
  if (chosen === undefined) {
    if (sheet !== undefined) throw missingSheet(displayName, sheet, known);
    throw known.length === 0 ? refusal : noSheets(displayName);
  }
  const rows: ExcelJS.Row[] = [];
  workbook.getWorksheet(chosen.name)?.eachRow({ includeEmpty: false }, (row) => rows.push(row));
  const cleaner = new RowCleaner(displayName);
  for (const row of rows) {
    const record = cleaner.take(row);
    if (record) yield record;
  }
}

/** The whole of a small workbook's bytes, guarded as a stream's are. */
async function readGuarded(file: string, displayName: string, guard: ReadGuard): Promise<Buffer> {
  const input = await open(file, displayName, guard);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of input.bytes as AsyncIterable<Buffer>) chunks.push(chunk);
  } finally {
    guard.recorded?.(input.fingerprint());
  }
  const failure = input.failure();
  if (failure) throw failure;
  return Buffer.concat(chunks);
}
