/**
 * Reading .xlsx workbooks, the cells: text, numbers under their number format, formulas' cached
 * results and failures, booleans, rich text and links, each as Excel displays it.
 */
import { describe, expect, test } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NO_SAVED_RESULT } from '../../src/input/record.js';
import { tempDir } from '../helpers/files.js';
import { CUSTOMER, HEADER, SUBSCRIPTION, records, workbook } from '../helpers/xlsx-reading.js';
import { openpyxlWorkbook } from '../helpers/zip.js';

describe('reading a sheet', () => {
  test('a text cell keeps its leading zeros and the header row is line 1', async () => {
    const file = await workbook('po.xlsx', (wb) => {
      const ws = wb.addWorksheet('PO numbers');
      ws.addRow(HEADER);
      ws.addRow([CUSTOMER, SUBSCRIPTION, '00017']);
      ws.addRow([CUSTOMER, SUBSCRIPTION, 'Réf. Ø-17, "Müller-Lüdenscheidt"']);
    });
    expect(await records(file)).toEqual([
      { line: 1, cells: HEADER },
      { line: 2, cells: [CUSTOMER, SUBSCRIPTION, '00017'] },
      {
        line: 3,
        cells: [CUSTOMER, SUBSCRIPTION, 'Réf. Ø-17, "Müller-Lüdenscheidt"'],
      },
    ]);
  });

  test('a number cell reads as Excel displays it under its number format', async () => {
    const cases: [number | Date, string | undefined, string][] = [
      [17, '00000', '00017'],
      [4711, '"PO-"000000', 'PO-004711'],
      [1234567.891, '#,##0.00', '1,234,567.89'],
      [0.125, '0.0%', '12.5%'],
      [450012345678, undefined, '450012345678'],
      [new Date(Date.UTC(2026, 0, 31)), 'dd.mm.yyyy', '31.01.2026'],
      [new Date(Date.UTC(2026, 2, 5, 14, 7, 9)), 'yyyy-mm-dd hh:mm:ss', '2026-03-05 14:07:09'],
      [new Date(Date.UTC(2026, 2, 5)), 'd mmm yyyy', '5 Mar 2026'],
      [1.5, '[h]:mm', '36:00'],
      [45322.75, 'h:mm AM/PM', '6:00 PM'],
    ];
    const file = await workbook('formats.xlsx', (wb) => {
      const ws = wb.addWorksheet('Formats');
      ws.addRow(['value']);
      for (const [value, numFmt] of cases) {
        const cell = ws.addRow([value]).getCell(1);
        if (numFmt) cell.numFmt = numFmt;
      }
    });
    const rows = await records(file);
    expect(rows.slice(1).map((r) => r.cells[0])).toEqual(cases.map((c) => c[2]));
  });

  test('formulas give their cached result, rich text is flattened, booleans and links read as shown', async () => {
    const file = await workbook('kinds.xlsx', (wb) => {
      const ws = wb.addWorksheet('Kinds');
      ws.addRow(['formula', 'number formula', 'rich', 'bool', 'link', 'error', 'escaped']);
      ws.addRow([
        { formula: 'CONCAT("PO-","00017")', result: 'PO-00017' },
        { formula: '10+7', result: 17 },
        {
          richText: [{ text: 'Réf. ' }, { font: { bold: true }, text: 'Ø-17' }],
        },
        true,
        { text: 'PO 88', hyperlink: 'https://example.invalid/po/88' },
        { error: '#N/A' },
        'A_x0009_B',
      ]);
      ws.getCell('B2').numFmt = '00000';
    });
    const [, row] = await records(file);
    expect(row?.cells).toEqual(['PO-00017', '00017', 'Réf. Ø-17', 'TRUE', 'PO 88', '#N/A', 'A\tB']);
  });

  test('a formula that failed reads as an error, never as an empty cell', async () => {
    const file = await workbook('failed.xlsx', (wb) => {
      const ws = wb.addWorksheet('Failed');
      ws.addRow(['empty text', 'zero', 'division', 'lookup', 'not calculated']);
      ws.addRow([
        { formula: 'IF(1,"","x")', result: '' },
        { formula: '1-1', result: 0 },
        { formula: '1/0', result: { error: '#DIV/0!' } },
        { formula: 'VLOOKUP(A1,Z:Z,1,FALSE)', result: { error: '#N/A' } },
        { formula: '1+1' },
      ]);
    });
    const [, row] = await records(file);
    // An error result reads as the error Excel shows (exceljs's streaming reader lost its name, and
    // read '#ERROR'), which validation refuses; a formula with no saved result says so. Falsy
    // results that are values stay values.
    expect(row?.cells).toEqual(['', '0', '#DIV/0!', '#N/A', NO_SAVED_RESULT]);
  });

  test('a formula whose result is TRUE or FALSE reads as Excel shows it, not as 1 or 0', async () => {
    const file = await workbook('booleans.xlsx', (wb) => {
      const ws = wb.addWorksheet('Booleans');
      ws.addRow(['true', 'false', 'plain']);
      ws.addRow([{ formula: '1=1', result: true }, { formula: '1=2', result: false }, true]);
    });
    const [, row] = await records(file);
    expect(row?.cells).toEqual(['TRUE', 'FALSE', 'TRUE']);
  });

  test('a workbook as openpyxl writes it: a formula it never calculated has no result, booleans stay booleans', async () => {
    const text = (ref: string, value: string) => `<c r="${ref}" t="inlineStr"><is><t>${value}</t></is></c>`;
    const file = path.join(await tempDir(), 'openpyxl.xlsx');
    await writeFile(
      file,
      openpyxlWorkbook(
        `<row r="1">${text('A1', 'customerId')}${text('B1', 'flag')}${text('C1', 'poNumber')}${text('D1', 'empty text')}</row>` +
          `<row r="2">${text('A2', CUSTOMER)}<c r="B2" t="b"><f>1=1</f><v>1</v></c>` +
          '<c r="C2"><f>CONCAT("PO-",A2)</f><v></v></c><c r="D2" t="str"><f>""</f><v></v></c><c r="E2"><f>1+1</f><v/></c></row>',
      ),
    );
    const [, row] = await records(file);
    expect(row?.cells).toEqual([CUSTOMER, 'TRUE', NO_SAVED_RESULT, '', NO_SAVED_RESULT]);
  });
});
