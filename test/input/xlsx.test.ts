/**
 * Reading .xlsx workbooks: rows and line numbers as Excel shows them, cells as Excel displays them,
 * sheets by name, and every kind of file that is not a readable workbook refused with a reason.
 */
import { describe, expect, test } from '@jest/globals';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { InputError } from '../../src/errors.js';
import { InputChangedError, type Fingerprint, type InputRecord } from '../../src/input/reader.js';
import { readWorkbookRecords } from '../../src/input/xlsx.js';
import { formatNumber } from '../../src/input/xlsx-format.js';
import { NO_SAVED_RESULT } from '../../src/input/record.js';
import { tempDir } from '../helpers/files.js';
import { encryptedWorkbook, legacyWorkbook } from '../helpers/ole.js';
import { openpyxlWorkbook } from '../helpers/zip.js';

const CUSTOMER = '936d7ec9-6070-4ae5-a8f4-9e72b88f7ca0';
const SUBSCRIPTION = 'e29d53a5-22fe-44f2-9cf4-2bee896f4a7c';
const HEADER = ['Customer ID', 'Subscription ID', 'PO Number'];

/** Build a workbook with exceljs, let `fill` shape it, and save it as `name` in a new folder. */
async function workbook(name: string, fill: (wb: ExcelJS.Workbook) => void): Promise<string> {
  const wb = new ExcelJS.Workbook();
  fill(wb);
  const file = path.join(await tempDir(), name);
  await wb.xlsx.writeFile(file);
  return file;
}

async function records(file: string, sheet?: string): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const record of readWorkbookRecords(file, path.basename(file), sheet)) out.push(record);
  return out;
}

/** The InputError reading `file` throws (fails the test if it reads fine or throws anything else). */
async function refusal(file: string, sheet?: string): Promise<InputError> {
  try {
    await records(file, sheet);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error(`${file} was read without an error`);
}

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

describe('refusing what is not a readable workbook', () => {
  test('a missing sheet is refused, naming the sheets that exist', async () => {
    const file = await workbook('named.xlsx', (wb) => {
      wb.addWorksheet('PO Numbers').addRow(HEADER);
      wb.addWorksheet('Notes').addRow(['n']);
    });
    const error = await refusal(file, 'Orders');
    expect(error.message).toBe(
      'named.xlsx: has no sheet named "Orders"; its sheets are: "PO Numbers", "Notes"',
    );
    expect(error.code).toBe('INPUT');
    expect(error.exitCode).toBe(2);
  });

  test('a CSV file, random bytes and an empty file are refused as not a workbook', async () => {
    const dir = await tempDir();
    const csv = path.join(dir, 'po.csv');
    await writeFile(csv, `${HEADER.join(',')}\n${CUSTOMER},${SUBSCRIPTION},00017\n`);
    expect((await refusal(csv)).message).toBe('po.csv: is not an .xlsx workbook (it is not a zip archive)');
    const noise = path.join(dir, 'noise.xlsx');
    await writeFile(noise, Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) & 0xff)));
    expect((await refusal(noise)).message).toContain('noise.xlsx: is not an .xlsx workbook');
    const empty = path.join(dir, 'empty.xlsx');
    await writeFile(empty, '');
    expect((await refusal(empty)).message).toBe('empty.xlsx: is empty: expected an .xlsx workbook');
  });

  test('a truncated or damaged workbook is refused with the reason, not a stack trace', async () => {
    const file = await workbook('whole.xlsx', (wb) => {
      const ws = wb.addWorksheet('Rows');
      ws.addRow(HEADER);
      for (let i = 0; i < 50; i++) ws.addRow([CUSTOMER, SUBSCRIPTION, `PO-${i}`]);
    });
    const bytes = await readFile(file);
    const dir = path.dirname(file);
    const cut = path.join(dir, 'cut.xlsx');
    await writeFile(cut, bytes.subarray(0, 2000));
    const error = await refusal(cut);
    expect(error.message).toMatch(
      /^cut\.xlsx: is not a readable \.xlsx workbook: it is damaged or truncated/,
    );
    expect(error.message).not.toContain('\n');
    const zipOfOther = path.join(dir, 'other.xlsx');
    // A zip holding one stored file, but no workbook part (as a .docx or any other zip would be).
    const name = Buffer.from('readme.txt');
    const body = Buffer.from('hello');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(10, 4);
    local.writeUInt32LE(0x3610a686, 14); // CRC-32 of "hello"
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(body.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(10, 6);
    central.writeUInt32LE(0x3610a686, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(body.length, 24);
    central.writeUInt16LE(name.length, 28);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 8);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(central.length + name.length, 12);
    end.writeUInt32LE(local.length + name.length + body.length, 16);
    await writeFile(zipOfOther, Buffer.concat([local, name, body, central, name, end]));
    expect((await refusal(zipOfOther)).message).toBe(
      'other.xlsx: is a zip archive but not an Excel workbook (it has no workbook part)',
    );
  });

  test('a password-protected workbook is refused with what to do about it', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'locked.xlsx');
    await writeFile(file, encryptedWorkbook());
    expect((await refusal(file)).message).toMatch(
      /^locked\.xlsx: is protected with a password \(encrypted\): .*remove the password/,
    );
  });

  test('an Excel 97-2003 .xls workbook is refused with a hint to save it as .xlsx', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'old.xls');
    await writeFile(file, legacyWorkbook());
    expect((await refusal(file)).message).toBe(
      'old.xls: is an Excel 97-2003 workbook (.xls), not .xlsx: open it in Excel and save it as .xlsx or CSV UTF-8',
    );
  });

  test('a file that does not exist is refused as unreadable', async () => {
    const error = await refusal(path.join(await tempDir(), 'nowhere.xlsx'));
    expect(error.message).toMatch(/nowhere\.xlsx: cannot be read \(ENOENT\)/);
  });
});

describe('number formats', () => {
  test.each([
    [17, '00000', '00017'],
    [123456, '00000', '123456'],
    [-17, '00000', '-00017'],
    [0, '#,##0', '0'],
    [1234567, '#,##0', '1,234,567'],
    [1234.5, '#,##0.00', '1,234.50'],
    [-1234.5, '#,##0.00;(#,##0.00)', '(1,234.50)'],
    [0, '#,##0.00;(#,##0.00);"-"', '-'],
    [1.005, '0.00', '1.01'],
    [2.5, '0', '3'],
    [0.5, '#.##', '.5'],
    [12.5, '0.0#', '12.5'],
    [12, '0.0#', '12.0'],
    [0.1234, '0%', '12%'],
    [0.1234, '0.00%', '12.34%'],
    [12345.678, '0.00E+00', '1.23E+04'],
    [0.000123, '0.00E+00', '1.23E-04'],
    [12345, '##0.0E+0', '12.3E+3'],
    [1234567, '#,##0,"k"', '1,235k'],
    [5, '[$€-407] #,##0.00', '€ 5.00'],
    [5, '[Red]0.00', '5.00'],
    [123456, '000-000', '123-456'],
    [42, '"PO"\\-0000', 'PO-0042'],
    [42, '0_);(0)', '42 '],
    [0.3, undefined, '0.3'],
    [0.1 + 0.2, 'General', '0.3'],
    [1e21, 'General', '1E+21'],
    [123.456, '@', '123.456'],
    [45322, 'yyyy-mm-dd', '2024-01-31'],
    [45322, 'mm-dd-yy', '2024-01-31'],
    [45322, 'dddd, d mmmm yy', 'Wednesday, 31 January 24'],
    [45322.75, 'h:mm AM/PM', '6:00 PM'],
    [45322.75, 'hh:mm:ss', '18:00:00'],
    [1.5, '[h]:mm', '36:00'],
    [45322.000011574, 'ss.000', '01.000'],
    [60, 'yyyy-mm-dd', '1900-02-29'],
    [61, 'yyyy-mm-dd', '1900-03-01'],
    [1, 'd/m/yyyy', '1/1/1900'],
    [45322.99999, 'yyyy-mm-dd hh:mm', '2024-01-31 23:59'],
    [45322, 'mmmmm', 'J'],
    [45322.5, 'yyyy-mm-dd hh:mm', '2024-01-31 12:00'],
  ])('%p under %p reads %p', (value, code, expected) => {
    expect(formatNumber(value, code)).toBe(expected);
  });
});
