import { describe, expect, test } from '@jest/globals';
import { sameValue, shown } from '../../src/job/verify.js';

describe('read-back values', () => {
  test('a cleared value reads as null or "" alike, and either matches a cleared row', () => {
    expect(sameValue(null, '')).toBe(true);
    expect(sameValue('', undefined)).toBe(true);
    expect(sameValue('PO-1', 'PO-1')).toBe(true);
    expect(sameValue('PO-1', 'po-1')).toBe(false);
    expect(sameValue('PO-1', null)).toBe(false);
  });

  test('a value is shown quoted, a cleared one in words', () => {
    expect(shown('PO-1')).toBe('"PO-1"');
    expect(shown(null)).toBe('(cleared)');
    expect(shown('')).toBe('(cleared)');
  });
});
