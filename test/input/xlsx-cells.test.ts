/** Workbook cells as the text Excel shows, and rows as records with Excel's row numbers. */
import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../src/errors.js';
import { MAX_RECORD_BYTES, NO_SAVED_RESULT } from '../../src/input/record.js';
import { cellText, RowCleaner, UnreadableCell, type RawCell } from '../../src/input/xlsx-cells.js';
import { SharedStrings } from '../../src/input/xlsx-strings.js';

const CONTEXT = { sharedStrings: SharedStrings.of(['PO 17', 'Réf. Ø-17']), date1904: false };

/** A cell as the sheet's XML holds it: `t`, `<v>`, and the rest as given. */
function cell(type: string, value: string | undefined, more: Partial<RawCell> = {}): RawCell {
  return { type, value, inline: undefined, formula: false, numFmt: undefined, ...more };
}
const text = (c: RawCell, context = CONTEXT) => cellText(c, context);

describe('cellText', () => {
  test('numbers and dates read under their format, escapes and rich text as plain text', () => {
    expect(text(cell('n', '17', { numFmt: '00000' }))).toBe('00017');
    expect(text(cell('n', '46053', { numFmt: 'mm-dd-yy' }))).toBe('2026-01-31');
    expect(text(cell('str', 'A_x000D_B'))).toBe('A\rB');
    expect(text(cell('inlineStr', undefined, { inline: 'PO 17' }))).toBe('PO 17');
    expect(text(cell('s', '1'))).toBe('Réf. Ø-17');
    expect(text(cell('b', '1'))).toBe('TRUE');
    expect(text(cell('b', '0'))).toBe('FALSE');
    expect(text(cell('d', '2026-01-31T00:00:00'))).toBe('2026-01-31');
    expect(text(cell('d', '2026-01-31', { numFmt: 'dd.mm.yyyy' }))).toBe('31.01.2026');
  });

  test('a date in a 1904 workbook reads as the day Excel shows', () => {
    expect(text(cell('n', '44591', { numFmt: 'yyyy-mm-dd' }), { ...CONTEXT, date1904: true })).toBe(
      '2026-01-31',
    );
    expect(text(cell('n', '44591', { numFmt: '0' }), { ...CONTEXT, date1904: true })).toBe('44591');
  });

  test('a formula shows its saved result; a failed one its error, one never calculated says so', () => {
    expect(text(cell('n', '17', { formula: true, numFmt: '0000' }))).toBe('0017');
    expect(text(cell('n', '0', { formula: true }))).toBe('0');
    expect(text(cell('n', undefined, { formula: true }))).toBe(NO_SAVED_RESULT);
    expect(text(cell('n', '', { formula: true }))).toBe(NO_SAVED_RESULT);
    expect(text(cell('str', '', { formula: true }))).toBe('');
    expect(text(cell('str', undefined, { formula: true }))).toBe(NO_SAVED_RESULT);
    expect(text(cell('e', '#N/A', { formula: true }))).toBe('#N/A');
    expect(text(cell('e', '#REF!'))).toBe('#REF!');
  });

  test('empty cells read as empty', () => {
    expect(text(cell('n', undefined))).toBe('');
    expect(text(cell('n', '', { numFmt: '0' }))).toBe('');
    expect(text(cell('s', undefined))).toBe('');
  });

  test('what cannot be known is refused, never read as empty', () => {
    const refused = (c: RawCell, context = CONTEXT) => expect(() => text(c, context)).toThrow(UnreadableCell);
    refused(cell('s', '2'));
    refused(cell('s', ''));
    refused(cell('s', 'x'));
    refused(cell('s', '0'), { sharedStrings: undefined, date1904: false } as never);
    refused(cell('n', 'abc'));
    refused(cell('b', '2'));
    refused(cell('d', 'yesterday'));
    refused(cell('q', undefined));
    expect(() => text(cell('s', '7'))).toThrow(
      'it refers to shared string 7, but the workbook has 2 shared strings',
    );
  });
});

describe('RowCleaner', () => {
  test('rows keep their sheet row numbers, blank rows are dropped and later rows widen to the first', () => {
    const cleaner = new RowCleaner('book.xlsx');
    const records = [
      { number: 1, cells: ['a', 'b', 'c'] },
      { number: 3, cells: ['', ' '] },
      { number: 5, cells: ['x', ''] },
      { number: 6, cells: ['y'] },
      { number: 9, cells: ['z'] },
    ].map((row) => cleaner.take(row));
    expect(records).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      undefined,
      { line: 5, cells: ['x', '', ''] },
      { line: 6, cells: ['y', '', ''] },
      { line: 9, cells: ['z', '', ''] },
    ]);
    expect(cleaner.lastRow).toBe(9);
  });

  test('a row longer than a spreadsheet of changes can hold is refused at its line and cell', () => {
    let error: unknown;
    try {
      new RowCleaner('book.xlsx').take({ number: 2, cells: ['short', 'x'.repeat(MAX_RECORD_BYTES)] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ line: 2, column: 2 });
  });
});
