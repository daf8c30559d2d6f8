/** Streaming one sheet: the one wanted read, the others closed unread, exceljs's limits told apart. */
import { createReadStream } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { InputRecord } from '../../src/input/record.js';
import { streamWorkbook, WorkbookPartLast } from '../../src/input/xlsx-stream.js';
import { tempDir } from '../helpers/files.js';

/** Write a workbook with the given sheets (name and rows) through exceljs's streaming writer. */
async function streamedBook(sheets: [string, string[][]][]): Promise<string> {
  const file = path.join(await tempDir(), 'book.xlsx');
  const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
  for (const [name, rows] of sheets) {
    const ws = writer.addWorksheet(name);
    for (const row of rows) ws.addRow(row).commit();
    await ws.commit();
  }
  await writer.commit();
  return file;
}

async function records(file: string, sheet?: string): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const record of streamWorkbook(createReadStream(file), 'book.xlsx', sheet)) out.push(record);
  return out;
}

describe('streamWorkbook', () => {
  test('only the sheet chosen is read, the first one unless another is named', async () => {
    const file = await streamedBook([
      ['Notes', [['read me']]],
      ['PO', [['poNumber'], ['PO-1']]],
    ]);
    expect(await records(file)).toEqual([{ line: 1, cells: ['read me'] }]);
    expect(await records(file, 'po')).toEqual([
      { line: 1, cells: ['poNumber'] },
      { line: 2, cells: ['PO-1'] },
    ]);
  });

  test('a sheet that is not there is refused after the whole zip is read', async () => {
    const file = await streamedBook([['PO', [['x']]]]);
    await expect(records(file, 'Orders')).rejects.toThrow(
      'book.xlsx: has no sheet named "Orders"; its sheets are: "PO"',
    );
  });

  test('a workbook whose workbook part comes after several spooled sheets is read right or handed back as WorkbookPartLast', async () => {
    const wb = new ExcelJS.Workbook();
    for (let i = 1; i <= 6; i++) wb.addWorksheet(`Sheet ${i}`).addRow([`row of ${i}`]);
    const file = path.join(await tempDir(), 'part-last.xlsx');
    await wb.xlsx.writeFile(file);
    // Which of the two depends on a race inside exceljs's streaming reader (alone it is
    // WorkbookPartLast about 9 reads in 10; on a loaded machine it read the sheet more often).
    // Either is sound; a wrong or empty read never is. Issue 14 removes the timing dependence.
    for (let read = 0; read < 5; read++) {
      const outcome = await records(file).catch((e: unknown) => e);
      if (outcome instanceof WorkbookPartLast) {
        expect(outcome.refusal.message).toMatch(/^book\.xlsx: is not a readable \.xlsx workbook/);
      } else {
        expect(outcome).toEqual([{ line: 1, cells: ['row of 1'] }]);
      }
    }
  });
});
