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
    rows.produce(3); // the byte-order mark
    rows.produce(10); // the header
    for (const line of [2, 3, 4]) rows.handed(sent(line));
    [20, 20, 20].forEach((bytes) => rows.produce(bytes));
    rows.handed(sent(5)); // not stringified yet
    rows.written(13 + 20 + 7); // line 3 torn on disk
    rows.drop(sent(6));
    expect(rows.wholeBytes).toBe(33);
    expect(rows.unrecorded().map((r) => r.line)).toEqual([3, 4, 5, 6]);
    expect(rows.unrecorded()[0]).toEqual({ line: 3, status: 'success', correlationId: 'id-3' });
  });

  test('rows copied from earlier results or never sent are not named: this run did not send them', () => {
    const rows = new WrittenRows();
    rows.handed(kept(2));
    rows.handed({ ...sent(3), result: { status: 'not_attempted', attempts: 0 } });
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
          rows.produce(3);
          rows.produce(10);
          const ends: number[] = [];
          let end = 13;
          sizes.forEach((size, i) => {
            rows.handed(sent(i + 2));
            rows.produce(size);
            ends.push((end += size));
          });
          const written = Math.min(disk, end);
          rows.written(written);
          const whole = ends.filter((e) => e <= written);
          expect(rows.wholeBytes).toBe(whole.at(-1) ?? (written >= 13 ? 13 : written >= 3 ? 3 : 0));
          expect(rows.unrecorded().map((r) => r.line)).toEqual(
            sizes.map((_, i) => i + 2).slice(whole.length),
          );
        },
      ),
    );
  });
});
