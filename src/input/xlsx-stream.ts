/**
 * Streaming one sheet of a workbook with exceljs's WorkbookReader: sheets arrive one after another,
 * the one wanted is read row by row and the others are closed unread, so memory stays flat however
 * long the sheet is. However reading ends, exceljs is let run to the end of the zip so it removes
 * the temporary copies it makes of sheets.
 */
import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { InputError } from '../errors.js';
import type { InputRecord } from './record.js';
import { RowCleaner } from './xlsx-cells.js';
import { mendSheetXml } from './xlsx-sheet-xml.js';
import {
  chooseSheet,
  damaged,
  missingSheet,
  noSheets,
  type BookReader,
  type SheetEntry,
  type SheetReader,
} from './xlsx-workbook.js';

/**
 * exceljs's streaming reader fails on a workbook whose workbook part is stored last in the zip and
 * whose sheets it had to spool (it reads them without knowing the sheets' names; seen with a
 * six-sheet workbook written by exceljs itself). Excel stores that part first.
 */
export class WorkbookPartLast extends Error {
  constructor(readonly refusal: InputError) {
    super(refusal.message);
  }
}

/**
 * The records of one sheet (the first visible, or the one named), read as a stream from the bytes
 * of a workbook. Throws `WorkbookPartLast` when exceljs cannot stream the file, `InputError` for
 * anything else.
 */
export async function* streamWorkbook(
  source: Readable,
  displayName: string,
  sheet: string | undefined,
): AsyncGenerator<InputRecord> {
  const reader = openBook(source);
  const sheets = new SheetSequence(reader, displayName);
  const picker = new SheetPicker(displayName, sheet);
  // Only one sheet is read, so one cleaner; its lastRow also places an error in the sheet.
  const cleaner = new RowCleaner(displayName);
  try {
    for (;;) {
      const worksheet = await sheets.next(cleaner.lastRow);
      if (worksheet === undefined) break;
      if (takes(picker, worksheet, reader)) yield* sheetRecords(worksheet, cleaner, sheets, displayName);
      else skip(worksheet);
    }
  } finally {
    await sheets.drain();
    source.destroy();
  }
  if (!picker.found) throw notFound(displayName, sheet, reader.model?.sheets);
}

function openBook(source: Readable): BookReader {
  return new ExcelJS.stream.xlsx.WorkbookReader(source, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  }) as unknown as BookReader;
}

/** The sheets exceljs emits, one at a time; `finished` once it has read the zip to its end (or failed). */
class SheetSequence {
  private readonly sheets: AsyncIterator<SheetReader>;
  private finished = false;

  constructor(
    reader: BookReader,
    private readonly displayName: string,
  ) {
    this.sheets = reader[Symbol.asyncIterator]();
  }

  /** The next sheet, or undefined at the end; a failure as a refusal placed after `lastRow`. */
  async next(lastRow: number | undefined): Promise<SheetReader | undefined> {
    let next: IteratorResult<SheetReader>;
    try {
      next = await this.sheets.next();
    } catch (error) {
      this.finished = true;
      const refusal = damaged(this.displayName, error, lastRow);
      throw isWorkbookPartMissing(error) ? new WorkbookPartLast(refusal) : refusal;
    }
    if (next.done) this.finished = true;
    return next.done ? undefined : next.value;
  }

  /** The zip cannot be read further: there is nothing left to drain. */
  broken(): void {
    this.finished = true;
  }

  /**
   * Stopped early: let exceljs read to the end anyway, so it removes the temporary copies it
   * makes of sheets stored before the shared strings (Excel's own order).
   */
  async drain(): Promise<void> {
    while (!this.finished) {
      try {
        const next = await this.sheets.next();
        if (next.done) break;
        skip(next.value);
      } catch {
        break;
      }
    }
  }
}

/** Which of the sheets as they arrive is the one to read; `found` once it has arrived. */
class SheetPicker {
  found = false;
  private target: string | undefined;

  constructor(
    private readonly displayName: string,
    private readonly sheet: string | undefined,
  ) {}

  /** Whether to read `worksheet`; `known` are the workbook part's sheets, once exceljs has read it. */
  takes(worksheet: SheetReader, known: readonly SheetEntry[] | undefined): boolean {
    const { sheet } = this;
    if (this.target === undefined && known !== undefined) {
      const chosen = chooseSheet(known, sheet);
      if (chosen === undefined)
        throw sheet === undefined ? noSheets(this.displayName) : missingSheet(this.displayName, sheet, known);
      this.target = chosen.name;
    }
    // Without the workbook part yet (an unusual zip order), the first sheet seen, or the one named.
    const wanted =
      this.target !== undefined
        ? worksheet.name === this.target
        : sheet === undefined
          ? !this.found
          : worksheet.name.toLocaleLowerCase() === sheet.toLocaleLowerCase();
    if (this.found || !wanted) return false;
    this.found = true;
    return true;
  }
}

/** Whether to read `worksheet`; one refused as not there (no such sheet) is closed unread first. */
function takes(picker: SheetPicker, worksheet: SheetReader, reader: BookReader): boolean {
  try {
    return picker.takes(worksheet, reader.model?.sheets);
  } catch (error) {
    skip(worksheet);
    throw error;
  }
}

/** The records of the sheet being read; a failure of exceljs inside it ends the whole read. */
async function* sheetRecords(
  worksheet: SheetReader,
  cleaner: RowCleaner,
  sheets: SheetSequence,
  displayName: string,
): AsyncGenerator<InputRecord> {
  // exceljs reads the XML from `iterator` when iteration starts: mended on its way (see xlsx-sheet-xml.ts).
  if (worksheet.iterator) worksheet.iterator = mendSheetXml(worksheet.iterator);
  try {
    for await (const row of worksheet) {
      const record = cleaner.take(row);
      if (record) yield record;
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    sheets.broken();
    throw damaged(displayName, error, cleaner.lastRow);
  }
}

/** The sheet wanted never came: the file is no workbook, or has no such sheet, or none at all. */
function notFound(
  displayName: string,
  sheet: string | undefined,
  known: readonly SheetEntry[] | undefined,
): InputError {
  if (known === undefined) {
    return new InputError(
      displayName,
      'is a zip archive but not an Excel workbook (it has no workbook part)',
    );
  }
  return sheet !== undefined ? missingSheet(displayName, sheet, known) : noSheets(displayName);
}

function isWorkbookPartMissing(error: unknown): boolean {
  return error instanceof TypeError && error.message.includes("reading 'sheets'");
}

/**
 * Close a sheet that is not read. exceljs deletes the sheet's temporary copy as soon as we move on,
 * which can beat the copy's file stream to opening it: the ENOENT that stream then emits is about a
 * sheet nobody reads, so it is dropped here rather than left to crash the process (seen once in a
 * full test run, on a loaded machine).
 */
function skip(worksheet: SheetReader): void {
  worksheet.iterator?.on?.('error', () => undefined);
  worksheet.iterator?.destroy?.();
}
