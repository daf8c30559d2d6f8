import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { ROW_STATUSES, type ResultLine } from '../../src/result.js';
import { RowTally } from '../../src/results/row-tally.js';

const line = (status: (typeof ROW_STATUSES)[number], raw?: string[]): ResultLine => ({
  line: 2,
  cells: ['a', 'b', 'c'],
  extras: [],
  result: { status, attempts: raw ? 1 : 0 },
  raw,
});

describe('RowTally', () => {
  test('rows never handed on are not_attempted, and the counts sum to the rows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...ROW_STATUSES), fc.boolean())),
        fc.nat(50),
        (handed, never) => {
          const tally = new RowTally();
          handed.forEach(([status, kept]) => tally.count(line(status, kept ? ['x'] : undefined)));
          tally.complete(handed.length + never);
          const sum = Object.values(tally.counts).reduce((a, b) => a + b, 0);
          expect(sum).toBe(handed.length + never);
          const notAttempted = handed.filter(([s]) => s === 'not_attempted').length;
          expect(tally.counts.not_attempted).toBe(notAttempted + never);
          expect(tally.kept.success).toBe(handed.filter(([s, k]) => k && s === 'success').length);
        },
      ),
    );
  });

  test('a dry run, whose rows are not counted ahead, adds nothing', () => {
    const tally = new RowTally();
    tally.count(line('valid'));
    tally.complete(undefined);
    expect(tally.counts.valid).toBe(1);
    expect(tally.counts.not_attempted).toBe(0);
  });
});
