import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { LateWrites } from '../../src/job/late-writes.js';
import type { RowResult, RowStatus } from '../../src/result.js';

const change = { values: {} } as never;
const STATUSES: RowStatus[] = ['success', 'failed', 'unchanged', 'not_attempted'];

describe('LateWrites', () => {
  test("a key's last row is due again exactly when an earlier row of the key got no answer, and the last row wrote or found its value", () => {
    const rowArb = fc.record({
      key: fc.constantFrom('a', 'b', 'c'),
      status: fc.constantFrom(...STATUSES),
      unanswered: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 30 }), (rows) => {
        const late = new LateWrites();
        rows.forEach((r, i) => {
          const result: RowResult = { status: r.status, attempts: 1, unanswered: r.unanswered || undefined };
          late.finished(r.key, i + 2, change, result);
        });
        const expected = ['a', 'b', 'c'].flatMap((key) => {
          const lines = rows.map((r, i) => ({ ...r, line: i + 2 })).filter((r) => r.key === key);
          const last = lines.at(-1);
          const first = lines.findIndex((r) => r.unanswered);
          if (last === undefined || first < 0 || first === lines.length - 1) return [];
          if (last.status !== 'success' && last.status !== 'unchanged') return [];
          return [{ key, unansweredLine: lines[first]!.line, line: last.line }];
        });
        expect(late.due().sort((x, y) => x.line - y.line)).toEqual(expected.sort((x, y) => x.line - y.line));
      }),
    );
  });
});
