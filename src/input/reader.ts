/**
 * Reading the input: detect the encoding and delimiter, decode, parse with csv-parse as a stream,
 * and yield each data record with the line it starts on (the header being line 1), so the numbers
 * match what a person sees in a spreadsheet. Blank rows are skipped; line numbers stay true.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { CsvError, Parser, type Options } from 'csv-parse';
import { InputError } from '../errors.js';

/** One record of the file: its cells as written, and the line it starts on. */
export interface InputRecord {
  readonly line: number;
  readonly cells: string[];
}

/** How to read a file: found by `sniffInput`, or forced by options. */
export interface InputFormat {
  /** A CSV (or tab-separated text) file, or an Excel workbook. */
  readonly container: 'csv' | 'xlsx';
  /** The worksheet to read in a workbook; undefined = the first visible one. */
  readonly sheet?: string | undefined;
  readonly encoding: string;
  readonly delimiter: string;
  /** True when the encoding was a guess (no BOM, not forced): invalid UTF-8 may fall back to Windows-1252. */
  readonly guessedEncoding: boolean;
}

/** A record longer than this is not a spreadsheet row: refuse the file rather than hold it. */
export const MAX_RECORD_BYTES = 1 << 20;
const SNIFF_BYTES = 64 * 1024;
const DELIMITER_CANDIDATES = [',', ';', '\t', '|'];

/** Look at the first bytes: BOM for the encoding, the header line for the delimiter. */
export async function sniffInput(
  file: string,
  forced: { encoding?: string | undefined; delimiter?: string | undefined; sheet?: string | undefined },
  displayName = file,
): Promise<InputFormat> {
  let head: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw unreadable(displayName, error);
  }
  // A workbook is a zip: told by its first bytes, not its name, so standard input works too.
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    return {
      container: 'xlsx',
      sheet: forced.sheet,
      encoding: 'utf-8',
      delimiter: ',',
      guessedEncoding: false,
    };
  }
  let encoding = forced.encoding;
  if (encoding === undefined) {
    if (head[0] === 0xff && head[1] === 0xfe) encoding = 'utf-16le';
    else if (head[0] === 0xfe && head[1] === 0xff) encoding = 'utf-16be';
  }
  const guessedEncoding = encoding === undefined;
  if (!(encoding ?? '').startsWith('utf-16')) refuseBinary(head, displayName);
  const text = new TextDecoder(encoding ?? 'utf-8').decode(head);
  return {
    container: 'csv',
    encoding: encoding ?? 'utf-8',
    delimiter: forced.delimiter ?? detectDelimiter(text),
    guessedEncoding,
  };
}

/**
 * A CSV has no NUL bytes and few control characters. Refuse binary data (an .xls, a PDF, a zip
 * that is not a workbook, UTF-16 without its byte-order mark) by name, with where it starts,
 * rather than with whatever CSV error its bytes happen to cause first.
 */
function refuseBinary(head: Buffer, displayName: string): void {
  let controls = 0;
  let first = -1;
  for (let i = 0; i < head.length; i++) {
    const b = head[i] as number;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) {
      controls++;
      if (first === -1) first = i;
    }
  }
  // A stray NUL or two in a real CSV is reported by the reader, at its cell.
  if (controls <= Math.max(8, head.length / 100)) return;
  const before = head.subarray(0, first).toString('latin1');
  const line = 1 + (before.match(/\r\n|\n|\r/g)?.length ?? 0);
  throw new InputError(
    displayName,
    'this is binary data, not a CSV file (it is full of NUL bytes and control characters). ' +
      'Save the spreadsheet as "CSV UTF-8", or give the .xlsx workbook itself',
    { line },
  );
}

/** The candidate delimiter seen most often outside quotes on the first line; comma when none is. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && DELIMITER_CANDIDATES.includes(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  for (const candidate of DELIMITER_CANDIDATES) {
    if ((counts.get(candidate) ?? 0) > (counts.get(best) ?? 0)) best = candidate;
  }
  return best;
}

/**
 * csv-parse with the line each record starts on. Lines are counted as records are pushed, which
 * happens synchronously inside the parser, so when it fails `line` is where the failing record
 * starts even if earlier records are still unread. csv-parse's own `info.lines` counts a CRLF
 * inside quotes twice, so only its count of skipped empty lines is used. (Its `on_record` hook
 * would do the same but builds an info object per record: 15% of a dry run's time.)
 */
class NumberedParser extends Parser {
  /** The line the next record starts on. */
  line = 1;
  private emptyLines = 0;

  constructor(options: Options) {
    super(options);
  }

  override push(cells: unknown, encoding?: BufferEncoding): boolean {
    if (!Array.isArray(cells)) return super.push(cells, encoding);
    const empty = this.info.empty_lines;
    this.line += empty - this.emptyLines;
    this.emptyLines = empty;
    const start = this.line;
    for (const cell of cells as string[]) {
      if (cell.length > 0 && (cell.indexOf('\n') !== -1 || cell.indexOf('\r') !== -1))
        this.line += lineBreaks(cell);
    }
    this.line++;
    const record: InputRecord = { line: start, cells: cells as string[] };
    return super.push(record);
  }
}

/** Bytes to text, refusing bytes that are not valid in the encoding (so a wrong guess is noticed). */
class Decoder extends Transform {
  private readonly decoder: TextDecoder;

  constructor(encoding: string) {
    super({ readableObjectMode: true });
    // fatal: invalid bytes throw instead of becoming U+FFFD, so UTF-8 that is really Windows-1252 is caught.
    this.decoder = new TextDecoder(encoding, { fatal: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const text = this.decoder.decode(chunk, { stream: true });
      if (text !== '') this.push(text);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      const text = this.decoder.decode();
      if (text !== '') this.push(text);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}

/** A file-system error as an `InputError` a person can act on; anything else unchanged. */
function unreadable(displayName: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'EPERM') {
    return new InputError(displayName, `cannot be read (${code}): check the path and its permissions`);
  }
  return error;
}

/** Raised when the bytes are not valid in the encoding; the caller may retry with another. */
export class EncodingError extends Error {
  constructor(readonly encoding: string) {
    super(`the file is not valid ${encoding}`);
    this.name = 'EncodingError';
  }
}

/** Number of line breaks (CRLF, LF or CR) inside a cell: quoted cells keep them as written. */
function lineBreaks(cell: string): number {
  let count = 0;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    if (c === 10) count++;
    else if (c === 13) {
      count++;
      if (cell.charCodeAt(i + 1) === 10) i++;
    }
  }
  return count;
}

function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted cell starting in this record is never closed; check for a stray " character';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quoted cell is followed by other characters before the next delimiter; a " inside a cell must be doubled ("")';
    case 'INVALID_OPENING_QUOTE':
      return 'a " appears inside a cell that does not start with one; quote the whole cell and double the inner " ("")';
    case 'CSV_MAX_RECORD_SIZE':
      return `a record is longer than ${MAX_RECORD_BYTES} characters; this is not a spreadsheet of changes`;
    default:
      return `the file is not valid CSV (${error.code})`;
  }
}

/**
 * Every record of the file (header included) with its starting line, read as a stream: the parser
 * pauses while the consumer does, so memory stays flat. Throws `InputError` for a malformed file
 * and `EncodingError` for bytes invalid in the encoding.
 */
export async function* readRecords(
  file: string,
  displayName: string,
  format: InputFormat,
): AsyncGenerator<InputRecord> {
  if (format.container === 'xlsx') {
    // Loaded only for a workbook: exceljs alone adds ~30 MB to the process.
    const { readWorkbookRecords } = await import('./xlsx.js');
    yield* readWorkbookRecords(file, displayName, format.sheet);
    return;
  }
  const source = createReadStream(file);
  const decoder = new Decoder(format.encoding);
  const parser = new NumberedParser({
    delimiter: format.delimiter,
    // Any of the three line endings, even mixed in one file; quoted cells keep theirs as written.
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    // Empty lines are skipped by csv-parse itself (NumberedParser still counts them): left in, a
    // blank first line would set the expected cell count to 1 and every later record would cost
    // csv-parse an error object.
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  source.on('error', (error) => decoder.destroy(error));
  decoder.on('error', (error) => parser.destroy(error));
  source.pipe(decoder).pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<InputRecord>) {
      const { cells } = record;
      for (let i = 0; i < cells.length; i++) {
        const cell = cells[i] as string;
        const nul = cell.indexOf('\0');
        if (nul !== -1) {
          throw new InputError(
            displayName,
            'the file contains NUL bytes: it is binary, or UTF-16 without a byte-order mark; save it as CSV (UTF-8)',
            { line: record.line + lineBreaks(cell.slice(0, nul)), column: i + 1 },
          );
        }
      }
      // Blank rows (also Excel's `,,,` rows of empty cells) are skipped; the line count goes on.
      if (cells.every((c) => c.trim() === '')) continue;
      yield record;
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof CsvError) {
      throw new InputError(displayName, describeCsvError(error), {
        line: parser.line,
        column: ((error.column as number | undefined) ?? 0) + 1,
      });
    }
    // Compare codes, not classes: errors made by Node itself may come from another realm (e.g. in jest).
    if ((error as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA')
      throw new EncodingError(format.encoding);
    throw unreadable(displayName, error);
  } finally {
    source.destroy();
    parser.destroy();
  }
}

/** The data records of a file already checked by the preflight: every record after the header. */
export async function* dataRecords(
  file: string,
  displayName: string,
  format: InputFormat,
): AsyncGenerator<InputRecord> {
  let header = true;
  for await (const record of readRecords(file, displayName, format)) {
    if (header) header = false;
    else yield record;
  }
}
