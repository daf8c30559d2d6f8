/** decideRow and RowDecisions by example: each row's facts decide it to be kept, sent, sent again, checked, invalid or not attempted. */
import { describe, expect, test } from '@jest/globals';
import { decideRow, RowDecisions } from '../../src/job/row-decision.js';
import { change, facts, handed, HELD, invalid, NONE, PROBLEMS, valid } from '../helpers/row-facts.js';

const KEPT = { action: 'keep', cells: HELD.cells, result: { status: 'success', attempts: 1 } };

describe('decideRow', () => {
  test('a row whose line the earlier results hold as success is kept, with the earlier cells', () => {
    expect(decideRow(facts({ held: HELD }), NONE)).toEqual(KEPT);
  });

  test('a held row is kept even if it is invalid now', () => {
    expect(decideRow(facts({ held: HELD, validation: invalid }), handed('a'))).toEqual(KEPT);
  });

  test('a held row is kept even when the run is stopping', () => {
    expect(decideRow(facts({ held: HELD, stopping: true }), NONE).action).toBe('keep');
  });

  test('an invalid row is written invalid with its problems', () => {
    expect(decideRow(facts({ validation: invalid }), NONE)).toEqual({
      action: 'invalid',
      problems: PROBLEMS,
    });
  });

  test('an invalid row stays invalid in a dry run and when the run is stopping', () => {
    expect(decideRow(facts({ validation: invalid, sending: false }), NONE).action).toBe('invalid');
    expect(decideRow(facts({ validation: invalid, stopping: true }), NONE).action).toBe('invalid');
  });

  test('a valid row is only checked in a dry run', () => {
    expect(decideRow(facts({ sending: false }), NONE)).toEqual({ action: 'check' });
  });

  test('a valid row is sent in a real run, with its change and key', () => {
    expect(decideRow(facts(), NONE)).toEqual({ action: 'send', change: change('a'), key: 'a' });
  });

  test('a valid row is not attempted once the run is stopping', () => {
    expect(decideRow(facts({ stopping: true }), NONE)).toEqual({ action: 'not_attempted', key: 'a' });
  });

  test('a held row is sent again when an earlier row of its key was handed to the API', () => {
    expect(decideRow(facts({ held: HELD }), handed('a'))).toEqual({
      action: 'resend',
      change: change('a'),
      key: 'a',
    });
  });

  test('a held row is not attempted when an earlier row of its key was handed to the API and the run is stopping', () => {
    expect(decideRow(facts({ held: HELD, stopping: true }), handed('a')).action).toBe('not_attempted');
  });

  test('a held row is kept when only rows of other keys were handed to the API', () => {
    expect(decideRow(facts({ held: HELD }), handed('b')).action).toBe('keep');
  });
});

describe('RowDecisions', () => {
  test('in a resumed run, a row sent makes the later held rows of its key be sent again', () => {
    const decisions = new RowDecisions(true);
    expect(decisions.next(facts()).action).toBe('send');
    expect(decisions.next(facts({ held: HELD, validation: valid('b') })).action).toBe('keep');
    expect(decisions.next(facts({ held: HELD })).action).toBe('resend');
    expect(decisions.next(facts({ held: HELD })).action).toBe('resend');
  });

  test('in a resumed run, a row left not attempted makes the later held rows of its key not attempted too', () => {
    const decisions = new RowDecisions(true);
    expect(decisions.next(facts({ stopping: true })).action).toBe('not_attempted');
    expect(decisions.next(facts({ held: HELD, stopping: true })).action).toBe('not_attempted');
    expect(decisions.next(facts({ held: HELD, validation: valid('b'), stopping: true })).action).toBe('keep');
  });

  test('an invalid row hands no key: the later held rows are kept', () => {
    const decisions = new RowDecisions(true);
    expect(decisions.next(facts({ validation: invalid })).action).toBe('invalid');
    expect(decisions.next(facts({ held: HELD })).action).toBe('keep');
  });
});
