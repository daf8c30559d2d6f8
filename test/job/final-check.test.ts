import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { keyHash } from '../../src/job/final-check.js';

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
