/** Reading .xlsx workbooks: every kind of file that is not a readable workbook refused with a reason. */
import { describe, expect, test } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from '../helpers/files.js';
import { encryptedWorkbook, legacyWorkbook } from '../helpers/ole.js';
import { CUSTOMER, HEADER, SUBSCRIPTION, refusal, workbook } from '../helpers/xlsx-reading.js';

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
