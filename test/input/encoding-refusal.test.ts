/** Bytes invalid in the encoding read: read as Windows-1252, or refused at their row and cell. */
import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../src/errors.js';
import { answerBadBytes, locateByte } from '../../src/input/encoding-refusal.js';
import type { InputFormat } from '../../src/input/record.js';
import { tempFile } from '../helpers/files.js';

const GUESSED: InputFormat = { container: 'csv', encoding: 'utf-8', delimiter: ',', guessedEncoding: true };
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

async function refusal(promise: Promise<unknown>): Promise<InputError> {
  const error = await promise.catch((e: unknown) => e);
  if (error instanceof InputError) return error;
  throw new Error(`expected an InputError, got ${String(error)}`);
}

describe('answerBadBytes', () => {
  test('a guessed UTF-8 with no UTF-8 beyond ASCII is read as Windows-1252, with a warning', async () => {
    const file = await tempFile('in.csv', bytes('a,b\nM', [0xfc], 'ller,x\n'));
    expect(await answerBadBytes(file, 'in.csv', GUESSED, false)).toBe(
      'in.csv is not valid UTF-8; read it as Windows-1252 (use --encoding to choose another)',
    );
  });

  test('UTF-8 mixed with other bytes is refused at the row and cell of the first, naming --encoding', async () => {
    const file = await tempFile('in.csv', bytes('a,b,c\nx,Müller,1\ny,"two\nlines",Gr', [0xfc], 'n\n'));
    const error = await refusal(answerBadBytes(file, 'in.csv', GUESSED, false));
    expect(error.message).toBe(
      'in.csv, line 3, column 3: the file is UTF-8 but this cell holds a byte that is not (0xFC, "ü" in ' +
        'Windows-1252): read either way, some of its text would be sent wrong. Correct the cell and save the ' +
        'file as "CSV UTF-8", or name the encoding of the whole file with --encoding (line 4 in a text editor)',
    );
    expect([error.line, error.column]).toEqual([3, 3]);
  });

  test('a byte that shows no character in Windows-1252 is named by its value only', async () => {
    const file = await tempFile('in.csv', bytes('a,é\n', [0x81], '\n'));
    expect((await refusal(answerBadBytes(file, 'in.csv', GUESSED, false))).message).toMatch(
      /^in\.csv, line 2, column 1: the file is UTF-8 but this cell holds a byte that is not \(0x81\): read/,
    );
  });

  test('a file its byte-order mark misnames is damaged; one --encoding misnames points at --encoding', async () => {
    const utf16 = Buffer.concat([Buffer.from('\ufeffa,b\r\nc,d', 'utf16le'), Buffer.from([0x00, 0xdc])]);
    const file = await tempFile('in.csv', utf16);
    const format = { ...GUESSED, encoding: 'utf-16le', guessedEncoding: false };
    expect((await refusal(answerBadBytes(file, 'in.csv', format, false))).message).toBe(
      "in.csv, line 2, column 2: the bytes here (0xDC) are not valid UTF-16LE, though the file's byte-order " +
        'mark says it is UTF-16LE: the file is damaged; save it again from the spreadsheet',
    );
    const latin = await tempFile('in.csv', bytes('a,b\nc,', [0xe9], '\n'));
    expect(
      (await refusal(answerBadBytes(latin, 'in.csv', { ...GUESSED, guessedEncoding: false }, true))).message,
    ).toBe(
      'in.csv, line 2, column 2: the bytes here (0xE9) are not valid UTF-8, the encoding --encoding named; ' +
        "give the file's own encoding with --encoding, or leave it out to have it detected",
    );
  });
});

describe('locateByte', () => {
  test('finds the row, the cell and the file line of a byte, inside quotes, after a closing quote, at a row start', async () => {
    const text = 'h1,h2\n"a\nb",x\n\n"quoted",tail\nstart';
    const file = await tempFile('in.csv', text);
    const at = (needle: string) => locateByte(file, GUESSED, Buffer.from(text).indexOf(needle));
    expect(await at('b"')).toEqual({ line: 2, column: 1, fileLine: 3 });
    expect(await at('x')).toEqual({ line: 2, column: 2, fileLine: 3 });
    expect(await at(',tail')).toEqual({ line: 4, column: 1, fileLine: 5 });
    expect(await at('start')).toEqual({ line: 5, column: 1, fileLine: 6 });
    expect(await locateByte(file, GUESSED, 0)).toEqual({ line: 1, column: 1, fileLine: 1 });
  });

  test("after Excel's sep= line, the header is row 2", async () => {
    const text = 'sep=;\na;b\nc;d';
    const file = await tempFile('in.csv', text);
    const format = { ...GUESSED, delimiter: ';', sepLine: true };
    expect(await locateByte(file, format, text.indexOf('d'))).toEqual({ line: 3, column: 2, fileLine: 3 });
  });
});
