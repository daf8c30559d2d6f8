import { describe, expect, test } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../src/errors.js';
import { poNumbers } from '../../src/kinds.js';
import { columnIndexes, previousRows, type PreviousRow } from '../../src/results/earlier-rows.js';
import { RESULT_COLUMNS, resultsHeader } from '../../src/results/results-writer.js';
import { tempDir } from '../helpers/files.js';

/** A results file with `header` and one success row carrying `extras`. */
async function resultsFile(header: readonly string[], extras: readonly string[]): Promise<string> {
  const file = path.join(await tempDir(), 'r.csv');
  const row = ['2', 'c', 's', 'PO-1', 'success', '204', '1', 'id', '', '', '', '', ...extras];
  await writeFile(file, `\ufeff${header.join(',')}\r\n${row.join(',')}\r\n`);
  return file;
}

async function all(rows: AsyncGenerator<PreviousRow>): Promise<PreviousRow[]> {
  const found: PreviousRow[] = [];
  for await (const row of rows) found.push(row);
  return found;
}

describe('previousRows', () => {
  test('reads back a file written with carried columns that got the input: prefix', async () => {
    const header = resultsHeader(poNumbers, ['status', 'note']);
    const file = await resultsFile(header, ['open', 'n1']);
    const rows = await all(previousRows(file, header));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ line: 2, status: 'success' });
    expect(rows[0]?.cells.slice(-2)).toEqual(['open', 'n1']);
  });

  test('a file written before the prefix, with the same columns unprefixed, is resumed too', async () => {
    const own = ['line', ...poNumbers.columns, ...RESULT_COLUMNS];
    const file = await resultsFile([...own, 'status', 'note'], ['open', 'n1']);
    const rows = await all(previousRows(file, [...own, 'input:status', 'note']));
    expect(rows.map((r) => r.status)).toEqual(['success']);
  });

  test('a file with other columns is refused, saying what it has', async () => {
    const file = await resultsFile(resultsHeader(poNumbers, ['other']), ['x']);
    const reading = all(previousRows(file, resultsHeader(poNumbers, ['status'])));
    await expect(reading).rejects.toThrow(InputError);
    await expect(all(previousRows(file, resultsHeader(poNumbers, ['status'])))).rejects.toThrow(
      'is not a results file of this kind, or was written with other options (its columns are line,',
    );
    // Only a carried column can be unprefixed: the file's own columns must be exactly theirs.
    const plain = await resultsFile(resultsHeader(poNumbers), []);
    const renamed = resultsHeader(poNumbers).map((n) => (n === 'status' ? 'input:status' : n));
    await expect(all(previousRows(plain, renamed))).rejects.toThrow(InputError);
  });
});

describe('columnIndexes', () => {
  // Written out, not from RESULT_COLUMNS: the two versions a resume must read, whichever this is.
  const before = ['line', ...poNumbers.columns, 'status', 'httpStatus', 'attempts', 'correlationId'];
  const errors = ['errorType', 'errorDescription', 'errorDetails'];
  const without = [...before, ...errors];
  const withPrevious = [...without, 'previousValue'];
  const ours = resultsHeader(poNumbers);

  test("this version's own header maps each column to itself", () => {
    expect(columnIndexes(ours, ours)).toEqual(ours.map((_, i) => i));
  });

  test('a file with or without previousValue is read by columns named, the missing one left empty', async () => {
    for (const header of [without, withPrevious]) {
      const file = path.join(await tempDir(), 'r.csv');
      const cells: Record<string, string> = {
        line: '2',
        status: 'success',
        attempts: '3',
        correlationId: 'id',
      };
      const row = header.map((name) => cells[name] ?? (name === 'previousValue' ? 'PO-OLD' : ''));
      await writeFile(file, `\ufeff${header.join(',')}\r\n${row.join(',')}\r\n`);
      for (const expected of [without, withPrevious]) {
        const [read] = await all(previousRows(file, expected));
        expect(read).toMatchObject({ line: 2, status: 'success', correlationId: 'id' });
        expect(read?.cells).toHaveLength(expected.length);
        expect(read?.cells[expected.indexOf('attempts')]).toBe('3');
        const previous = expected.indexOf('previousValue');
        if (previous >= 0) expect(read?.cells[previous]).toBe(header === withPrevious ? 'PO-OLD' : '');
      }
    }
  });

  test('carried columns follow the own ones, with or without previousValue between', () => {
    expect(columnIndexes([...without, 'note'], [...withPrevious, 'note'])).toEqual([
      ...without.map((_, i) => i),
      -1,
      without.length,
    ]);
    expect(columnIndexes([...withPrevious, 'note'], [...without, 'note'])).toEqual([
      ...without.map((_, i) => i),
      withPrevious.length,
    ]);
  });

  test('a missing column that is not optional, or other carried columns, are other columns', () => {
    expect(
      columnIndexes(
        without.filter((n) => n !== 'attempts'),
        without,
      ),
    ).toBeUndefined();
    expect(columnIndexes([...without, 'note'], [...without, 'other'])).toBeUndefined();
    expect(columnIndexes(without, [...without, 'note'])).toBeUndefined();
  });
});
