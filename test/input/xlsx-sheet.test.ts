/**
 * The order of a sheet's rows and cells: each row's `r` and each cell's reference say where it is,
 * and they must come in ascending order, each once (ECMA-376 §18.3.1.73, §18.3.1.4). A sheet that
 * breaks this is refused at the row (and cell) found, never renumbered: renumbered, its rows would
 * be reported on lines Excel does not show, and for rows of one target the file's order rather
 * than Excel's would decide which value wins. Rows and cells without a reference follow the
 * previous one, as the standard allows.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../src/errors.js';
import type { InputRecord } from '../../src/input/record.js';
import { readWorkbookRecords } from '../../src/input/xlsx.js';
import { tempDir } from '../helpers/files.js';
import { openpyxlWorkbook } from '../helpers/zip.js';

const text = (ref: string | undefined, value: string) =>
  `<c${ref === undefined ? '' : ` r="${ref}"`} t="inlineStr"><is><t>${value}</t></is></c>`;
const row = (r: number | string | undefined, cells: string) =>
  `<row${r === undefined ? '' : ` r="${r}"`}>${cells}</row>`;
/** A row of one cell in column A whose text is `value`. */
const rowOf = (r: number | undefined, value: string) =>
  row(r, text(r === undefined ? undefined : `A${r}`, value));
const HEADER = rowOf(1, 'PO Number');

let dir: string | undefined;
let files = 0;

/** The workbook (its one sheet is named "Sheet") whose sheet data is `sheetData`, saved. */
async function saved(sheetData: string): Promise<string> {
  dir ??= await tempDir();
  const file = path.join(dir, `order-${++files}.xlsx`);
  await writeFile(file, openpyxlWorkbook(sheetData));
  return file;
}

async function records(file: string): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const record of readWorkbookRecords(file, path.basename(file), undefined)) out.push(record);
  return out;
}

/** The InputError reading `sheetData` throws (fails the test if it reads or throws anything else). */
async function refusal(sheetData: string): Promise<InputError> {
  const file = await saved(sheetData);
  let read: InputRecord[] | undefined;
  try {
    read = await records(file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error(`read without an error: ${JSON.stringify(read)}`);
}

describe('rows out of order', () => {
  test('a row after a later one is refused at its row, naming the sheet and the row before it', async () => {
    const error = await refusal(HEADER + rowOf(3, 'PO-1') + rowOf(2, 'PO-0'));
    expect(error.message.replace(/^order-\d+/, 'book')).toBe(
      'book.xlsx, line 2: rows out of order in sheet "Sheet": row 2 comes after row 3 (rows must be in ascending order); save the workbook again from Excel',
    );
    expect({ line: error.line, column: error.column }).toEqual({ line: 2, column: undefined });
  });

  test('a row number given twice is refused at the second one', async () => {
    const error = await refusal(HEADER + rowOf(2, 'PO-0') + rowOf(2, 'PO-1'));
    expect(error.message).toMatch(
      /, line 2: rows out of order in sheet "Sheet": row 2 comes twice \(each row must come once, in ascending order\); save the workbook again from Excel$/,
    );
  });

  test('a row without a number follows the previous one, so a later row of that number repeats it', async () => {
    const error = await refusal(HEADER + rowOf(undefined, 'PO-0') + rowOf(2, 'PO-1'));
    expect(error.message).toMatch(/, line 2: rows out of order in sheet "Sheet": row 2 comes twice/);
  });

  test('a row number Excel does not have is refused rather than read as the next row', async () => {
    for (const r of ['0', '-3', '2.5', 'two', '', '1048577']) {
      const error = await refusal(row(r, text(undefined, 'PO-0')));
      expect(error.message).toContain(
        `the row number r="${r}" in sheet "Sheet" is not one Excel has (1 to 1048576); save the workbook again from Excel`,
      );
    }
  });
});

describe('cells out of order', () => {
  test('a cell after a later one in its row is refused at its row and column', async () => {
    const error = await refusal(HEADER + row(2, text('B2', 'b') + text('A2', 'a')));
    expect(error.message.replace(/^order-\d+/, 'book')).toBe(
      'book.xlsx, line 2, column 1: cells out of order in sheet "Sheet": cell A2 comes after cell B2 (a row\'s cells must be in ascending order); save the workbook again from Excel',
    );
    expect({ line: error.line, column: error.column }).toEqual({ line: 2, column: 1 });
  });

  test('a cell reference given twice in a row is refused at the second one', async () => {
    const error = await refusal(HEADER + row(2, text('A2', 'first') + text('A2', 'second')));
    expect(error.message).toMatch(
      /, line 2, column 1: cells out of order in sheet "Sheet": cell A2 comes twice \(each cell must come once, in ascending order\); save the workbook again from Excel$/,
    );
  });

  test('a cell without a reference follows the previous one, so a later cell of that column repeats it', async () => {
    const error = await refusal(
      HEADER + row(2, text('B2', 'b') + text(undefined, 'c') + text('C2', 'again')),
    );
    expect(error.message).toMatch(
      /, line 2, column 3: cells out of order in sheet "Sheet": cell C2 comes twice/,
    );
  });
});

describe('references that cannot be placed', () => {
  test('a cell whose reference names another row is refused, not put in the row it sits in', async () => {
    const error = await refusal(HEADER + row(2, text('A2', 'PO-0') + text('B7', 'PO-1')));
    expect(error.message).toMatch(
      /, line 2: a cell in row 2 of sheet "Sheet" has the reference r="B7", which names row 7; save the workbook again from Excel$/,
    );
  });

  test('a reference without column letters, or with anything else in it, is refused, not read as the next column', async () => {
    for (const ref of ['12', '2', 'A', 'ABCD2', 'A2x', 'A-2', ' A2']) {
      const error = await refusal(HEADER + row(2, text(ref, 'PO-0')));
      expect(error.message).toContain(
        `line 2: a cell in row 2 of sheet "Sheet" has the reference r="${ref}", which is not a cell reference`,
      );
    }
  });

  test('absolute and lower-case references are read where they point', async () => {
    const sheet = HEADER + row(2, text('$B$2', 'b') + text('c2', 'c'));
    expect(await records(await saved(sheet))).toEqual([
      { line: 1, cells: ['PO Number'] },
      { line: 2, cells: ['', 'b', 'c'] },
    ]);
  });

  test('a row without a number after row 1,048,576 is refused', async () => {
    const error = await refusal(
      row(1_048_576, text(undefined, 'PO-0')) + row(undefined, text(undefined, 'PO-1')),
    );
    expect(error.message).toContain(
      `sheet "Sheet" has a row after Excel's last (1048576); save the workbook again from Excel`,
    );
  });
});

describe('rows and cells without references', () => {
  test('follow the previous row or cell, and numbered ones after a gap keep their numbers', async () => {
    const sheet =
      row(undefined, text(undefined, 'a') + text(undefined, 'b')) +
      row(undefined, text('B2', 'x') + text(undefined, 'y')) +
      row(5, text(undefined, 'p') + text('C5', 'q')) +
      row(undefined, text(undefined, 'z'));
    expect(await records(await saved(sheet))).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['', 'x', 'y'] },
      { line: 5, cells: ['p', '', 'q'] },
      { line: 6, cells: ['z', ''] },
    ]);
  });
});

describe('any order of rows', () => {
  test('rows in ascending order are read on their numbers; any other order is refused at the first row out of place', async () => {
    // Each row is numbered or not; an unnumbered one is the previous one plus 1.
    const rowNumber = fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined, freq: 4 });
    await fc.assert(
      fc.asyncProperty(fc.array(rowNumber, { minLength: 1, maxLength: 8 }), async (numbers) => {
        const sheet = numbers.map((r, i) => rowOf(r, `v${i}`)).join('');
        let last = 0;
        let expected: { line: number; cells: string[] }[] | string = [];
        for (const [i, r] of numbers.entries()) {
          const at = r ?? last + 1;
          if (at <= last) {
            expected = `line ${at}: rows out of order in sheet "Sheet": row ${at} comes ${at === last ? 'twice' : `after row ${last}`}`;
            break;
          }
          expected.push({ line: at, cells: [`v${i}`] });
          last = at;
        }
        if (typeof expected === 'string') expect((await refusal(sheet)).message).toContain(expected);
        else expect(await records(await saved(sheet))).toEqual(expected);
      }),
      { seed: 20_261_201, numRuns: 60 },
    );
  });
});
