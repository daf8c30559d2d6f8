import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import path from 'node:path';
import { keyHash, recordFinalCheck, type Resent } from '../../src/job/final-check.js';
import { poNumbers } from '../../src/kinds.js';
import { zeroCounts, type RowResult } from '../../src/result.js';
import { ResultsWriter, resultsHeader } from '../../src/results/results-writer.js';
import { readResults } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';

describe('keyHash', () => {
  test('the same key always hashes the same, to a small integer', () => {
    fc.assert(
      fc.property(fc.string(), (key) => {
        const hash = keyHash(key);
        expect(hash).toBe(keyHash(`${key}`));
        expect(Number.isInteger(hash) && hash >= 0 && hash < 2 ** 30).toBe(true);
      }),
    );
  });

  test('keys of a long file rarely share a hash (a clash costs one read more, nothing else)', () => {
    const hashes = new Set<number>();
    for (let i = 0; i < 100_000; i++) {
      const id = String(i).padStart(12, '0');
      hashes.add(keyHash(`aaaaaaaa-0000-4000-8000-${id}/bbbbbbbb-0000-4000-8000-${id}`));
    }
    // A random 30-bit hash would share about 5 of 100,000.
    expect(hashes.size).toBeGreaterThan(100_000 - 50);
  });
});

describe('recordFinalCheck', () => {
  test('a row sent again takes its new result, a mismatch found after it wins, and the counts follow both', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'r.csv');
    const writer = await ResultsWriter.create(file, resultsHeader(poNumbers), { overwrite: false });
    for (const line of [2, 3, 4]) {
      writer.write({
        line,
        cells: ['c', 's', `PO-${line}`],
        extras: [],
        result: { status: 'success', httpStatus: 204, attempts: 1, correlationId: 'old-id' },
      });
    }
    await writer.close();
    const again = (line: number, result: RowResult): Resent => ({
      key: `k${line}`,
      line,
      was: 'success',
      result,
    });
    const counts = { ...zeroCounts(), success: 3 };
    const notApplied = { count: 0 };
    await recordFinalCheck(
      file,
      {
        checked: 1,
        note: undefined,
        mismatches: [{ line: 4, status: 'success', text: 'found "PO-X"' }],
        resent: [
          again(3, {
            status: 'failed',
            httpStatus: 500,
            attempts: 3,
            correlationId: 'new-3',
            errorType: 'ServerError',
            errorDescription: 'Sent again: =boom',
          }),
          again(4, {
            status: 'success',
            httpStatus: 204,
            attempts: 2,
            correlationId: 'new-4',
            errorDescription: 'Sent again',
          }),
        ],
      },
      counts,
      notApplied,
    );
    const rows = await readResults(file);
    expect(rows[0]).toMatchObject({ status: 'success', correlationId: 'old-id' });
    expect(rows[1]).toMatchObject({
      status: 'failed',
      httpStatus: '500',
      attempts: '3',
      correlationId: 'new-3',
      errorType: 'ServerError',
      errorDescription: 'Sent again: =boom',
    });
    expect(rows[2]).toMatchObject({ status: 'failed', errorType: 'NotApplied', correlationId: 'new-4' });
    expect(rows[2]!.errorDescription).toMatch(/after the last row.*"PO-X"/);
    expect(counts).toMatchObject({ success: 1, failed: 2 });
    expect(notApplied.count).toBe(1);
  });
});
