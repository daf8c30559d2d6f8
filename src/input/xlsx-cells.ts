/**
 * Workbook cells as the text Excel shows for them (formatted numbers and dates, a formula's saved
 * result, rich text flattened, TRUE/FALSE, error names), and rows as records with the row number
 * Excel shows as their line. A cell whose value cannot be known is never read as empty: empty would
 * make --allow-clear send a clear.
 */
import { InputError } from '../errors.js';
import { MAX_RECORD_BYTES, NO_SAVED_RESULT, type InputRecord } from './record.js';
import { formatNumber } from './xlsx-format.js';
import { isDateSection, parseCode } from './xlsx-format-code.js';
import { serialOf } from './xlsx-format-date.js';

/** Excel escapes characters XML cannot hold as `_xHHHH_` (e.g. `_x000D_` for a carriage return). */
export function unescapeText(text: string): string {
  return text.includes('_x')
    ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : text;
}

/** One cell as the sheet's XML holds it. */
export interface RawCell {
  /** The `t` attribute: `n` (or none), `s`, `inlineStr`, `str`, `b`, `e`, `d`. */
  readonly type: string;
  /** The text of `<v>`, or undefined when the cell has none (an empty `<v/>` is ''). */
  readonly value: string | undefined;
  /** The text of `<is>` (an inline string), if any. */
  readonly inline: string | undefined;
  /** Whether the cell holds a formula: without a saved value its result is unknown. */
  readonly formula: boolean;
  /** Its number format code (undefined: General). */
  readonly numFmt: string | undefined;
}

/** What a cell's text depends on beyond the cell: the shared strings, and how dates count. */
export interface CellContext {
  readonly sharedStrings: { readonly length: number; get(index: number): string } | undefined;
  readonly date1904: boolean;
}

/** A cell that cannot be read: the message says why, the caller says where. */
export class UnreadableCell extends Error {}

const KNOWN_TYPES = new Set(['n', 's', 'str', 'inlineStr', 'b', 'e', 'd']);
/** The types whose empty `<v/>` means no value rather than an empty text. */
const VALUE_TYPES = new Set(['n', 'b', 'e', 'd']);

// Days from 1 January 1900 to 1 January 1904 in Excel's count: a 1904 serial is this much smaller.
const DAYS_1900_TO_1904 = 1462;

function isDateCode(code: string | undefined): boolean {
  return code !== undefined && parseCode(code).some((s) => isDateSection(s.tokens));
}

function numberText(text: string, cell: RawCell, context: CellContext): string {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new UnreadableCell(`its number "${text}" is not a number`);
  const serial = context.date1904 && isDateCode(cell.numFmt) ? value + DAYS_1900_TO_1904 : value;
  return formatNumber(serial, cell.numFmt);
}

function sharedText(text: string, context: CellContext): string {
  const { sharedStrings } = context;
  const index = Number(text);
  if (sharedStrings === undefined)
    throw new UnreadableCell(
      `it refers to shared string ${text.trim()}, but the workbook has no shared strings part`,
    );
  if (text.trim() === '' || !Number.isInteger(index) || index < 0 || index >= sharedStrings.length) {
    throw new UnreadableCell(
      `it refers to shared string ${text.trim()}, but the workbook has ${sharedStrings.length} shared strings`,
    );
  }
  return sharedStrings.get(index);
}

function dateText(text: string, cell: RawCell): string {
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) || !text.includes('T') ? text : `${text}Z`);
  const serial = serialOf(date);
  if (!Number.isFinite(serial)) throw new UnreadableCell(`its date "${text}" is not a date`);
  return formatNumber(serial, cell.numFmt ?? 'yyyy-mm-dd');
}

/**
 * The text Excel shows for `cell`. A formula without a saved value (a workbook written by a
 * program that does not calculate, such as openpyxl) reads as `NO_SAVED_RESULT`; an empty value of
 * a text result is the empty text it is. Throws `UnreadableCell` for what cannot be known.
 */
export function cellText(cell: RawCell, context: CellContext): string {
  const { type, value, formula } = cell;
  if (!KNOWN_TYPES.has(type)) throw new UnreadableCell(`its type t="${type}" is not one a workbook cell has`);
  if (type === 'inlineStr' && cell.inline !== undefined) return unescapeText(cell.inline);
  // No value at all is an empty cell, or a formula never calculated; an empty one is empty text,
  // or for a number (openpyxl writes `<v/>` for an uncalculated formula) no value. A shared-string
  // index that is empty resolves to nothing, so it is refused below.
  const missing = value === undefined || (value === '' && VALUE_TYPES.has(type));
  if (missing) return formula ? NO_SAVED_RESULT : '';
  switch (type) {
    case 'n':
      return numberText(value, cell, context);
    case 's':
      return sharedText(value, context);
    case 'str':
    case 'inlineStr':
      return unescapeText(value);
    case 'b':
      if (/^\s*(1|true)\s*$/i.test(value)) return 'TRUE';
      if (/^\s*(0|false)\s*$/i.test(value)) return 'FALSE';
      throw new UnreadableCell(`its value "${value}" is neither TRUE nor FALSE`);
    case 'e':
      return value.trim();
    default: // 'd'
      return dateText(value.trim(), cell);
  }
}

/** A row as the sheet's XML holds it: its number (its `r`, else the previous row's plus 1) and its cells' texts by column. */
export interface RawRow {
  readonly number: number;
  readonly cells: string[];
}

/**
 * Rows as records: the row number Excel shows (the sheet's reader refuses rows out of order, so
 * these ascend), blank rows left out, every row as wide as the first (a sheet has no "missing cells": an empty cell at a
 * row's end is empty, not absent, so validation must not call the row short), and a row too long
 * to be a spreadsheet of changes refused.
 */
export class RowCleaner {
  lastRow: number | undefined;
  private width: number | undefined;

  constructor(private readonly displayName: string) {}

  /** The record of `row`, or undefined for a blank row. */
  take(row: RawRow): InputRecord | undefined {
    const line = row.number;
    this.lastRow = line;
    const cells = Array.from(row.cells, (c) => c ?? '');
    while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
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
