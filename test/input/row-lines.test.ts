/** The row number of every data row, kept as the few places where the numbering jumps. */
import { describe, expect, test } from '@jest/globals';
import { RowLines } from '../../src/input/row-lines.js';

describe('RowLines', () => {
  test('gives back the row of every data row, across blank rows', () => {
    const rows = [2, 3, 4, 7, 8, 10, 11, 12, 20];
    const lines = new RowLines();
    rows.forEach((line) => lines.add(line));
    expect(lines.size).toBe(rows.length);
    expect(rows.map((_, i) => lines.lineOf(i))).toEqual(rows);
    expect(lines.lineOf(-1)).toBeUndefined();
    expect(lines.lineOf(rows.length)).toBeUndefined();
  });

  test('a file without blank rows is one entry however long it is', () => {
    const lines = new RowLines();
    for (let line = 2; line < 100_002; line++) lines.add(line);
    expect(lines.lineOf(99_999)).toBe(100_001);
    expect((lines as unknown as { jumps: number[] }).jumps).toEqual([0, 2]);
  });
});
