/**
 * The workbooks of every writer a finance team uses (test/fixtures/workbooks/, made by make.sh from
 * the UTF-8 original): each reads as the original's cells, 50 times one after another and 8 times
 * at once, identically each time, so nothing read depends on timing. The requests they send are
 * compared with the original's in excel-files.test.ts.
 */
import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { readWorkbookRecords } from '../../src/input/xlsx.js';
import {
  EXCEL_FIXTURES,
  WORKBOOK_FIXTURES,
  WORKBOOKS,
  type WorkbookFixture,
} from '../helpers/excel-fixtures.js';

async function cells(file: string, sheet?: string): Promise<string[][]> {
  const out: string[][] = [];
  for await (const record of readWorkbookRecords(file, path.basename(file), sheet)) out.push(record.cells);
  return out;
}

describe('workbooks of every writer', () => {
  test.each(WORKBOOKS.map((w): [string, WorkbookFixture] => [w.description, w]))(
    '%s: read 50 times, and 8 at once, as the original',
    async (_description, workbook) => {
      const file = path.join(WORKBOOK_FIXTURES, workbook.file);
      for (let i = 0; i < 50; i++)
        expect({ read: i, cells: await cells(file) }).toEqual({ read: i, cells: workbook.cells });
      const parallel = await Promise.all(Array.from({ length: 8 }, () => cells(file)));
      for (const read of parallel) expect(read).toEqual(workbook.cells);
    },
  );

  test('the exceljs workbook too', async () => {
    const file = path.join(EXCEL_FIXTURES, 'po-numbers.xlsx');
    const expected = await cells(file);
    expect(expected).toHaveLength(8);
    const parallel = await Promise.all(Array.from({ length: 8 }, () => cells(file)));
    for (const read of parallel) expect(read).toEqual(expected);
  });

  test('--sheet finds a hidden, a very hidden and a non-ASCII sheet by name, case folded', async () => {
    const file = path.join(WORKBOOK_FIXTURES, 'openpyxl-hidden-first.xlsx');
    expect(await cells(file, 'Hidden')).toEqual([['lookup']]);
    expect(await cells(file, 'geheim')).toEqual([['very hidden']]);
    expect(await cells(file, 'bestellungen – ø €')).toEqual(WORKBOOKS[1]?.cells);
    expect(await cells(file, 'Second')).toEqual([['second']]);
    await expect(cells(file, 'Orders')).rejects.toThrow(
      'openpyxl-hidden-first.xlsx: has no sheet named "Orders"; its sheets are: "Hidden", "Geheim", "Bestellungen – Ø €", "Second"',
    );
  });
});
