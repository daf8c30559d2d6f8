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
 * read whole if it is small). Throws `InputError` for anything that is not a readable
 * workbook, a missing sheet (naming those that exist) and an encrypted workbook.
 */
export async function* readWorkbookRecords(
  file: string,
  displayName: string,
  sheet: string | undefined,
): AsyncGenerator<InputRecord> {
  await checkContainer(file, displayName);
  let yielded = false;
  try {
    for await (const record of streamWorkbook(file, displayName, sheet)) {
      yielded = true;
      yield record;
    }
  } catch (error) {
    if (yielded || !(error instanceof WorkbookPartLast)) throw error;
    yield* readWholeWorkbook(file, displayName, sheet, error.refusal);
  }
}

/** The sheet read by exceljs's whole-file reader, for a small workbook streaming cannot read. */
async function* readWholeWorkbook(
  file: string,
  displayName: string,
  sheet: string | undefined,
  refusal: InputError,
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
  try {
    await workbook.xlsx.readFile(file);
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
