import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { keyHash } from '../../src/job/final-check.js';

describe('keyHash', () => {
  test('the same key always hashes the same, within 53 bits', () => {
    fc.assert(
      fc.property(fc.string(), (key) => {
        const hash = keyHash(key);
        expect(hash).toBe(keyHash(`${key}`));
        expect(Number.isSafeInteger(hash) && hash >= 0).toBe(true);
      }),
    );
  });

  test('keys of a long file hash apart (a clash would only cost one read more)', () => {
    const hashes = new Set<number>();
    for (let i = 0; i < 100_000; i++) {
      const id = String(i).padStart(12, '0');
      hashes.add(keyHash(`aaaaaaaa-0000-4000-8000-${id}/bbbbbbbb-0000-4000-8000-${id}`));
    }
    expect(hashes.size).toBe(100_000);
  });
});
