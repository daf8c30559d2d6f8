/**
 * One results row as the text of a CSV record, exactly as csv-stringify writes it with the results
 * file's options (`,`, `"`, CRLF): a cell holding a delimiter, a quote or a CRLF is quoted, its
 * quotes doubled; any other cell is written as it is (csv-stringify, given its record delimiter,
 * quotes no lone CR or LF). Done here, one string per row, because csv-stringify's stream cost a
 * dry run of a million rows (twelve cells a row) more than parsing the input, and handed the file
 * one chunk per row; the tests hold this to csv-stringify's output.
 */

/** The line ending of every record. */
export const RECORD_END = '\r\n';

/** The cell goes into the file as it is. */
function plain(cell: string): boolean {
  return (
    cell.length === 0 ||
    (cell.indexOf(',') === -1 && cell.indexOf('"') === -1 && cell.indexOf(RECORD_END) === -1)
  );
}

/** The CSV record of `cells`, without its line ending (`RECORD_END`). */
export function csvRecord(cells: readonly string[]): string {
  // Most rows need no quotes: then one join, rather than a string built cell by cell.
  if (cells.every(plain)) return cells.join(',');
  return cells.map((cell) => (plain(cell) ? cell : `"${cell.replaceAll('"', '""')}"`)).join(',');
}
