/** Telling how to read a file from its first bytes: workbook or text, encoding, binary, delimiter. */
import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../src/errors.js';
import { detectDelimiter, sepLine, sniffInput, utf16WithoutBom } from '../../src/input/sniff.js';
import { tempDir, tempFile } from '../helpers/files.js';

describe('sniffInput', () => {
  test('a zip is a workbook whatever its name, with the sheet asked for', async () => {
    const file = await tempFile('upload.bin', Buffer.from('PK\x03\x04rest of a zip', 'latin1'));
    expect(await sniffInput(file, { sheet: 'PO' })).toEqual({
      container: 'xlsx',
      sheet: 'PO',
      encoding: 'utf-8',
      delimiter: ',',
      guessedEncoding: false,
    });
  });

  test('text without a byte-order mark is guessed to be UTF-8, with its delimiter from the header', async () => {
    const file = await tempFile('in.csv', 'customerId;subscriptionId;poNumber\n1;2;3\n');
    expect(await sniffInput(file, {})).toEqual({
      container: 'csv',
      encoding: 'utf-8',
      delimiter: ';',
      guessedEncoding: true,
    });
  });

  test('a UTF-16 byte-order mark names the encoding, and forced options win over what is seen', async () => {
    const le = await tempFile(
      'le.csv',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\tb', 'utf16le')]),
    );
    expect(await sniffInput(le, {})).toMatchObject({
      encoding: 'utf-16le',
      delimiter: '\t',
      guessedEncoding: false,
    });
    const be = await tempFile('be.csv', Buffer.from([0xfe, 0xff, 0x00, 0x61]));
    expect((await sniffInput(be, {})).encoding).toBe('utf-16be');
    const plain = await tempFile('in.csv', 'a,b\n');
    expect(await sniffInput(plain, { encoding: 'windows-1252', delimiter: '|' })).toMatchObject({
      encoding: 'windows-1252',
      delimiter: '|',
      guessedEncoding: false,
    });
  });

  test('binary data is refused by its display name, with the line it starts on', async () => {
    const file = await tempFile('x.csv', Buffer.concat([Buffer.from('a,b\nc,d\n'), Buffer.alloc(200)]));
    const error = await sniffInput(file, {}, 'report.csv').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/^report\.csv, line 3: this is binary data/);
  });

  test('a missing file or a folder is refused as unreadable', async () => {
    const dir = await tempDir();
    await expect(sniffInput(`${dir}/nowhere.csv`, {}, 'nowhere.csv')).rejects.toThrow(
      'nowhere.csv: cannot be read (ENOENT)',
    );
    await expect(sniffInput(dir, {}, 'folder')).rejects.toThrow('folder: cannot be read (EISDIR)');
  });
});

describe("Excel's sep= line", () => {
  test('names the delimiter, is marked in the format, and an option still wins', async () => {
    const file = await tempFile('sep.csv', 'sep=;\r\ncustomerId;subscriptionId;poNumber\r\n');
    expect(await sniffInput(file, {})).toMatchObject({ delimiter: ';', sepLine: true });
    expect(await sniffInput(file, { delimiter: ',' })).toMatchObject({ delimiter: ',', sepLine: true });
    const plain = await tempFile('plain.csv', 'customerId,subscriptionId,poNumber\n');
    expect((await sniffInput(plain, {})).sepLine).toBeUndefined();
  });

  test('is only a whole first line naming one character', () => {
    expect(sepLine('sep=;\nx')).toBe(';');
    expect(sepLine('\ufeffSEP=|\r\n')).toBe('|');
    expect(sepLine('sep=\t')).toBe('\t');
    expect(sepLine('sep=;;;\n')).toBe(';');
    expect(sepLine('sep=;x\n')).toBeUndefined();
    expect(sepLine('sep="\n')).toBeUndefined();
    expect(sepLine('a,b\nsep=;')).toBeUndefined();
  });
});

describe('UTF-16 without a byte-order mark', () => {
  test('is told apart from binary data, with the --encoding to give', async () => {
    const text = 'customerId,subscriptionId,poNumber\r\n1,2,3\r\n';
    for (const encoding of ['utf-16le', 'utf-16be'] as const) {
      const le = Buffer.from(text, 'utf16le');
      const bytes = encoding === 'utf-16le' ? le : Buffer.from(le).swap16();
      expect(utf16WithoutBom(bytes)).toBe(encoding);
      const error = await sniffInput(await tempFile('u.csv', bytes), {}, 'u.csv').catch((e: unknown) => e);
      expect((error as InputError).message).toBe(
        `u.csv: this looks like ${encoding.toUpperCase()} text without its byte-order mark; ` +
          `run again with --encoding ${encoding}, or save the spreadsheet as "CSV UTF-8"`,
      );
    }
    expect(utf16WithoutBom(Buffer.alloc(200))).toBeUndefined();
    expect(utf16WithoutBom(Buffer.from(text))).toBeUndefined();
  });
});

describe('detectDelimiter', () => {
  test('only the first line counts, and a tie goes to the earlier candidate', () => {
    expect(detectDelimiter('a,b\nc;d;e;f')).toBe(',');
    expect(detectDelimiter('a;b,c')).toBe(',');
    expect(detectDelimiter('a;b|c|d;e')).toBe(';');
  });
});
