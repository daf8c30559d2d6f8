/**
 * Reading .xlsx workbooks, the rows and sheets: line numbers as Excel shows them, a read against a
 * fingerprint, sheets by name or the first shown, no temporary copy left, and flat memory.
 */
import { describe, expect, test } from '@jest/globals';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { InputChangedError, type Fingerprint, type InputRecord } from '../../src/input/reader.js';
import { readWorkbookRecords } from '../../src/input/xlsx.js';
import { tempDir } from '../helpers/files.js';
import { CUSTOMER, HEADER, SUBSCRIPTION, records, workbook } from '../helpers/xlsx-reading.js';

describe('reading a sheet', () => {
  test('a workbook read again against its fingerprint yields its rows; changed since, it says so', async () => {
    const file = await workbook('guarded.xlsx', (wb) => {
      const ws = wb.addWorksheet('Rows');
      ws.addRow(HEADER);
      ws.addRow([CUSTOMER, SUBSCRIPTION, 'PO-1']);
    });
    let fingerprint: Fingerprint | undefined;
    const first: InputRecord[] = [];
    for await (const r of readWorkbookRecords(file, 'guarded.xlsx', undefined, {
      recorded: (f) => (fingerprint = f),
    }))
      first.push(r);
    expect(fingerprint?.complete).toBe(true);
    const again: InputRecord[] = [];
    for await (const r of readWorkbookRecords(file, 'guarded.xlsx', undefined, {
      against: fingerprint,
    }))
      again.push(r);
    expect(again).toEqual(first);
    await writeFile(file, Buffer.concat([await readFile(file), Buffer.from('more')]));
    const read = async () => {
      for await (const _ of readWorkbookRecords(file, 'guarded.xlsx', undefined, { against: fingerprint }));
    };
    await expect(read()).rejects.toBeInstanceOf(InputChangedError);
  });

  test('blank rows are skipped while later rows keep their spreadsheet line numbers', async () => {
    const file = await workbook('gaps.xlsx', (wb) => {
      const ws = wb.addWorksheet('Gaps');
      ws.getRow(1).values = HEADER;
      ws.getRow(2).values = [CUSTOMER, SUBSCRIPTION, 'PO-1'];
      // Row 3 is absent, row 4 only has empty or blank text cells, row 6 has a gap in column B.
      ws.getRow(4).values = ['', '  ', ''];
      ws.getRow(6).values = [CUSTOMER, undefined, 'PO-6'];
      ws.getRow(7).values = [CUSTOMER, SUBSCRIPTION, 'PO-7', '', ''];
    });
    expect(await records(file)).toEqual([
      { line: 1, cells: HEADER },
      { line: 2, cells: [CUSTOMER, SUBSCRIPTION, 'PO-1'] },
      { line: 6, cells: [CUSTOMER, '', 'PO-6'] },
      { line: 7, cells: [CUSTOMER, SUBSCRIPTION, 'PO-7'] },
    ]);
  });

  test('rows ending in empty cells are as wide as the header, so they are not short rows', async () => {
    const file = await workbook('trailing.xlsx', (wb) => {
      const ws = wb.addWorksheet('Sheet1');
      ws.getRow(1).values = [...HEADER, 'Comment'];
      ws.getRow(2).values = [CUSTOMER, SUBSCRIPTION, 'PO-2'];
      ws.getRow(3).values = [CUSTOMER, SUBSCRIPTION];
    });
    expect(await records(file)).toEqual([
      { line: 1, cells: [...HEADER, 'Comment'] },
      { line: 2, cells: [CUSTOMER, SUBSCRIPTION, 'PO-2', ''] },
      { line: 3, cells: [CUSTOMER, SUBSCRIPTION, '', ''] },
    ]);
  });

  test('the first sheet is read unless one is named, and names match regardless of case', async () => {
    const file = await workbook('sheets.xlsx', (wb) => {
      wb.addWorksheet('Notes').addRow(['read me first']);
      const po = wb.addWorksheet('PO Numbers');
      po.addRow(HEADER);
      po.addRow([CUSTOMER, SUBSCRIPTION, '00042']);
      wb.addWorksheet('Archive').addRow(['old']);
    });
    expect(await records(file)).toEqual([{ line: 1, cells: ['read me first'] }]);
    expect((await records(file, 'PO Numbers'))[1]?.cells[2]).toBe('00042');
    expect((await records(file, 'po numbers'))[1]?.cells[2]).toBe('00042');
    expect(await records(file, 'Archive')).toEqual([{ line: 1, cells: ['old'] }]);
  });

  test('a workbook whose workbook part comes last (exceljs writes them so) is still read, sheet names and all', async () => {
    // exceljs's streaming reader fails on such a file once it has to spool several sheets.
    const file = await workbook('part-last.xlsx', (wb) => {
      const po = wb.addWorksheet('PO Numbers');
      po.addRow(HEADER);
      po.addRow([CUSTOMER, SUBSCRIPTION, '00042']);
      for (let i = 1; i <= 5; i++) wb.addWorksheet(`Other ${i}`).addRow([`other ${i}`]);
    });
    const first = await records(file);
    expect(first.map((r) => r.line)).toEqual([1, 2]);
    expect(first[1]?.cells).toEqual([CUSTOMER, SUBSCRIPTION, '00042']);
    expect(await records(file, 'other 3')).toEqual([{ line: 1, cells: ['other 3'] }]);
    await expect(records(file, 'Nope')).rejects.toThrow(
      /has no sheet named "Nope"; its sheets are: "PO Numbers"/,
    );
  });

  test('a hidden first sheet is passed over for the first one Excel shows', async () => {
    const file = await workbook('hidden.xlsx', (wb) => {
      wb.addWorksheet('Lookup', { state: 'hidden' }).addRow(['lookup']);
      wb.addWorksheet('Data').addRow(['data']);
    });
    expect(await records(file)).toEqual([{ line: 1, cells: ['data'] }]);
  });

  test('stopping after the header leaves no temporary copy of the sheet behind', async () => {
    const file = await workbook('early.xlsx', (wb) => {
      const ws = wb.addWorksheet('Rows');
      ws.addRow(HEADER);
      for (let i = 0; i < 500; i++) ws.addRow([CUSTOMER, SUBSCRIPTION, `PO-${i}`]);
      wb.addWorksheet('More').addRow(['x']);
    });
    const ours = async () =>
      (await readdir(os.tmpdir())).filter((n) => n.startsWith(`tmp-${process.pid}-`)).length;
    const before = await ours();
    for await (const record of readWorkbookRecords(file, 'early.xlsx', undefined)) {
      expect(record.line).toBe(1);
      break;
    }
    // exceljs removes its copies asynchronously: give it a moment.
    for (let i = 0; i < 50 && (await ours()) > before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await ours()).toBe(before);
  });

  test('a sheet of 100,000 rows streams with flat memory', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'big.xlsx');
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: file,
      useSharedStrings: true,
    });
    const ws = writer.addWorksheet('Big');
    ws.addRow(HEADER).commit();
    for (let i = 0; i < 100_000; i++) ws.addRow([CUSTOMER, SUBSCRIPTION, `PO-${i}`]).commit();
    await ws.commit();
    await writer.commit();
    global.gc?.();
    const start = process.memoryUsage().rss;
    let peak = start;
    let count = 0;
    let last = 0;
    for await (const record of readWorkbookRecords(file, 'big.xlsx', undefined)) {
      count++;
      last = record.line;
      if (count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(count).toBe(100_001);
    expect(last).toBe(100_001);
    // The shared strings (100,000 distinct PO numbers here) are held; rows are not.
    expect(peak - start).toBeLessThan(150 * 1024 * 1024);
  });
});
