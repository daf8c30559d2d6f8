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
import { identityChange } from './file-identity.js';
import type { Fingerprint, ReadGuard } from './fingerprint.js';
import { unreadable } from './read-errors.js';
import type { InputRecord } from './record.js';
import { RowCleaner, type CellContext } from './xlsx-cells.js';
import { checkContainer } from './xlsx-container.js';
import { readStructure, type WorkbookSheet, type WorkbookStructure } from './xlsx-parts.js';
import { sheetRows } from './xlsx-sheet.js';
import { readSharedStrings } from './xlsx-strings.js';
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
    const { structure, context, formats } = await bookParts(zip, displayName);
    const { part, name } = sheetPart(structure.sheets, sheet, displayName, zip);
    for await (const row of sheetRows(await zip.open(part, false), displayName, name, context, formats)) {
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

/** What is read before a sheet: the structure, the shared strings and the number formats. */
interface BookParts {
  readonly structure: WorkbookStructure;
  readonly context: CellContext;
  readonly formats: CellFormats;
}

/**
 * The parts of the last workbook read, by the fingerprint of its bytes. A run reads its input
 * twice (the preflight, then the run, against the preflight's fingerprint): the second read of the
 * same bytes reuses them rather than parse and hold a second copy of the shared strings, so a
 * dry run reads them once. Bytes equal block for block give the same parts, so a read reads the
 * same whether it finds them here or not.
 */
let lastParts: { readonly fingerprint: Fingerprint; readonly parts: BookParts } | undefined;

function sameBytes(a: Fingerprint, b: Fingerprint): boolean {
  return (
    a.complete &&
    b.complete &&
    identityChange(a.identity, b.identity) === undefined &&
    a.blocks.length === b.blocks.length &&
    a.blocks.every((block, i) => block.equals(b.blocks[i] as Buffer))
  );
}

async function bookParts(zip: WorkbookZip, displayName: string): Promise<BookParts> {
  const { fingerprint } = zip;
  if (lastParts && sameBytes(lastParts.fingerprint, fingerprint)) return lastParts.parts;
  lastParts = undefined; // the previous workbook's strings are not held while this one's are read
  const structure = await readStructure(zip, displayName);
  const sharedStrings = structure.sharedStrings
    ? await readSharedStrings(await zip.open(structure.sharedStrings, true))
    : undefined;
  const formats = structure.styles
    ? await readStyles(await zip.open(structure.styles, true))
    : new CellFormats();
  const parts = { structure, context: { sharedStrings, date1904: structure.date1904 }, formats };
  lastParts = { fingerprint, parts };
  return parts;
}

/** The sheet to read (its name as the workbook spells it, and its part): the one named, else the first visible one. */
function sheetPart(
  sheets: readonly WorkbookSheet[],
  wanted: string | undefined,
  displayName: string,
  zip: WorkbookZip,
): { readonly part: string; readonly name: string } {
  const chosen = chooseSheet(sheets, wanted) as WorkbookSheet | undefined;
  if (chosen === undefined)
    throw wanted === undefined ? noSheets(displayName) : missingSheet(displayName, wanted, sheets);
  if (chosen.part === undefined || !zip.has(chosen.part)) {
    throw new InputError(
      displayName,
      `is not a readable .xlsx workbook: the part holding its sheet "${chosen.name}"${chosen.part ? ` (${chosen.part})` : ''} is missing; open it in Excel and save it again`,
    );
  }
  return { part: chosen.part, name: chosen.name };
}
