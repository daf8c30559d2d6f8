/** The origin rule of the row decisions: a held row is kept or sent again by which run last applied its key. */
import { describe, expect, test } from '@jest/globals';
import type { Held } from '../../src/results/resume.js';
import { decideRow, RowDecisions } from '../../src/job/row-decision.js';
import { facts, handed, HELD, valid } from '../helpers/row-facts.js';

describe('the origin rule', () => {
  const applied = (origin: number): ReadonlyMap<string, number> => new Map([['a', origin]]);

  test('a held success is kept when the key was last applied by the same run as it or an earlier one', () => {
    expect(decideRow(facts({ held: { ...HELD, origin: 2 } }), applied(2)).action).toBe('keep');
    expect(decideRow(facts({ held: { ...HELD, origin: 2 } }), applied(1)).action).toBe('keep');
  });

  test('a held success is sent again when an earlier row of its key was applied by a later run', () => {
    expect(decideRow(facts({ held: { ...HELD, origin: 0 } }), applied(1)).action).toBe('resend');
  });

  test('a row refused for good is kept as failed, whatever was applied or handed before it', () => {
    const refused: Held = { ...HELD, status: 'failed', origin: 1 };
    expect(decideRow(facts({ held: refused }), handed('a'))).toEqual({
      action: 'keep',
      cells: HELD.cells,
      result: { status: 'failed', attempts: 1 },
    });
  });

  test('a kept success applied by a later run makes the later rows of its key recorded before it be sent again', () => {
    const decisions = new RowDecisions(true);
    expect(decisions.next(facts({ held: { ...HELD, origin: 1 } })).action).toBe('keep');
    expect(decisions.next(facts({ held: { ...HELD, origin: 1 }, validation: valid('b') })).action).toBe(
      'keep',
    );
    expect(decisions.next(facts({ held: { ...HELD, origin: 0 }, validation: valid('b') })).action).toBe(
      'resend',
    );
    expect(decisions.next(facts({ held: { ...HELD, origin: 0 } })).action).toBe('resend');
  });

  test('a kept refusal applies nothing: the later rows of its key are kept', () => {
    const decisions = new RowDecisions(true);
    expect(decisions.next(facts({ held: { ...HELD, status: 'failed', origin: 1 } })).action).toBe('keep');
    expect(decisions.next(facts({ held: { ...HELD, origin: 0 } })).action).toBe('keep');
  });
});
