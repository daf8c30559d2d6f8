/** Rows as the row loop sees them, for the tests of its decisions: held or not, valid or not, stopping or not. */
import type { Change } from '../../src/kinds.js';
import type { Held } from '../../src/results/resume.js';
import { THIS_RUN, type KeyedValidation, type RowFacts } from '../../src/job/row-decision.js';

/** A row the earlier results hold as success, recorded by the first run. */
export const HELD: Held = {
  cells: ['2', 'c', 's', 'PO-1', 'success', '204', '1', 'id', '', '', ''],
  status: 'success',
  attempts: 1,
  origin: 0,
};
/** Nothing applied after the first run: every held row may be kept. */
export const NONE: ReadonlyMap<string, number> = new Map();
/** Keys handed to the API earlier in this run. */
export const handed = (...keys: string[]): ReadonlyMap<string, number> =>
  new Map(keys.map((k) => [k, THIS_RUN]));
/** The problems of an invalid row. */
export const PROBLEMS = [{ propertyName: 'customerId', description: 'is not a UUID' }];

/** The change of a row of `key`. */
export const change = (key: string): Change => ({ values: { key } });
/** A valid row of `key`. */
export const valid = (key: string): KeyedValidation => ({ change: change(key), key });
/** An invalid row. */
export const invalid: KeyedValidation = { problems: PROBLEMS };

/** A row as the loop sees it; by default valid (key `a`), not held, in a real run that goes on. */
export function facts(overrides: Partial<RowFacts> = {}): RowFacts {
  return { held: undefined, validation: valid('a'), sending: true, stopping: false, ...overrides };
}

/** A few keys, so that random rows share them. */
export const KEYS = ['a', 'b', 'c'] as const;
