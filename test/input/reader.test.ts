import { describe, expect, test } from '@jest/globals';
import { appendFile, truncate } from 'node:fs/promises';
import { InputError } from '../../src/errors.js';
import { poNumbers } from '../../src/kinds.js';
import { preflight } from '../../src/input/preflight.js';
import {
  detectDelimiter,
  InputChangedError,
  readRecords,
  sniffInput,
  type InputRecord,
} from '../../src/input/reader.js';
import { tempFile } from '../helpers/files.js';

const C = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const S = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const options = {
  kind: poNumbers,
  encoding: undefined,
  delimiter: undefined,
  allowClear: false,
  acceptNumbers: false,
};

async function records(content: string | Buffer): Promise<InputRecord[]> {
  const file = await tempFile('in.csv', content);
  const format = await sniffInput(file, {});
  const out: InputRecord[] = [];
  for await (const record of readRecords(file, 'in.csv', format)) out.push(record);
  return out;
}

async function refusal(content: string | Buffer): Promise<InputError> {
  const file = await tempFile('in.csv', content);
  try {
    await preflight(file, 'in.csv', options);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('reading records', () => {
  test('each record carries the row Excel shows for it (quoted line breaks stay in their row, blank lines are rows) and the line of the file it starts on', async () => {
    const got = await records('a,b,c\r\n1,"two\r\nlines",3\r\n\r\n,,\r\n4,5,"x\ny\rz"\n7,8,9');
    expect(got).toEqual([
      { line: 1, fileLine: 1, cells: ['a', 'b', 'c'] },
      { line: 2, fileLine: 2, cells: ['1', 'two\r\nlines', '3'] },
      { line: 5, fileLine: 6, cells: ['4', '5', 'x\ny\rz'] },
      { line: 6, fileLine: 9, cells: ['7', '8', '9'] },
    ]);
  });

  test('LF, CRLF and lone CR line endings are all read, even mixed', async () => {
    expect((await records('a\rb\nc\r\nd')).map((r) => [r.line, r.cells[0]])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ]);
  });

  test('the delimiter is detected from the header line, ignoring quoted text', () => {
    expect(detectDelimiter('Customer ID;Subscription ID;PO Number\n1,2,3')).toBe(';');
    expect(detectDelimiter('a\tb\tc')).toBe('\t');
    expect(detectDelimiter('"x;y;z",b,c')).toBe(',');
    expect(detectDelimiter('a|b|c')).toBe('|');
    expect(detectDelimiter('single')).toBe(',');
  });

  test('a UTF-8 BOM is dropped and UTF-16 with a BOM is decoded', async () => {
    expect((await records('\ufeffcustomerId,x\n1,2'))[0]?.cells[0]).toBe('customerId');
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('customerId\tpoNumber\r\n1\tPO-é\r\n', 'utf16le'),
    ]);
    expect(await records(utf16)).toEqual([
      { line: 1, fileLine: 1, cells: ['customerId', 'poNumber'] },
      { line: 2, fileLine: 2, cells: ['1', 'PO-é'] },
    ]);
  });
});

describe('reading what the preflight checked', () => {
  test('a file cut while it is read again yields whole rows checked, then says it changed', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `${C},${S},PO-${i}-${'x'.repeat(i % 50)}`);
    const file = await tempFile('in.csv', `customerId,subscriptionId,poNumber\n${rows.join('\n')}\n`);
    const checked = await preflight(file, 'in.csv', options);
    expect(checked.fingerprint.complete).toBe(true);
    const seen: InputRecord[] = [];
    const read = async () => {
      for await (const record of readRecords(file, 'in.csv', checked.format, {
        against: checked.fingerprint,
      })) {
        if (seen.push(record) === 1) await truncate(file, 1_500_000);
      }
    };
    await expect(read()).rejects.toBeInstanceOf(InputChangedError);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.length).toBeLessThan(rows.length);
    // Every row read is a row of the file as it was checked, whole, at its line.
    seen.slice(1).forEach((record, i) => {
      expect(record).toMatchObject({ line: i + 2, cells: (rows[i] as string).split(',') });
    });
  });
});

describe('reading what the preflight checked, grown', () => {
  test('a file grown while it is read again yields every row checked, then says it changed', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `${C},${S},PO-${i}`);
    const file = await tempFile('in.csv', `customerId,subscriptionId,poNumber\n${rows.join('\n')}\n`);
    const checked = await preflight(file, 'in.csv', options);
    const seen: InputRecord[] = [];
    const read = async () => {
      for await (const record of readRecords(file, 'in.csv', checked.format, {
        against: checked.fingerprint,
      })) {
        if (seen.push(record) === 1) await appendFile(file, `${C},${S},NEW-1\n`);
      }
    };
    await expect(read()).rejects.toThrow(
      /changed while it was being read \(it is longer than the \d+ bytes checked\)/,
    );
    expect(seen.map((r) => r.cells[2])).toEqual(['poNumber', ...rows.map((r) => r.split(',')[2])]);
  });
});

describe('preflight', () => {
  test('counts rows and invalid rows without keeping them', async () => {
    const file = await tempFile(
      'in.csv',
      `customerId,subscriptionId,poNumber\n${C},${S},PO-1\n\nbad,${S},PO-2\n`,
    );
    const result = await preflight(file, 'in.csv', options);
    expect(result.rows).toBe(2);
    expect(result.invalid).toBe(1);
    expect(result.header.kind).toBe(poNumbers);
  });

  test('an unclosed quote is refused with the line where its record starts', async () => {
    const error = await refusal(
      `customerId,subscriptionId,poNumber\n${C},${S},PO-1\n${C},${S},"PO-2\n${C},${S},PO-3\n`,
    );
    expect(error.message).toMatch(
      /^in\.csv, line 3, column 3: a quoted cell starting in this record is never closed/,
    );
  });

  test('a malformed record after a cell with a line break names its row and its line in a text editor', async () => {
    const error = await refusal(`customerId,subscriptionId,poNumber\n${C},${S},"PO\n1"\n${C},${S},"PO-2\n`);
    expect(error.message).toMatch(
      /^in\.csv, line 3, column 3: a quoted cell starting in this record is never closed; .* \(line 4 in a text editor\)$/,
    );
  });

  test('text after a closing quote is refused with its line and column', async () => {
    const error = await refusal(`customerId,subscriptionId,poNumber\n${C},"${S}"x,PO-1\n`);
    expect(error.line).toBe(2);
    expect(error.column).toBe(2);
  });

  test('NUL bytes are refused as binary data with line and column', async () => {
    const error = await refusal(`customerId,subscriptionId,poNumber\n${C},${S},PO-1\n${C},${S},P\u0000O\n`);
    expect(error.message).toContain('in.csv, line 3, column 3: the file contains NUL bytes');
  });

  test('a record over the size limit is refused', async () => {
    const error = await refusal(`customerId,subscriptionId,poNumber\n${C},${S},"${'x'.repeat(1_100_000)}"\n`);
    expect(error.message).toContain('line 2');
    expect(error.message).toContain('longer than');
  });

  test('an empty file and a missing file are refused with their names', async () => {
    expect((await refusal('')).message).toBe('in.csv: the file is empty: expected a header line and rows');
    await expect(preflight('/nonexistent/x.csv', 'x.csv', options)).rejects.toThrow(
      'x.csv: cannot be read (ENOENT)',
    );
  });

  test('bytes that are not UTF-8 are read as Windows-1252, with a warning', async () => {
    const bytes = Buffer.from(`customerId;subscriptionId;poNumber\n${C};${S};PO-M\xfcller\n`, 'latin1');
    const file = await tempFile('in.csv', bytes);
    const result = await preflight(file, 'in.csv', options);
    expect(result.format.encoding).toBe('windows-1252');
    expect(result.format.delimiter).toBe(';');
    expect(result.warnings[0]).toContain('not valid UTF-8; read it as Windows-1252');
    const cells: string[][] = [];
    for await (const r of readRecords(file, 'in.csv', result.format)) cells.push(r.cells);
    expect(cells[1]?.[2]).toBe('PO-Müller');
  });
});

describe('binary data', () => {
  test('a file full of control characters is refused as binary data, not as a quoting problem', async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    const error = await refusal(bytes);
    expect(error.message).toContain('this is binary data, not a CSV file');
    expect(error.line).toBe(1);
  });
});
