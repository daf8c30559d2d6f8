/** The CSV as a stream of numbered records: strict decoding, csv-parse, and the line each record starts on. */
import { createReadStream } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import type { InputFormat, InputRecord } from '../../src/input/record.js';
import { eachRecord, lineBreaks, parseCsv } from '../../src/input/csv-stream.js';
import { tempFile } from '../helpers/files.js';

const CSV: InputFormat = { container: 'csv', encoding: 'utf-8', delimiter: ',', guessedEncoding: true };

async function parsed(content: string | Buffer, format = CSV): Promise<InputRecord[]> {
  const source = createReadStream(await tempFile('in.csv', content));
  const parser = parseCsv(source, format);
  const out: InputRecord[] = [];
  try {
    for await (const record of eachRecord(parser)) out.push(record);
  } finally {
    source.destroy();
  }
  return out;
}

describe('parseCsv', () => {
  test('records keep empty rows of cells; only truly empty lines are skipped, and still counted as rows', async () => {
    expect(await parsed('a,b\n\n,\n"x\r\ny",z\nlast,1')).toEqual([
      { line: 1, fileLine: 1, cells: ['a', 'b'] },
      { line: 3, fileLine: 3, cells: ['', ''] },
      { line: 4, fileLine: 4, cells: ['x\r\ny', 'z'] },
      { line: 5, fileLine: 6, cells: ['last', '1'] },
    ]);
  });

  test('the delimiter and encoding of the format are used', async () => {
    const bytes = Buffer.from('PO;M\xfcller\n', 'latin1');
    expect(await parsed(bytes, { ...CSV, encoding: 'windows-1252', delimiter: ';' })).toEqual([
      { line: 1, fileLine: 1, cells: ['PO', 'Müller'] },
    ]);
  });

  test('bytes invalid in the encoding fail the parser instead of becoming replacement characters', async () => {
    await expect(parsed(Buffer.from('PO-M\xfcller\n', 'latin1'))).rejects.toMatchObject({
      code: 'ERR_ENCODING_INVALID_ENCODED_DATA',
    });
  });

  test('where a record fails, the parser has counted up to the line it starts on', async () => {
    const source = createReadStream(await tempFile('in.csv', 'a\nb\n"never closed\nc\n'));
    const parser = parseCsv(source, CSV);
    const read = async () => {
      for await (const record of eachRecord(parser)) expect(record.line).toBeLessThan(3);
    };
    await expect(read()).rejects.toMatchObject({ code: 'CSV_QUOTE_NOT_CLOSED' });
    expect(parser.line).toBe(3);
    source.destroy();
  });
});

describe('NumberedParser', () => {
  test("Excel's sep= first line is row 1 but no record: the header is row 2", async () => {
    const records = await parsed('sep=;\r\na;b\r\n"x\ny";z\r\n\r\nlast;1\r\n', {
      ...CSV,
      delimiter: ';',
      sepLine: true,
    });
    expect(records).toEqual([
      { line: 2, fileLine: 2, cells: ['a', 'b'] },
      { line: 3, fileLine: 3, cells: ['x\ny', 'z'] },
      { line: 5, fileLine: 6, cells: ['last', '1'] },
    ]);
  });

  test('the row and file line of the next record count the blank lines already skipped', async () => {
    const source = createReadStream(await tempFile('in.csv', 'a\n"b\nc"\n\n\n"never closed\n'));
    const parser = parseCsv(source, CSV);
    await expect(
      (async () => {
        for await (const _ of eachRecord(parser));
      })(),
    ).rejects.toMatchObject({ code: 'CSV_QUOTE_NOT_CLOSED' });
    expect([parser.line, parser.fileLine]).toEqual([5, 6]);
    source.destroy();
  });

  test('text given as the tail is parsed after the last byte', async () => {
    const source = createReadStream(await tempFile('in.csv', 'a,b\nc,'));
    const records: InputRecord[] = [];
    for await (const record of eachRecord(parseCsv(source, CSV, { tail: 'x' }))) records.push(record);
    expect(records.map((r) => r.cells)).toEqual([
      ['a', 'b'],
      ['c', 'x'],
    ]);
  });
});

describe('lineBreaks', () => {
  test('CRLF counts once, lone CR and LF once each', () => {
    expect(lineBreaks('a\r\nb\rc\nd')).toBe(3);
    expect(lineBreaks('no breaks')).toBe(0);
  });
});
