import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { ResultLine } from '../../src/result.js';
import { OrderedOutput } from '../../src/results/ordered-output.js';
import type { ResultsWriter } from '../../src/results/results-writer.js';

/** A writer that records rows and asks for a pause every `pauseEvery` rows, until released. */
function fakeWriter(pauseEvery = 0) {
  const rows: number[] = [];
  let release: () => void = () => undefined;
  const writer = {
    write(row: ResultLine): boolean {
      rows.push(row.line);
      return pauseEvery === 0 || rows.length % pauseEvery !== 0;
    },
    drained: () => new Promise<void>((resolve) => (release = resolve)),
  };
  return { writer: writer as unknown as ResultsWriter, rows, release: () => release() };
}

const line = (n: number) => ({ line: n }) as unknown as ResultLine;

describe('OrderedOutput', () => {
  test('rows finishing out of order are written in input order, each as soon as all before it are', () => {
    const { writer, rows } = fakeWriter();
    const out = new OrderedOutput(writer);
    out.finish(2, line(4));
    out.finish(1, line(3));
    expect(rows).toEqual([]);
    out.finish(0, line(2));
    expect(rows).toEqual([2, 3, 4]);
    expect(out.written).toBe(3);
  });

  test('a pause asked by the file stream holds later rows until it drains', async () => {
    const { writer, rows, release } = fakeWriter(2);
    const out = new OrderedOutput(writer);
    for (let seq = 0; seq < 5; seq++) out.finish(seq, line(seq + 2));
    expect(rows).toEqual([2, 3]);
    release();
    await new Promise((r) => setImmediate(r));
    expect(rows).toEqual([2, 3, 4, 5]);
    release();
    await out.flushed();
    expect(rows).toEqual([2, 3, 4, 5, 6]);
  });

  test('nextWrite resolves once the next row is written', async () => {
    const { writer } = fakeWriter();
    const out = new OrderedOutput(writer);
    const next = out.nextWrite();
    out.finish(0, line(2));
    await expect(next).resolves.toBeUndefined();
  });

  test('whatever order rows finish in, every row is written once, in order', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 60 })
          .chain((n) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n })),
        (order) => {
          const { writer, rows } = fakeWriter();
          const out = new OrderedOutput(writer);
          for (const seq of order) out.finish(seq, line(seq));
          expect(rows).toEqual([...order].sort((a, b) => a - b));
        },
      ),
      { seed: 3, numRuns: 200 },
    );
  });
});
