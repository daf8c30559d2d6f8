/**
 * Reading an .xlsx workbook instead of a CSV: one sheet (the first visible, or one named), each
 * cell turned into the text Excel shows for it, yielded as the same records as the CSV reader.
 * `line` is the sheet's row number, so it matches what a person sees in Excel; blank rows are
 * skipped and the numbers stay true.
 *
 * The zip is read by its central directory, so the order a writer stored its parts in never
 * matters: the relationships lead to the workbook part and the sheet, the shared strings and the
 * styles are read whole first, and only then is the sheet streamed. Nothing depends on timing.
 *
 * The pieces live beside it: xlsx-container.ts refuses what is not a workbook, xlsx-zip.ts and
 * xlsx-guard.ts read the zip, xlsx-parts.ts and xlsx-styles.ts its small parts, xlsx-workbook.ts
 * chooses the sheet, xlsx-sheet.ts streams it, xlsx-cells.ts turns cells into text, and
 * xlsx-format.ts shows numbers as Excel does.
 */
import { InputError } from '../errors.js';
import type { ReadGuard } from './fingerprint.js';
import { unreadable } from './read-errors.js';
import type { InputRecord } from './record.js';
import { RowCleaner, type CellContext } from './xlsx-cells.js';
import { checkContainer } from './xlsx-container.js';
import { readSharedStrings, readStructure, type WorkbookSheet } from './xlsx-parts.js';
import { sheetRows } from './xlsx-sheet.js';
import { CellFormats, readStyles } from './xlsx-styles.js';
import { chooseSheet, missingSheet, noSheets } from './xlsx-workbook.js';
import { WorkbookZip } from './xlsx-zip.js';

/**
 * Every non-blank row of one sheet of an .xlsx workbook (header row included), as `{ line, cells }`:
 * `line` is the row number Excel shows, `cells` the text Excel shows in each cell (formatted numbers
 * and dates, a formula's saved result, rich text flattened). The sheet is streamed, so memory stays
 * flat however long it is (the shared strings are held). Its bytes are guarded as the CSV reader's
 * are (see fingerprint.ts). Throws `InputError` for anything that is not a readable workbook, a
 * missing sheet (naming those that exist), an encrypted workbook and a cell that cannot be read,
 * `InputChangedError` when the bytes are not those checked.
 */
export async function* readWorkbookRecords(
  file: string,
  displayName: string,
  sheet: string | undefined,
  guard: ReadGuard = {},
): AsyncGenerator<InputRecord> {
  await checkContainer(file, displayName);
  let zip: WorkbookZip;
  try {
    zip = await WorkbookZip.open(file, displayName, guard);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw unreadable(displayName, error);
  }
  const cleaner = new RowCleaner(displayName);
  try {
    const structure = await readStructure(zip, displayName);
    const part = sheetPart(structure.sheets, sheet, displayName, zip);
    const context: CellContext = {
      sharedStrings: structure.sharedStrings
        ? await readSharedStrings(zip, structure.sharedStrings)
        : undefined,
      date1904: structure.date1904,
    };
    const formats = structure.styles
      ? await readStyles(await zip.open(structure.styles, true))
      : new CellFormats();
    for await (const row of sheetRows(await zip.open(part, false), displayName, context, formats)) {
      const record = cleaner.take(row);
      if (record) yield record;
    }
  } catch (error) {
    throw zip.failure(error, cleaner.lastRow);
  } finally {
    zip.close();
    guard.recorded?.(zip.fingerprint);
  }
}

/** The part of the sheet to read: the one named, else the first visible one. */
function sheetPart(
  sheets: readonly WorkbookSheet[],
  wanted: string | undefined,
  displayName: string,
  zip: WorkbookZip,
): string {
  const chosen = chooseSheet(sheets, wanted) as WorkbookSheet | undefined;
  if (chosen === undefined)
    throw wanted === undefined ? noSheets(displayName) : missingSheet(displayName, wanted, sheets);
  if (chosen.part === undefined || !zip.has(chosen.part)) {
    throw new InputError(
      displayName,
      `is not a readable .xlsx workbook: the part holding its sheet "${chosen.name}"${chosen.part ? ` (${chosen.part})` : ''} is missing; open it in Excel and save it again`,
    );
  }
  return chosen.part;
}
