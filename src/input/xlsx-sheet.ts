/**
 * One sheet's XML streamed through saxes into rows of cell texts: a chunk of the unpacked part at a
 * time, the rows it completes handed on before the next is read, so memory stays flat however long
 * the sheet is. Everything a cell's text needs (shared strings, formats) was read before.
 */
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { MAX_RECORD_BYTES } from './record.js';
import { cellText, UnreadableCell, type CellContext, type RawRow } from './xlsx-cells.js';
import type { CellFormats } from './xlsx-styles.js';
import { parseXmlChunks } from './xlsx-xml.js';

/** Excel's last column (XFD). */
const MAX_COLUMNS = 16_384;
/** Excel's last row. */
const MAX_ROWS = 1_048_576;
/** What to do about a sheet whose rows or cells are not where the standard says they must be. */
const SAVE_AGAIN = 'save the workbook again from Excel';

/**
 * A cell reference such as `AB12` or `$AB$12` taken apart: its column index (0 for A) and its row
 * number, undefined if it is not one (no letters, more than three, no row, anything else in it).
 * By hand rather than by a regular expression: it runs for every cell of the sheet.
 */
function parseRef(ref: string): { column: number; row: number } | undefined {
  let i = ref.charCodeAt(0) === 0x24 /* $ */ ? 1 : 0;
  let column = 0;
  const lettersFrom = i;
  for (; i < ref.length; i++) {
    const code = ref.charCodeAt(i) & ~0x20; // upper case
    if (code < 65 || code > 90) break;
    column = column * 26 + (code - 64);
  }
  const letters = i - lettersFrom;
  if (ref.charCodeAt(i) === 0x24) i++;
  let row = 0;
  const digitsFrom = i;
  for (; i < ref.length; i++) {
    const code = ref.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
    row = row * 10 + (code - 48);
  }
  if (letters === 0 || letters > 3 || i === digitsFrom) return undefined;
  return { column: column - 1, row };
}

/** The letters of column `index` (0: A), as Excel names it. */
export function columnName(index: number): string {
  return (index >= 26 ? columnName(Math.floor(index / 26) - 1) : '') + String.fromCharCode(65 + (index % 26));
}

/** The cell being read: what its XML said so far. */
interface OpenCell {
  column: number;
  type: string;
  style: number;
  value: string | undefined;
  inline: string | undefined;
  formula: boolean;
  numFmt: string | undefined;
}

/**
 * The state of reading a sheet: the row and cell open, and the rows completed. Rows and cells must
 * come in ascending order, each once (ECMA-376 §18.3.1.73, §18.3.1.4); one without a reference
 * follows the previous one. Any other order is refused, never renumbered: Excel shows a row on its
 * own number, and of two rows for one target the later in Excel's order must win.
 */
class SheetState {
  readonly done: RawRow[] = [];
  private row: { number: number; cells: string[] } | undefined;
  private lastRow = 0;
  /** The column of the row's last cell (-1 before its first). */
  private lastColumn = -1;
  private cell: OpenCell | undefined;
  /** The one cell object, reused for every cell (a sheet has millions): `cell` is it while one is open. */
  private readonly reused: OpenCell = {
    column: 0,
    type: 'n',
    style: 0,
    value: undefined,
    inline: undefined,
    formula: false,
    numFmt: undefined,
  };
  /** What text goes to: `<v>`, an inline string's `<t>`, or nothing. */
  private into: 'v' | 'is' | undefined;
  private inInline = false;
  private phonetic = 0;

  constructor(
    private readonly displayName: string,
    private readonly sheetName: string,
    private readonly context: CellContext,
    private readonly formats: CellFormats,
  ) {}

  open(name: string, a: Readonly<Record<string, string>>): void {
    if (name === 'row') {
      this.row = { number: this.rowNumber(a.r), cells: [] };
      this.lastRow = this.row.number;
      this.lastColumn = -1;
    } else if (name === 'c' && this.row) {
      const column = this.cellColumn(a.r, this.row.number);
      const cell = this.reused;
      cell.column = column;
      cell.type = a.t ?? 'n';
      cell.style = a.s === undefined ? 0 : Number(a.s);
      cell.value = undefined;
      cell.inline = undefined;
      cell.formula = false;
      this.cell = cell;
    } else if (this.cell) {
      if (name === 'v') {
        this.cell.value = '';
        this.into = 'v';
      } else if (name === 'f') this.cell.formula = true;
      else if (name === 'is') {
        this.inInline = true;
        this.cell.inline = '';
      } else if (name === 'rPh') this.phonetic++;
      else if (name === 't' && this.inInline && this.phonetic === 0) this.into = 'is';
    }
  }

  text(text: string): void {
    const { cell } = this;
    if (!cell || this.into === undefined) return;
    const before = this.into === 'v' ? cell.value : cell.inline;
    if ((before?.length ?? 0) + text.length > MAX_RECORD_BYTES) {
      this.fail(`a cell is longer than ${MAX_RECORD_BYTES} characters; this is not a spreadsheet of changes`);
    }
    if (this.into === 'v') cell.value = (cell.value ?? '') + text;
    else cell.inline = (cell.inline ?? '') + text;
  }

  close(name: string): void {
    if (name === 'v' || name === 't') this.into = undefined;
    else if (name === 'is') this.inInline = false;
    else if (name === 'rPh') this.phonetic--;
    else if (name === 'c') this.closeCell();
    else if (name === 'row' && this.row) {
      this.done.push(this.row);
      this.row = undefined;
    }
  }

  private closeCell(): void {
    const { cell, row } = this;
    if (!cell || !row) return;
    this.cell = undefined;
    let text: string;
    try {
      const numFmt = this.formats.code(cell.style);
      // Only a number's text depends on its format: without it, 17 may be shown as 00017.
      const shown = (cell.type === 'n' || cell.type === 'd') && (cell.value ?? '') !== '';
      if (numFmt === null && shown)
        throw new UnreadableCell(`its style ${cell.style} is not among the workbook's styles`);
      cell.numFmt = numFmt ?? undefined;
      text = cellText(cell, this.context);
    } catch (error) {
      if (!(error instanceof UnreadableCell)) throw error;
      throw new InputError(
        this.displayName,
        `the cell cannot be read: ${error.message}; the workbook is damaged: open it in Excel and save it again`,
        { line: row.number, column: cell.column + 1 },
      );
    }
    while (row.cells.length < cell.column) row.cells.push('');
    row.cells[cell.column] = text;
  }

  /** The number of the row whose `r` is `r`: the one it gives, else the one after the previous. */
  private rowNumber(r: string | undefined): number {
    if (r === undefined && this.lastRow < MAX_ROWS) return this.lastRow + 1;
    if (r === undefined)
      this.fail(`sheet "${this.sheetName}" has a row after Excel's last (${MAX_ROWS}); ${SAVE_AGAIN}`);
    const number = Number(r);
    if (!Number.isInteger(number) || number < 1 || number > MAX_ROWS || r.trim() === '') {
      throw new InputError(
        this.displayName,
        `the row number r="${r}" in sheet "${this.sheetName}" is not one Excel has (1 to ${MAX_ROWS}); ${SAVE_AGAIN}`,
        { line: this.lastRow + 1 },
      );
    }
    if (number <= this.lastRow) {
      const found =
        number === this.lastRow
          ? 'twice (each row must come once, in ascending order)'
          : `after row ${this.lastRow} (rows must be in ascending order)`;
      throw new InputError(
        this.displayName,
        `rows out of order in sheet "${this.sheetName}": row ${number} comes ${found}; ${SAVE_AGAIN}`,
        { line: number },
      );
    }
    return number;
  }

  /**
   * The column of the cell whose reference is `ref` in row `row`: the one it names, else the next.
   * A reference that is not one, or that names another row, is refused: which row and column the
   * cell's value belongs to cannot be told.
   */
  private cellColumn(ref: string | undefined, row: number): number {
    const named = ref === undefined ? undefined : parseRef(ref);
    if (ref !== undefined && named?.row !== row) {
      const why = named === undefined ? 'is not a cell reference' : `names row ${named.row}`;
      throw new InputError(
        this.displayName,
        `a cell in row ${row} of sheet "${this.sheetName}" has the reference r="${ref}", which ${why}; ${SAVE_AGAIN}`,
        { line: row },
      );
    }
    const column = named?.column ?? this.lastColumn + 1;
    if (column >= MAX_COLUMNS) this.fail(`a cell is beyond Excel's last column (${ref ?? column + 1})`);
    if (column <= this.lastColumn) {
      const found =
        column === this.lastColumn
          ? 'twice (each cell must come once, in ascending order)'
          : `after cell ${columnName(this.lastColumn)}${row} (a row's cells must be in ascending order)`;
      throw new InputError(
        this.displayName,
        `cells out of order in sheet "${this.sheetName}": cell ${columnName(column)}${row} comes ${found}; ${SAVE_AGAIN}`,
        { line: row, column: column + 1 },
      );
    }
    this.lastColumn = column;
    return column;
  }

  /** The line of the row being read, for a refusal. */
  get line(): number {
    return this.row?.number ?? this.lastRow + 1;
  }

  private fail(message: string): never {
    throw new InputError(this.displayName, message, { line: this.line });
  }
}

/**
 * The rows of sheet `sheetName`, whose XML is `stream`, in order, as they are read. Rows or cells
 * out of order, or given twice, refuse the sheet at the row (and cell) found.
 */
export async function* sheetRows(
  stream: Readable,
  displayName: string,
  sheetName: string,
  context: CellContext,
  formats: CellFormats,
): AsyncGenerator<RawRow> {
  const state = new SheetState(displayName, sheetName, context, formats);
  const chunks = parseXmlChunks(stream, {
    open: (name, attributes) => state.open(name, attributes),
    text: (text) => state.text(text),
    close: (name) => state.close(name),
  });
  try {
    for await (const _ of chunks) {
      yield* state.done;
      state.done.length = 0;
    }
  } finally {
    stream.destroy();
  }
}
