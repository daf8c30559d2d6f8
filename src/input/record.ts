/**
 * What the readers hand on: each record of the input with the row it is in, and how the input is
 * to be read. Both the CSV reader and the workbook reader yield these.
 */

/** One record of the file: its cells as written, and where it is. */
export interface InputRecord {
  /**
   * The row number Excel shows for it: the header row is 1, a blank line is a row of its own, and a
   * line break inside a quoted cell stays in its row. In a workbook, the sheet's row number.
   */
  readonly line: number;
  /** The line of a CSV file, as a text editor counts them, that the record starts on. */
  readonly fileLine?: number;
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
  /** The first line is Excel's `sep=;`: it named the delimiter, and is row 1 but no record. */
  readonly sepLine?: boolean;
}

/** A record longer than this is not a spreadsheet row: refuse the file rather than hold it. */
export const MAX_RECORD_BYTES = 1 << 20;

/**
 * The text a workbook cell reads as when it holds a formula with no saved result (a workbook
 * written by a program that does not calculate, such as openpyxl): its value is not known.
 * Validation refuses it with what to do; it is neither an empty value, which --allow-clear would
 * send as a clear, nor one of Excel's errors.
 */
export const NO_SAVED_RESULT = '#NOT CALCULATED';
