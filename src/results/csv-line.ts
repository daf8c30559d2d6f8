/**
 * One results row as the text of a CSV line, exactly as csv-stringify writes it with the results
 * file's options (`,`, `"`, CRLF): a cell holding a delimiter, a quote or a CRLF is quoted, its
 * quotes doubled; any other cell is written as it is (csv-stringify, given its record delimiter,
 * quotes no lone CR or LF). Done here, one string per row, because
 * csv-stringify's stream cost a dry run of a million rows (twelve cells a row) more than parsing
 * the input, and handed the file one chunk per row; the tests hold this to csv-stringify's output.
 */

const NEEDS_QUOTES = /[",]|\r\n/;

/** The CSV line of `cells`, its CRLF included. */
export function csvLine(cells: readonly string[]): string {
  // Most rows need no quotes: then one join, rather than a string built cell by cell.
  if (!cells.some((cell) => NEEDS_QUOTES.test(cell))) return `${cells.join(',')}\r\n`;
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as string;
    if (i > 0) line += ',';
    line += NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
  }
  return `${line}\r\n`;
}
