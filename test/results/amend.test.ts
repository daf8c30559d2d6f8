import { describe, expect, test } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { poNumbers } from '../../src/kinds.js';
import { amendResults } from '../../src/results/amend.js';
import { ResultsWriter, resultsHeader } from '../../src/results/results-writer.js';
import type { ResultLine } from '../../src/result.js';
import { tempDir } from '../helpers/files.js';
import { readResults } from '../helpers/cli.js';

const row = (line: number, value: string): ResultLine => ({
  line,
  cells: ['c', 's', value],
  extras: [],
  result: { status: 'success', httpStatus: 204, attempts: 2, correlationId: 'id', previousValue: 'old' },
});

describe('amendResults', () => {
  test('changes only the named cells of the rows named, and the file stays a results file', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'r.csv');
    const writer = await ResultsWriter.create(file, resultsHeader(poNumbers), { overwrite: false });
    for (const [line, value] of [
      [2, 'PO-1'],
      [3, 'PO "2",\nnext'],
      [5, 'PO-3'],
    ] as const)
      writer.write(row(line, value));
    await writer.close();
    const before = await readResults(file);
    await amendResults(
      file,
      new Map([[3, { status: 'failed', errorType: 'NotApplied', errorDescription: 'why' }]]),
    );
    const after = await readResults(file);
    expect(after).toEqual([
      before[0],
      { ...before[1], status: 'failed', errorType: 'NotApplied', errorDescription: 'why' },
      before[2],
    ]);
    expect((await readFile(file, 'utf8')).split('\r\n')).toHaveLength(1 + 3 + 1); // CRLF after the header and each row
    // Nothing is left beside it.
    expect(await readdir(dir)).toEqual(['r.csv']);
  });
});
