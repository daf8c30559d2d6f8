/**
 * Workbooks laid out the ways writers other than exceljs lay them out (issue 14): shared strings
 * stored after the sheets, absolute part targets, no styles part, hidden sheets first. Each is read
 * many times, one after another and several at once, and must give the same records every time:
 * nothing read from a workbook may depend on timing.
 */
import { describe, expect, test } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { InputRecord } from '../../src/input/record.js';
import { readWorkbookRecords } from '../../src/input/xlsx.js';
import { tempDir } from '../helpers/files.js';
import { sharedStringsWorkbook, type BookLayout, type SheetSpec } from '../helpers/zip.js';

const CUSTOMER = '936d7ec9-6070-4ae5-a8f4-9e72b88f7ca0';
const HEADER = ['Customer ID', 'Subscription ID', 'PO Number'];
/** A 30-row sheet: the size of the workbook the issue saw read as "0 rows" once in 8. */
const ROWS = Array.from({ length: 30 }, (_, i) => [CUSTOMER, `sub-${String(i).padStart(4, '0')}`, `PO-${i}`]);
const ORDERS: SheetSpec = { name: 'Orders', rows: [HEADER, ...ROWS] };
const EXPECTED = [HEADER, ...ROWS].map((cells, i) => ({ line: i + 1, cells }));

async function saved(name: string, sheets: readonly SheetSpec[], layout: BookLayout): Promise<string> {
  const file = path.join(await tempDir(), name);
  await writeFile(file, sharedStringsWorkbook(sheets, layout));
  return file;
}

async function records(file: string, sheet?: string): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const record of readWorkbookRecords(file, path.basename(file), sheet)) out.push(record);
  return out;
}

/** The records of `file` read `times` one after another, then 8 at once: each must be `expected`. */
async function readsAlwaysAs(
  file: string,
  expected: InputRecord[],
  sheet?: string,
  times = 20,
): Promise<void> {
  for (let i = 0; i < times; i++) expect(await records(file, sheet)).toEqual(expected);
  const parallel = await Promise.all(Array.from({ length: 8 }, () => records(file, sheet)));
  for (const read of parallel) expect(read).toEqual(expected);
}

describe('workbooks as other writers lay them out', () => {
  test('shared strings stored after the sheet are read, every time', async () => {
    const file = await saved('strings-last.xlsx', [ORDERS], { sharedStrings: 'last' });
    await readsAlwaysAs(file, EXPECTED);
  });

  test('a minimal writer: shared strings after the sheet and no styles part', async () => {
    const file = await saved('minimal.xlsx', [ORDERS], { sharedStrings: 'last', styles: false });
    await readsAlwaysAs(file, EXPECTED);
  });

  test("openpyxl's absolute targets (/xl/worksheets/sheet1.xml) find a sheet of any name", async () => {
    const file = await saved('absolute.xlsx', [ORDERS], { absoluteTargets: true });
    await readsAlwaysAs(file, EXPECTED, undefined, 3);
    await readsAlwaysAs(file, EXPECTED, 'Orders', 3);
  });

  test('hidden and very hidden sheets first: the first visible one is read, and --sheet finds any', async () => {
    const sheets: SheetSpec[] = [
      { name: 'Hidden', state: 'hidden', rows: [['hidden']] },
      { name: 'Geheim', state: 'veryHidden', rows: [['very hidden']] },
      ORDERS,
      { name: 'Second', rows: [['second']] },
    ];
    const file = await saved('hidden-first.xlsx', sheets, { absoluteTargets: true, sharedStrings: 'last' });
    await readsAlwaysAs(file, EXPECTED, undefined, 3);
    await readsAlwaysAs(file, EXPECTED, 'Orders', 3);
    expect(await records(file, 'second')).toEqual([{ line: 1, cells: ['second'] }]);
    expect(await records(file, 'Geheim')).toEqual([{ line: 1, cells: ['very hidden'] }]);
  });

  test('non-ASCII sheet names are found by --sheet, case folded', async () => {
    const sheets: SheetSpec[] = [
      { name: 'Übersicht', rows: [['overview']] },
      { name: 'Bestellungen Ø 2026 – €', rows: [HEADER, ...ROWS] },
    ];
    const file = await saved('names.xlsx', sheets, { sharedStrings: 'last' });
    await readsAlwaysAs(file, EXPECTED, 'bestellungen ø 2026 – €', 3);
    expect(await records(file)).toEqual([{ line: 1, cells: ['overview'] }]);
  });
});
