/**
 * One results row as the text of a CSV record (`,`, `"`, CRLF): a cell holding a delimiter, a
 * quote, a CR or an LF is quoted, its quotes doubled; any other cell is written as it is. A lone
 * CR or LF is quoted too, unlike csv-stringify given the record delimiter 'windows' (which quotes
 * only a whole CRLF): unquoted, it split the row in two for Excel, csv-parse and `--resume`. Done
 * here, one string per row, because csv-stringify's stream cost a dry run of a million rows
 * (twelve cells a row) more than parsing the input, and handed the file one chunk per row.
 */

/** The line ending of every record. */
export const RECORD_END = '\r\n';

/** What the results file begins with, so Excel reads it as UTF-8. */
export const BOM = '\ufeff';

/** The cell goes into the file as it is. */
function plain(cell: string): boolean {
  return (
    cell.length === 0 ||
    (cell.indexOf(',') === -1 &&
      cell.indexOf('"') === -1 &&
      cell.indexOf('\n') === -1 &&
      cell.indexOf('\r') === -1)
  );
}

/** The CSV record of `cells`, without its line ending (`RECORD_END`). */
export function csvRecord(cells: readonly string[]): string {
  // Most rows need no quotes: then one join, rather than a string built cell by cell.
  if (cells.every(plain)) return cells.join(',');
  return cells.map((cell) => (plain(cell) ? cell : `"${cell.replaceAll('"', '""')}"`)).join(',');
}
