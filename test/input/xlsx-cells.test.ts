/** Workbook cells as the text Excel shows, and rows as records with Excel's row numbers. */
import { describe, expect, test } from '@jest/globals';
import ExcelJS from 'exceljs';
import { InputError } from '../../src/errors.js';
import { MAX_RECORD_BYTES, NO_SAVED_RESULT } from '../../src/input/record.js';
import { cellText, RowCleaner } from '../../src/input/xlsx-cells.js';

/** A sheet in memory whose rows are set at the given row numbers. */
function sheet(rows: Record<number, unknown[]>): ExcelJS.Worksheet {
  const ws = new ExcelJS.Workbook().addWorksheet('Rows');
  for (const [number, values] of Object.entries(rows))
    ws.getRow(Number(number)).values = values as ExcelJS.CellValue[];
  return ws;
}

describe('cellText', () => {
  test('numbers and dates read under their format, escapes and rich text as plain text', () => {
    expect(cellText(17, '00000')).toBe('00017');
    expect(cellText(new Date(Date.UTC(2026, 0, 31)), undefined)).toBe('2026-01-31');
    expect(cellText('A_x000D_B', undefined)).toBe('A\rB');
    expect(cellText({ richText: [{ text: 'PO ' }, { text: '17' }] }, undefined)).toBe('PO 17');
    expect(cellText(true, undefined)).toBe('TRUE');
  });

  test('a formula shows its cached result; a failed one reads as an error, one never calculated says so', () => {
    expect(cellText({ formula: '10+7', result: 17 }, '0000')).toBe('0017');
    expect(cellText({ formula: '1-1', result: 0 }, undefined)).toBe('0');
    expect(cellText({ formula: '1+1' }, undefined)).toBe(NO_SAVED_RESULT);
    expect(cellText({ formula: 'NA()', result: NaN }, undefined)).toBe('#ERROR');
    expect(cellText({ error: '#REF!' }, undefined)).toBe('#REF!');
  });

  test('a hyperlink shows its text and empty values read as empty cells', () => {
    expect(cellText({ text: 'PO 88', hyperlink: 'https://example.invalid' }, undefined)).toBe('PO 88');
    expect(cellText(null, undefined)).toBe('');
    expect(cellText(undefined, '0')).toBe('');
  });
});

describe('RowCleaner', () => {
  test('rows keep their sheet row numbers, blank rows are dropped and later rows widen to the first', () => {
    const ws = sheet({ 1: ['a', 'b', 'c'], 3: ['', ' '], 5: ['x'] });
    const cleaner = new RowCleaner('book.xlsx');
    const records = [1, 3, 5].map((n) => cleaner.take(ws.getRow(n)));
    expect(records).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      undefined,
      { line: 5, cells: ['x', '', ''] },
    ]);
    expect(cleaner.lastRow).toBe(5);
  });

  test('a row longer than a spreadsheet of changes can hold is refused at its line and cell', () => {
    const ws = sheet({ 2: ['short', 'x'.repeat(MAX_RECORD_BYTES)] });
    let error: unknown;
    try {
      new RowCleaner('book.xlsx').take(ws.getRow(2));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ line: 2, column: 2 });
  });
});
