/**
 * Reading an .xlsx workbook instead of a CSV: one sheet (the first, or one named), streamed row by
 * row with exceljs's WorkbookReader, each cell turned into the text Excel shows for it, yielded as
 * the same records as the CSV reader. `line` is the sheet's row number, so it matches what a person
 * sees in Excel; blank rows are skipped and the numbers stay true.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { InputError } from '../errors.js';
import { MAX_RECORD_BYTES, type InputRecord } from './reader.js';
import { formatNumber } from './xlsx-format.js';
import { serialOf } from './xlsx-format-date.js';

/** What exceljs knows of a sheet from the workbook part (its types leave these out). */
interface SheetEntry {
  readonly name: string;
  readonly state?: string;
}

/** The parts of exceljs's streaming readers used here, typed. */
interface SheetReader extends AsyncIterable<ExcelJS.Row> {
  readonly name: string;
  /** The sheet's XML: a file stream when exceljs had to spool it; destroyed when a sheet is skipped. */
  readonly iterator?: { destroy?: () => void; on?: (event: 'error', listener: () => void) => unknown };
}
interface BookReader extends AsyncIterable<SheetReader> {
  readonly model?: { readonly sheets?: readonly SheetEntry[] };
}

const ZIP = Buffer.from('PK\x03\x04', 'latin1');
const EMPTY_ZIP = Buffer.from('PK\x05\x06', 'latin1');
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
/** The stream an encrypted OOXML file keeps inside its OLE container, as named in its directory. */
const ENCRYPTED_PACKAGE = Buffer.from('EncryptedPackage', 'utf16le');

/** A file-system error as an `InputError` a person can act on. */
function unreadable(displayName: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new InputError(displayName, `cannot be read (${code}): check the path and its permissions`);
}

/** Whether the bytes of `file` contain `needle` anywhere (read as a stream, never whole). */
async function contains(file: string, needle: Buffer): Promise<boolean> {
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    const window = Buffer.concat([tail, chunk]);
    if (window.includes(needle)) return true;
    tail = window.subarray(Math.max(0, window.length - needle.length + 1));
  }
  return false;
}

/**
 * Refuse what is not an .xlsx before handing it to exceljs, with the reason a person can act on:
 * a password-protected workbook is not a zip but an OLE container, and so is an old .xls.
 */
async function checkContainer(file: string, displayName: string): Promise<void> {
  const head = Buffer.alloc(8);
  let bytesRead: number;
  try {
    const handle = await open(file, 'r');
    try {
      ({ bytesRead } = await handle.read(head, 0, head.length, 0));
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw unreadable(displayName, error);
  }
  if (bytesRead === 0) throw new InputError(displayName, 'is empty: expected an .xlsx workbook');
  if (head.subarray(0, 4).equals(ZIP)) return;
  if (head.subarray(0, 4).equals(EMPTY_ZIP)) {
    throw new InputError(displayName, 'is an empty zip archive, not an .xlsx workbook');
  }
  if (bytesRead === 8 && head.equals(OLE)) {
    if (await contains(file, ENCRYPTED_PACKAGE)) {
      throw new InputError(
        displayName,
        'is protected with a password (encrypted): open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password), save, and try again',
      );
    }
    throw new InputError(
      displayName,
      'is an Excel 97-2003 workbook (.xls), not .xlsx: open it in Excel and save it as .xlsx or CSV UTF-8',
    );
  }
  throw new InputError(displayName, 'is not an .xlsx workbook (it is not a zip archive)');
}

/** Excel escapes characters XML cannot hold as `_xHHHH_` (e.g. `_x000D_` for a carriage return). */
function unescapeText(text: string): string {
  return text.includes('_x')
    ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : text;
}

/** The text Excel shows for a cell value (exceljs's shapes: rich text, formula, hyperlink, error…). */
export function cellText(value: unknown, numFmt: string | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return unescapeText(value);
  if (typeof value === 'number') {
    // exceljs reads a formula's cached error (#N/A…) as NaN: the error's name is lost.
    return Number.isNaN(value) ? '#ERROR' : formatNumber(value, numFmt);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) {
    const serial = serialOf(value);
    return Number.isFinite(serial) ? formatNumber(serial, numFmt ?? 'yyyy-mm-dd') : '';
  }
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) {
      return unescapeText((v.richText as { text?: unknown }[]).map((run) => String(run.text ?? '')).join(''));
    }
    if ('error' in v) return String(v.error);
    // A formula: what Excel last calculated (a workbook saved by Excel always holds it). No result
    // at all means it was never calculated: unknown, so an error rather than an empty value, which
    // --allow-clear would send as a clear. (An error result reads as NaN: '#ERROR' too, above.)
    if ('formula' in v || 'sharedFormula' in v || 'result' in v)
      return v.result === undefined ? '#ERROR' : cellText(v.result, numFmt);
    if ('text' in v) return cellText(v.text, numFmt); // a hyperlink shows its text
    return ''; // nothing else holds text (exceljs only leaves a bare shared-string index if the part is missing)
  }
  return String(value);
}

/** The cells of a row as text, empty cells as '', trailing empty cells trimmed. */
function rowCells(row: ExcelJS.Row): string[] {
  const cells: string[] = [];
  row.eachCell({ includeEmpty: false }, (cell, col) => {
    while (cells.length < col - 1) cells.push('');
    // A formula cell's `value` leaves out a result that is falsy: 0, '', FALSE, and the NaN the
    // streaming reader makes of an error such as #N/A. `result` keeps it.
    const value =
      cell.type === ExcelJS.ValueType.Formula ? { formula: cell.formula, result: cell.result } : cell.value;
    cells[col - 1] = cellText(value, cell.numFmt || undefined);
  });
  while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
  return cells;
}

/** The sheet to read: the one named (case-insensitively, as Excel compares them), else the first visible. */
function chooseSheet(sheets: readonly SheetEntry[], wanted: string | undefined): SheetEntry | undefined {
  if (wanted === undefined)
    return sheets.find((s) => s.state === undefined || s.state === 'visible') ?? sheets[0];
  const exact = sheets.find((s) => s.name === wanted);
  if (exact) return exact;
  const folded = wanted.trim().toLocaleLowerCase();
  return sheets.find((s) => s.name.trim().toLocaleLowerCase() === folded);
}

function missingSheet(displayName: string, wanted: string, sheets: readonly SheetEntry[]): InputError {
  const names = sheets.map((s) => `"${s.name}"`).join(', ');
  return new InputError(
    displayName,
    sheets.length === 0
      ? `has no sheet named "${wanted}": it has no sheets at all`
      : `has no sheet named "${wanted}"; its sheets are: ${names}`,
  );
}

/** A failure inside exceljs (damaged zip, broken XML) as an `InputError`. */
function damaged(displayName: string, error: unknown, lastRow: number | undefined): InputError {
  if (error instanceof InputError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const where = lastRow === undefined ? '' : ` after row ${lastRow}`;
  return new InputError(
    displayName,
    `is not a readable .xlsx workbook: it is damaged or truncated${where} (${reason.split('\n')[0]})`,
  );
}

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

/**
 * exceljs's streaming reader fails on a workbook whose workbook part is stored last in the zip and
 * whose sheets it had to spool (it reads them without knowing the sheets' names; seen with a
 * six-sheet workbook written by exceljs itself). Excel stores that part first.
 */
class WorkbookPartLast extends Error {
  constructor(readonly refusal: InputError) {
    super(refusal.message);
  }
}

function isWorkbookPartMissing(error: unknown): boolean {
  return error instanceof TypeError && error.message.includes("reading 'sheets'");
}

/** Workbooks up to this size are read whole when streaming cannot read them (about 100,000 rows). */
const WHOLE_READ_LIMIT_BYTES = 5 * 1024 * 1024;

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

/**
 * Rows as records: the row number Excel shows (or the next one when exceljs gives none), blank rows
 * left out, every row as wide as the first (a sheet has no "missing cells": an empty cell at a
 * row's end is empty, not absent, so validation must not call the row short), and a row too long
 * to be a spreadsheet of changes refused.
 */
class RowCleaner {
  lastRow: number | undefined;
  private width: number | undefined;

  constructor(private readonly displayName: string) {}

  take(row: ExcelJS.Row): InputRecord | undefined {
    const line =
      Number.isFinite(row.number) && row.number > (this.lastRow ?? 0) ? row.number : (this.lastRow ?? 0) + 1;
    this.lastRow = line;
    const cells = rowCells(row);
    if (cells.every((c) => c.trim() === '')) return undefined;
    this.width ??= cells.length;
    while (cells.length < this.width) cells.push('');
    let size = 0;
    for (let i = 0; i < cells.length; i++) {
      size += (cells[i] as string).length;
      if (size > MAX_RECORD_BYTES) {
        throw new InputError(
          this.displayName,
          `a row is longer than ${MAX_RECORD_BYTES} characters; this is not a spreadsheet of changes`,
          { line, column: i + 1 },
        );
      }
    }
    return { line, cells };
  }
}

async function* streamWorkbook(
  file: string,
  displayName: string,
  sheet: string | undefined,
): AsyncGenerator<InputRecord> {
  const source = createReadStream(file);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  }) as unknown as BookReader;
  const sheets = reader[Symbol.asyncIterator]();
  let finished = false;
  let target: string | undefined;
  let found = false;
  // Only one sheet is read, so one cleaner; its lastRow also places an error in the sheet.
  const cleaner = new RowCleaner(displayName);
  try {
    for (;;) {
      let next: IteratorResult<SheetReader>;
      try {
        next = await sheets.next();
      } catch (error) {
        finished = true;
        const refusal = damaged(displayName, error, cleaner.lastRow);
        throw isWorkbookPartMissing(error) ? new WorkbookPartLast(refusal) : refusal;
      }
      if (next.done) {
        finished = true;
        break;
      }
      const worksheet = next.value;
      const known = reader.model?.sheets;
      if (target === undefined && known !== undefined) {
        const chosen = chooseSheet(known, sheet);
        if (chosen === undefined)
          throw sheet === undefined ? noSheets(displayName) : missingSheet(displayName, sheet, known);
        target = chosen.name;
      }
      // Without the workbook part yet (an unusual zip order), the first sheet seen, or the one named.
      const wanted =
        target !== undefined
          ? worksheet.name === target
          : sheet === undefined
            ? !found
            : worksheet.name.toLocaleLowerCase() === sheet.toLocaleLowerCase();
      if (found || !wanted) {
        skip(worksheet);
        continue;
      }
      found = true;
      try {
        for await (const row of worksheet) {
          const record = cleaner.take(row);
          if (record) yield record;
        }
      } catch (error) {
        if (error instanceof InputError) throw error;
        finished = true;
        throw damaged(displayName, error, cleaner.lastRow);
      }
    }
  } finally {
    // Stopped early: let exceljs read to the end anyway, so it removes the temporary copies it
    // makes of sheets stored before the shared strings (Excel's own order).
    while (!finished) {
      try {
        const next = await sheets.next();
        if (next.done) break;
        skip(next.value);
      } catch {
        break;
      }
    }
    source.destroy();
  }
  if (!found) {
    const known = reader.model?.sheets;
    if (known === undefined) {
      throw new InputError(
        displayName,
        'is a zip archive but not an Excel workbook (it has no workbook part)',
      );
    }
    if (sheet !== undefined) throw missingSheet(displayName, sheet, known);
    throw noSheets(displayName);
  }
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

function noSheets(displayName: string): InputError {
  return new InputError(displayName, 'has no worksheet to read');
}
