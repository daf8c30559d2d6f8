import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { ResultLine } from '../../src/result.js';
import { WrittenRows } from '../../src/results/written-rows.js';

const sent = (line: number): ResultLine => ({
  line,
  cells: ['c', 's', 'v'],
  extras: [],
  result: { status: 'success', httpStatus: 204, attempts: 1, correlationId: `id-${line}` },
});
const kept = (line: number): ResultLine => ({ ...sent(line), raw: ['kept'] });

describe('WrittenRows', () => {
  test('the rows past the last whole row on disk are unrecorded, and the file is cut back to it', () => {
    const rows = new WrittenRows();
    rows.added(undefined, 13); // the byte-order mark and the header
    for (const line of [2, 3, 4, 5]) rows.added(sent(line), 20);
    rows.written(13 + 20 + 7); // line 3 torn on disk
    rows.drop(sent(6));
    expect(rows.wholeBytes).toBe(33);
    expect(rows.unrecorded().map((r) => r.line)).toEqual([3, 4, 5, 6]);
    expect(rows.unrecorded()[0]).toEqual({ line: 3, status: 'success', correlationId: 'id-3' });
  });

  test('rows copied from earlier results or never sent are not named: this run did not send them', () => {
    const rows = new WrittenRows();
    rows.added(kept(2), 10);
    rows.added({ ...sent(3), result: { status: 'not_attempted', attempts: 0 } }, 10);
    rows.drop(kept(4));
    expect(rows.unrecorded()).toEqual([]);
  });

  test('whatever the chunk sizes and how far the disk got, the cut is at a row end and the rest is unrecorded', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 30 }),
        fc.nat(2000),
        (sizes, disk) => {
          const rows = new WrittenRows();
          rows.added(undefined, 13);
          const ends: number[] = [];
          let end = 13;
          sizes.forEach((size, i) => {
            rows.added(sent(i + 2), size);
            ends.push((end += size));
          });
          const written = Math.min(disk, end);
          rows.written(written);
          const whole = ends.filter((e) => e <= written);
          expect(rows.wholeBytes).toBe(whole.at(-1) ?? (written >= 13 ? 13 : 0));
          expect(rows.unrecorded().map((r) => r.line)).toEqual(
            sizes.map((_, i) => i + 2).slice(whole.length),
          );
        },
      ),
    );
  });

  test('a long run that writes as it goes still knows its last whole row and the rows after it', () => {
    const rows = new WrittenRows();
    rows.added(undefined, 13);
    let end = 13;
    for (let line = 2; line < 10_000; line++) {
      rows.added(sent(line), 10);
      end += 10;
      // The disk stays a few rows and a torn one behind.
      if (line % 100 === 0) rows.written(end - 35);
    }
    rows.written(end - 35);
    expect(rows.wholeBytes).toBe(end - 40);
    expect(rows.unrecorded().map((r) => r.line)).toEqual([9996, 9997, 9998, 9999]);
  });
});
