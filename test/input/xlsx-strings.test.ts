/** The shared strings held in blocks: every string comes back as it went in, across block ends. */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { SharedStrings } from '../../src/input/xlsx-strings.js';

describe('SharedStrings', () => {
  test('any strings, any number of them, come back by index exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 6 }), { maxLength: 3000 }), (strings) => {
        const table = SharedStrings.of(strings);
        expect(table.length).toBe(strings.length);
        for (let i = 0; i < strings.length; i++) expect(table.get(i)).toBe(strings[i]);
      }),
      { numRuns: 60, seed: 14 },
    );
  });

  test('empty strings at a block end and the last string of a full block', () => {
    const strings = Array.from({ length: 2049 }, (_, i) => (i % 1024 === 1023 ? '' : `s${i}`));
    strings[2047] = 'end of block 2';
    const table = SharedStrings.of(strings);
    expect([1022, 1023, 1024, 2047, 2048].map((i) => table.get(i))).toEqual([
      's1022',
      '',
      's1024',
      'end of block 2',
      's2048',
    ]);
  });
});
