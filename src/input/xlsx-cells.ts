/**
 * Workbook rows as records: each cell as the text Excel shows for it (formatted numbers and dates,
 * a formula's cached result, rich text flattened), with the row number Excel shows as its line.
 */
import ExcelJS from 'exceljs';
import { InputError } from '../errors.js';
import { MAX_RECORD_BYTES, NO_SAVED_RESULT, type InputRecord } from './record.js';
import { formatNumber } from './xlsx-format.js';
import { serialOf } from './xlsx-format-date.js';

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
    // at all means it was never calculated: unknown, so refused as such rather than read as an
    // empty value, which --allow-clear would send as a clear. (An error result reads as NaN, above.)
    if ('formula' in v || 'sharedFormula' in v || 'result' in v)
      return v.result === undefined ? NO_SAVED_RESULT : cellText(v.result, numFmt);
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

/**
 * Rows as records: the row number Excel shows (or the next one when exceljs gives none), blank rows
 * left out, every row as wide as the first (a sheet has no "missing cells": an empty cell at a
 * row's end is empty, not absent, so validation must not call the row short), and a row too long
 * to be a spreadsheet of changes refused.
 */
export class RowCleaner {
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
