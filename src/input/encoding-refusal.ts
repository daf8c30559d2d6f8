/**
 * What to do when a file's bytes are not valid in the encoding it is read in. A guessed UTF-8 that
 * holds nothing but ASCII and bytes that are not UTF-8 is read as Windows-1252, the ANSI code page
 * Excel's "CSV" writes in the West. Anything else is refused at the row and cell of the first bad
 * byte: a file that mixes UTF-8 with other bytes (read either way, some of its text would be sent
 * wrong), and a file its byte-order mark or --encoding misnames.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { CsvError } from 'csv-parse';
import { InputError } from '../errors.js';
import { eachRecord, lineBreaks, parseCsv } from './csv-stream.js';
import { scanFile, type ByteScan } from './encoding-check.js';
import { editorLine } from './read-errors.js';
import type { InputFormat, InputRecord } from './record.js';

/** Where a byte is: its row and cell as Excel shows them, and its line in a text editor. */
export interface BytePlace {
  readonly line: number;
  readonly column: number;
  readonly fileLine: number;
}

/**
 * Answer bytes invalid in `format.encoding`: returns the warning to give when the file is to be
 * read as Windows-1252 instead, or throws the `InputError` that refuses it. `forced`: the encoding
 * came from --encoding.
 */
export async function answerBadBytes(
  file: string,
  displayName: string,
  format: InputFormat,
  forced: boolean,
): Promise<string> {
  const scan = await scanFile(file, format.encoding);
  if (format.guessedEncoding && !scan.multiByte)
    return `${displayName} is not valid UTF-8; read it as Windows-1252 (use --encoding to choose another)`;
  if (scan.firstInvalid === undefined)
    throw new InputError(displayName, `the file is not valid ${nameOf(format.encoding)}; check --encoding`);
  const place = await locateByte(file, format, scan.firstInvalid);
  throw new InputError(displayName, badBytes(format, forced, scan) + editorLine(place.line, place.fileLine), {
    line: place.line,
    column: place.column,
  });
}

/** How an encoding is written for people. */
function nameOf(encoding: string): string {
  return encoding === 'windows-1252' ? 'Windows-1252' : encoding.toUpperCase();
}

/** Why the bytes at the place named are refused, and what to do. */
function badBytes(format: InputFormat, forced: boolean, scan: ByteScan): string {
  const byte = scan.invalidByte ?? 0;
  const hex = `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  if (format.guessedEncoding) {
    // Node's decoder reads 0x80-0x9F as control characters (nodejs/node#56542): those show nothing.
    const shown = new TextDecoder('windows-1252').decode(Buffer.from([byte]));
    const as = shown >= '\u00a0' ? `, "${shown}" in Windows-1252` : '';
    return (
      `the file is UTF-8 but this cell holds a byte that is not (${hex}${as}): ` +
      'read either way, some of its text would be sent wrong. Correct the cell and save the file as ' +
      '"CSV UTF-8", or name the encoding of the whole file with --encoding'
    );
  }
  const name = nameOf(format.encoding);
  if (forced) {
    return (
      `the bytes here (${hex}) are not valid ${name}, the encoding --encoding named; ` +
      "give the file's own encoding with --encoding, or leave it out to have it detected"
    );
  }
  return (
    `the bytes here (${hex}) are not valid ${name}, though the file's byte-order mark says it is ${name}: ` +
    'the file is damaged; save it again from the spreadsheet'
  );
}

/**
 * The row and cell of the byte at `offset`: the text before it is parsed, then a character standing
 * for it, so the last record read is the one it is in. Ending inside a quoted cell, that cell is
 * closed; ending just after a closing quote, nothing is added (the byte belongs to that cell).
 */
export async function locateByte(file: string, format: InputFormat, offset: number): Promise<BytePlace> {
  const stand = format.delimiter === 'x' ? 'y' : 'x';
  let found = await placeWithTail(file, format, offset, stand);
  if (found === 'CSV_QUOTE_NOT_CLOSED') found = await placeWithTail(file, format, offset, `${stand}"`);
  else if (found === 'CSV_INVALID_CLOSING_QUOTE') found = await placeWithTail(file, format, offset, '');
  return typeof found === 'string' ? { line: 1, column: 1, fileLine: 1 } : found;
}

/** The place of the last record of the first `offset` bytes and `tail`, or the code of the CSV error met. */
async function placeWithTail(
  file: string,
  format: InputFormat,
  offset: number,
  tail: string,
): Promise<BytePlace | string> {
  const bytes = offset === 0 ? Readable.from([]) : createReadStream(file, { end: offset - 1 });
  const parser = parseCsv(bytes, format, { tail });
  let last: InputRecord | undefined;
  try {
    for await (const record of eachRecord(parser)) last = record;
  } catch (error) {
    if (error instanceof CsvError) return error.code;
    throw error;
  } finally {
    bytes.destroy();
    parser.destroy();
  }
  if (last === undefined) return { line: 1, column: 1, fileLine: 1 };
  const breaks = last.cells.reduce((sum, cell) => sum + lineBreaks(cell), 0);
  return { line: last.line, column: last.cells.length, fileLine: (last.fileLine ?? last.line) + breaks };
}
