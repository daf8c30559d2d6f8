/**
 * The rows to fix, written as a workbook of text cells: uploaded again, each value comes back as
 * it was, whatever it holds (a leading `=`, `-`, `+`, `@`, markup, control characters, Excel's own
 * `_xHHHH_` escapes, any Unicode), and another reader (exceljs) reads the same plain values.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cellXmlText, writeRowsWorkbook } from '../../src/server/rows-workbook.js';
import { tempDir } from '../helpers/files.js';
import { workbookRows } from '../helpers/zip.js';

async function* each(rows: readonly (readonly string[])[]) {
  yield* rows;
}

/** The workbook `rows` make, as bytes. */
async function written(rows: readonly (readonly string[])[]): Promise<Buffer> {
  const file = path.join(await tempDir(), 'to-fix.xlsx');
  await writeRowsWorkbook(each(rows), file);
  return readFile(file);
}

/** A row without its trailing empty cells (a reader pads a row to the header's width or not). */
const trimmed = (row: readonly string[]): string[] => {
  const cells = [...row];
  while (cells.at(-1) === '') cells.pop();
  return cells;
};

describe('the rows to fix as a workbook', () => {
  test('values a CSV would have to neutralise come back unchanged, and exceljs reads them too', async () => {
    const rows = [
      ['Customer ID', 'Subscription ID', 'PO Number', 'Note'],
      ['=1+1', '-PO-1', '+31 20 123', '@SUM(A1)'],
      ['a&b <c> "d"', '', 'Ünïcödé 😀', "'quoted"],
      ['line one\nline two', '\ttab', ' spaces  ', ''],
    ];
    const { ours, exceljs } = await workbookRows(await written(rows));
    expect(ours.map(trimmed)).toEqual(rows.map(trimmed));
    expect(exceljs.map(trimmed)).toEqual(rows.map(trimmed));
  });

  test('characters XML cannot hold, and text that looks like an escape, come back as they were', async () => {
    const rows = [['h'], ['_x0041_ stays', 'cr\r\nlf', 'bell\u0007', 'lone \ud800 surrogate', '_x005F_']];
    const { ours } = await workbookRows(await written(rows));
    expect(ours).toEqual([
      ['h'],
      ['_x0041_ stays', 'cr\r\nlf', 'bell\u0007', 'lone \ud800 surrogate', '_x005F_'],
    ]);
  });

  test('any texts come back as they were (property)', async () => {
    const cell = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.constantFrom('=', '-', '+', '@', '_x0041_', '_x', '\r', '&lt;', ']]>'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        async (rows) => {
          const header = ['a', 'b', 'c', 'd'];
          // Rows of blanks are left out on reading, as they are from any workbook.
          const { ours } = await workbookRows(await written([header, ...rows]));
          expect(ours.slice(1).map(trimmed)).toEqual(
            rows.filter((r) => r.some((c) => c.trim() !== '')).map(trimmed),
          );
        },
      ),
      { seed: 20_261_202, numRuns: 80 },
    );
  });

  test('a sheet longer than one batch is read back whole', async () => {
    const rows = [['PO Number'], ...Array.from({ length: 20_000 }, (_, i) => [`PO-${i}`])];
    const { ours } = await workbookRows(await written(rows));
    expect(ours).toEqual(rows);
  });

  test('the XML text of a cell escapes markup and what XML cannot hold', () => {
    expect(cellXmlText('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
    expect(cellXmlText('\r\u0001')).toBe('_x000D__x0001_');
    expect(cellXmlText('_x0041_')).toBe('_x005F_x0041_');
    expect(cellXmlText('😀')).toBe('😀');
  });
});
