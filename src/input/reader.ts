/**
 * Reading the input: detect the encoding and delimiter, decode, parse with csv-parse as a stream,
 * and yield each record with the row Excel shows for it (the header being row 1), so the numbers
 * match what a person sees in a spreadsheet. Blank rows are skipped; row numbers stay true. A read
 * records the fingerprint of the bytes (the preflight), or checks them against one (every later
 * pass), so that what a run sends is what the preflight checked.
 *
 * The pieces live beside it (sniff.ts, csv-stream.ts, fingerprint.ts, read-errors.ts, record.ts);
 * what the rest of the program uses is exported from here.
 */
import { CsvError } from 'csv-parse';
import { InputError } from '../errors.js';
import { lineBreaks, parseCsv, type NumberedParser } from './csv-stream.js';
import { openInput, type Fingerprint, type OpenedInput, type ReadGuard } from './fingerprint.js';
import { describeCsvError, editorLine, EncodingError, unreadable } from './read-errors.js';
import type { InputFormat, InputRecord } from './record.js';

export { EncodingError } from './read-errors.js';
export { InputChangedError, type Fingerprint, type ReadGuard } from './fingerprint.js';
export { MAX_RECORD_BYTES, type InputFormat, type InputRecord } from './record.js';
export { detectDelimiter, sniffInput } from './sniff.js';

/**
 * Every record of the file (header included) with its row, read as a stream in batches (the
 * records of one chunk of the file): the parser pauses while the consumer does, so memory stays
 * flat. Throws `InputError` for a malformed file (an `InputChangedError` when the bytes are not
 * those of `guard.against`) and `EncodingError` for bytes invalid in the encoding.
 */
export async function* readRecordBatches(
  file: string,
  displayName: string,
  format: InputFormat,
  guard: ReadGuard = {},
): AsyncGenerator<InputRecord[]> {
  if (format.container === 'xlsx') {
    // Loaded only for a workbook: a CSV run need not load the zip and XML readers.
    const { readWorkbookRecords } = await import('./xlsx.js');
    for await (const record of readWorkbookRecords(file, displayName, format.sheet, guard)) yield [record];
    return;
  }
  let input: OpenedInput;
  try {
    input = await openInput(file, displayName, guard.against);
  } catch (error) {
    throw unreadable(displayName, error);
  }
  // Bytes that changed end the read early: the records before them are whole, and good to use.
  const parser = parseCsv(input.bytes, format, { cut: () => input.failure() !== undefined });
  try {
    for await (const batch of parser as AsyncIterable<InputRecord[]>) {
      const rows: InputRecord[] = [];
      let refused: InputError | undefined;
      for (const record of batch) {
        refused = nulRefusal(record, displayName);
        if (refused) break;
        // Blank rows (also Excel's `,,,` rows of empty cells) are skipped; the row count goes on.
        if (!record.cells.every((c) => c.trim() === '')) rows.push(record);
      }
      // The rows before a refused one are handed on first, as they would be one by one.
      if (rows.length > 0) yield rows;
      if (refused) throw refused;
    }
  } catch (error) {
    throw input.failure() ?? readFailure(error, displayName, format, parser);
  } finally {
    input.bytes.destroy();
    parser.destroy();
    guard.recorded?.(input.fingerprint());
  }
  const failure = input.failure();
  if (failure) throw failure;
}

/** Every record of the file (header included) with its row, one by one: see `readRecordBatches`. */
export async function* readRecords(
  file: string,
  displayName: string,
  format: InputFormat,
  guard: ReadGuard = {},
): AsyncGenerator<InputRecord> {
  for await (const batch of readRecordBatches(file, displayName, format, guard)) yield* batch;
}

/** The data records of a file already checked by the preflight, in batches: every record after the header. */
export async function* dataRecordBatches(
  file: string,
  displayName: string,
  format: InputFormat,
  against?: Fingerprint,
): AsyncGenerator<InputRecord[]> {
  let header = true;
  for await (const batch of readRecordBatches(file, displayName, format, { against })) {
    if (header) {
      header = false;
      if (batch.length > 1) yield batch.slice(1);
    } else yield batch;
  }
}

/** The data records of a file already checked by the preflight, one by one. */
export async function* dataRecords(
  file: string,
  displayName: string,
  format: InputFormat,
  against?: Fingerprint,
): AsyncGenerator<InputRecord> {
  for await (const batch of dataRecordBatches(file, displayName, format, against)) yield* batch;
}

/** A NUL byte in a cell: binary data, or UTF-16 without its byte-order mark. Refused at the cell. */
function nulRefusal(record: InputRecord, displayName: string): InputError | undefined {
  const { cells } = record;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as string;
    const nul = cell.indexOf('\0');
    if (nul !== -1) {
      const fileLine = (record.fileLine ?? record.line) + lineBreaks(cell.slice(0, nul));
      return new InputError(
        displayName,
        'the file contains NUL bytes: it is binary, or UTF-16 without a byte-order mark; save it as CSV (UTF-8)' +
          editorLine(record.line, fileLine),
        { line: record.line, column: i + 1 },
      );
    }
  }
  return undefined;
}

/** What a failed read throws: a malformed CSV at the parser's row, an `EncodingError`, or a file error. */
function readFailure(
  error: unknown,
  displayName: string,
  format: InputFormat,
  parser: NumberedParser,
): unknown {
  if (error instanceof InputError) return error;
  if (error instanceof CsvError) {
    const { line, fileLine } = parser;
    return new InputError(displayName, describeCsvError(error) + editorLine(line, fileLine), {
      line,
      column: ((error.column as number | undefined) ?? 0) + 1,
    });
  }
  // Compare codes, not classes: errors made by Node itself may come from another realm (e.g. in jest).
  if ((error as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA')
    return new EncodingError(format.encoding, format);
  return unreadable(displayName, error);
}
