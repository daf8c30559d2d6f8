/**
 * How a failure to read the input is told: a file-system error or a csv-parse error as an
 * `InputError` a person can act on, and bytes invalid in the encoding as an `EncodingError` the
 * caller may answer by trying another encoding.
 */
import type { CsvError } from 'csv-parse';
import { InputError } from '../errors.js';
import { MAX_RECORD_BYTES, type InputFormat } from './record.js';

/** Raised when the bytes are not valid in the encoding; the caller may retry with another. */
export class EncodingError extends Error {
  /** `format`: how the file was being read, to find the bad bytes again. */
  constructor(
    readonly encoding: string,
    readonly format?: InputFormat,
  ) {
    super(`the file is not valid ${encoding}`);
    this.name = 'EncodingError';
  }
}

/** A file-system error as an `InputError` a person can act on; anything else unchanged. */
export function unreadable(displayName: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'EPERM') {
    return new InputError(displayName, `cannot be read (${code}): check the path and its permissions`);
  }
  return error;
}

/**
 * Where a text editor shows the place, added to a message when it is not the row number: after a
 * line break inside a quoted cell, Excel's row and the file's line part ways.
 */
export function editorLine(line: number, fileLine: number | undefined): string {
  return fileLine === undefined || fileLine === line ? '' : ` (line ${fileLine} in a text editor)`;
}

/** What a csv-parse error means for the person who wrote the file. */
export function describeCsvError(error: CsvError): string {
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
