import { describe, expect, test } from '@jest/globals';
import { plural } from '../../src/report/plural.js';

describe('plural', () => {
  test('one takes the singular; zero and many take the plural, regular or given', () => {
    expect(plural(1, 'row')).toBe('1 row');
    expect(plural(0, 'row')).toBe('0 rows');
    expect(plural(2, 'row')).toBe('2 rows');
    expect(plural(1, 'retry', 'retries')).toBe('1 retry');
    expect(plural(5, 'retry', 'retries')).toBe('5 retries');
  });
});
