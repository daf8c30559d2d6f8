import { describe, expect, test } from '@jest/globals';
import { StoredValues, checkSeedValues } from '../../src/simulator/values.js';

const KEY = 'c1/s1';
const po = (value: string) => ({ target: 'poNumber' as const, key: KEY, value });

describe('StoredValues', () => {
  test('a read sees what was stored, and undefined for a key never stored', () => {
    const values = new StoredValues();
    values.apply(po('PO-1'), 1000, true, 0);
    expect(values.read('poNumber', KEY, 1000, 0)).toBe('PO-1');
    expect(values.read('poNumber', 'c1/other', 1000, 0)).toBeUndefined();
    expect(values.read('internalIdentifier', KEY, 1000, 0)).toBeUndefined();
  });

  test('a cleared PO number is stored as "" and a cleared internal identifier as null', () => {
    const values = new StoredValues();
    values.apply({ target: 'poNumber', key: KEY, value: null }, 0, false, 0);
    values.apply({ target: 'internalIdentifier', key: 'c1/csp', value: null }, 0, false, 0);
    expect(values.read('poNumber', KEY, 0, 0)).toBe('');
    expect(values.read('internalIdentifier', 'c1/csp', 0, 0)).toBeNull();
  });

  test('seeded values are there from the start, with lower-cased keys, and reset goes back to them', () => {
    const values = new StoredValues();
    values.reset({ poNumbers: { 'C1/S1': 'PO-7' }, internalIdentifiers: { 'c2/csp': null } });
    expect(values.read('poNumber', KEY, 0, 0)).toBe('PO-7');
    expect(values.internalIdentifiers.has('c2/csp')).toBe(true);
    values.apply(po('PO-8'), 0, true, 0);
    values.reset({ poNumbers: { [KEY]: 'PO-7' } });
    expect(values.read('poNumber', KEY, 0, 0)).toBe('PO-7');
    expect(values.history.size).toBe(0);
  });

  test('with a lag, a read sees each value only once it has been stored that long', () => {
    const values = new StoredValues();
    values.reset({ poNumbers: { [KEY]: 'PO-0' } });
    values.apply(po('PO-1'), 1000, false, 500);
    values.apply(po('PO-2'), 1200, false, 500);
    expect(values.read('poNumber', KEY, 1000, 500)).toBe('PO-0');
    expect(values.read('poNumber', KEY, 1499, 500)).toBe('PO-0');
    expect(values.read('poNumber', KEY, 1500, 500)).toBe('PO-1');
    expect(values.read('poNumber', KEY, 1699, 500)).toBe('PO-1');
    expect(values.read('poNumber', KEY, 1700, 500)).toBe('PO-2');
    expect(values.read('poNumber', KEY, 5000, 500)).toBe('PO-2');
  });

  test('a target first written within the lag reads as never stored', () => {
    const values = new StoredValues();
    values.apply(po('PO-1'), 1000, false, 500);
    expect(values.read('poNumber', KEY, 1100, 500)).toBeUndefined();
    expect(values.read('poNumber', KEY, 1600, 500)).toBe('PO-1');
  });

  test('history keeps the writes in order when asked, never the seed', () => {
    const values = new StoredValues();
    values.reset({ poNumbers: { [KEY]: 'PO-0' } });
    values.apply(po('A'), 0, true, 0);
    values.apply(po('B'), 0, true, 0);
    values.apply(po('C'), 0, false, 0);
    expect(values.history.get(KEY)).toEqual(['A', 'B']);
  });

  test('the customers and subscriptions with a value are listed in the order first stored', () => {
    const values = new StoredValues();
    values.reset({
      poNumbers: { 'c2/s1': 'x', 'c1/s2': 'y', 'c2/s3': 'z' },
      internalIdentifiers: { 'c3/csp': 'i' },
    });
    expect(values.customerIds()).toEqual(['c2', 'c1', 'c3']);
    expect(values.subscriptionIds('c2')).toEqual(['s1', 's3']);
    expect(values.subscriptionIds('c3')).toEqual([]);
  });
});

describe('checkSeedValues', () => {
  test('accepts both tables or either, and says what was expected otherwise', () => {
    expect(checkSeedValues({})).toBeUndefined();
    expect(checkSeedValues({ poNumbers: { a: 'PO-1' }, internalIdentifiers: { b: null } })).toBeUndefined();
    for (const bad of [
      null,
      [],
      { poNumbers: { a: null } },
      { internalIdentifiers: { b: 7 } },
      { other: {} },
    ]) {
      expect(checkSeedValues(bad)).toMatch(/poNumbers/);
    }
  });
});
