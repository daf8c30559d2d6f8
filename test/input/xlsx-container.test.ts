/** Refusing what is not an .xlsx before exceljs reads it, each with the reason a person can act on. */
import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { InputError } from '../../src/errors.js';
import { checkContainer } from '../../src/input/xlsx-container.js';
import { tempDir, tempFile } from '../helpers/files.js';
import { encryptedWorkbook, legacyWorkbook } from '../helpers/ole.js';

async function reason(content: Buffer | string, name = 'book.xlsx'): Promise<string> {
  const error = await checkContainer(await tempFile(name, content), name).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).message;
}

describe('checkContainer', () => {
  test('a zip passes, whatever it holds: exceljs tells a workbook from other zips', async () => {
    const file = await tempFile('book.xlsx', Buffer.from('PK\x03\x04anything', 'latin1'));
    await expect(checkContainer(file, 'book.xlsx')).resolves.toBeUndefined();
  });

  test('an empty file and an empty zip are refused as such', async () => {
    expect(await reason('')).toBe('book.xlsx: is empty: expected an .xlsx workbook');
    expect(await reason(Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'latin1'))).toBe(
      'book.xlsx: is an empty zip archive, not an .xlsx workbook',
    );
  });

  test('an OLE container is told apart: encrypted workbook or Excel 97-2003 file', async () => {
    expect(await reason(encryptedWorkbook())).toMatch(
      /^book\.xlsx: is protected with a password \(encrypted\)/,
    );
    expect(await reason(legacyWorkbook(), 'old.xls')).toBe(
      'old.xls: is an Excel 97-2003 workbook (.xls), not .xlsx: open it in Excel and save it as .xlsx or CSV UTF-8',
    );
  });

  test('text and a short file are refused as not a zip', async () => {
    expect(await reason('customerId,poNumber\n')).toBe(
      'book.xlsx: is not an .xlsx workbook (it is not a zip archive)',
    );
    expect(await reason(Buffer.from([0xd0, 0xcf, 0x11]))).toBe(
      'book.xlsx: is not an .xlsx workbook (it is not a zip archive)',
    );
  });

  test('a path that cannot be opened is refused with its error code', async () => {
    const missing = path.join(await tempDir(), 'gone.xlsx');
    await expect(checkContainer(missing, 'gone.xlsx')).rejects.toThrow(
      'gone.xlsx: cannot be read (ENOENT): check the path and its permissions',
    );
  });
});
