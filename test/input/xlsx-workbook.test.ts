/** Choosing the sheet to read, and the refusals about a workbook's structure. */
import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../src/errors.js';
import { chooseSheet, damaged, missingSheet, noSheets } from '../../src/input/xlsx-workbook.js';

const SHEETS = [
  { name: 'Lookup', state: 'hidden' },
  { name: 'PO Numbers' },
  { name: 'Archive', state: 'visible' },
];

describe('chooseSheet', () => {
  test('without a name, the first visible sheet is read, or the first of all when none is visible', () => {
    expect(chooseSheet(SHEETS, undefined)?.name).toBe('PO Numbers');
    expect(chooseSheet([{ name: 'Only', state: 'hidden' }], undefined)?.name).toBe('Only');
    expect(chooseSheet([], undefined)).toBeUndefined();
  });

  test('a name matches exactly first, then ignoring case and surrounding spaces, hidden sheets too', () => {
    expect(chooseSheet([{ name: 'po' }, { name: 'PO' }], 'PO')?.name).toBe('PO');
    expect(chooseSheet(SHEETS, '  po numbers ')?.name).toBe('PO Numbers');
    expect(chooseSheet(SHEETS, 'lookup')?.name).toBe('Lookup');
    expect(chooseSheet(SHEETS, 'Orders')).toBeUndefined();
  });
});

describe('refusals', () => {
  test('a missing sheet names the sheets there are, or says there are none', () => {
    expect(missingSheet('b.xlsx', 'Orders', SHEETS).message).toBe(
      'b.xlsx: has no sheet named "Orders"; its sheets are: "Lookup", "PO Numbers", "Archive"',
    );
    expect(missingSheet('b.xlsx', 'Orders', []).message).toBe(
      'b.xlsx: has no sheet named "Orders": it has no sheets at all',
    );
    expect(noSheets('b.xlsx').message).toBe('b.xlsx: has no worksheet to read');
  });

  test('a failure inside exceljs reads as a damaged workbook, on one line, after the last row read', () => {
    const error = damaged('b.xlsx', new Error('invalid signature\n    at inflate'), 41);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      'b.xlsx: is not a readable .xlsx workbook: it is damaged or truncated after row 41 (invalid signature)',
    );
    const refusal = new InputError('b.xlsx', 'already explained');
    expect(damaged('b.xlsx', refusal, undefined)).toBe(refusal);
  });
});
