import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { Change } from '../../src/kinds.js';
import {
  decideRow,
  RowDecisions,
  type RowDecision,
  type RowFacts,
  type KeyedValidation,
} from '../../src/job/row-decision.js';

const HELD = ['2', 'c', 's', 'PO-1', 'success', '', '1', 'id', '', '', '', ''];
const PROBLEMS = [{ propertyName: 'customerId', description: 'is not a UUID' }];

const change = (key: string): Change => ({ values: { key } });
const valid = (key: string): KeyedValidation => ({ change: change(key), key });
const invalid: KeyedValidation = { problems: PROBLEMS };

/** A row as the loop sees it; by default valid (key `a`), not held, in a real run that goes on. */
function facts(overrides: Partial<RowFacts> = {}): RowFacts {
  return { held: undefined, validation: valid('a'), sending: true, stopping: false, ...overrides };
}

describe('decideRow', () => {
  test('a row whose line the earlier results hold as success is kept, with the earlier cells', () => {
    expect(decideRow(facts({ held: HELD }), new Set())).toEqual({ action: 'keep', cells: HELD });
  });

  test('a held row is kept even if it is invalid now', () => {
    expect(decideRow(facts({ held: HELD, validation: invalid }), new Set(['a']))).toEqual({
      action: 'keep',
      cells: HELD,
    });
  });

  test('a held row is kept even when the run is stopping', () => {
    expect(decideRow(facts({ held: HELD, stopping: true }), new Set()).action).toBe('keep');
  });

  test('an invalid row is written invalid with its problems', () => {
    expect(decideRow(facts({ validation: invalid }), new Set())).toEqual({
      action: 'invalid',
      problems: PROBLEMS,
    });
  });

  test('an invalid row stays invalid in a dry run and when the run is stopping', () => {
    expect(decideRow(facts({ validation: invalid, sending: false }), new Set()).action).toBe('invalid');
    expect(decideRow(facts({ validation: invalid, stopping: true }), new Set()).action).toBe('invalid');
  });

  test('a valid row is only checked in a dry run', () => {
    expect(decideRow(facts({ sending: false }), new Set())).toEqual({ action: 'check' });
  });

  test('a valid row is sent in a real run, with its change and key', () => {
    expect(decideRow(facts(), new Set())).toEqual({ action: 'send', change: change('a'), key: 'a' });
  });

  test('a valid row is not attempted once the run is stopping', () => {
    expect(decideRow(facts({ stopping: true }), new Set())).toEqual({ action: 'not_attempted', key: 'a' });
  });

  test('a held row is sent again when an earlier row of its key was handed to the API', () => {
    expect(decideRow(facts({ held: HELD }), new Set(['a']))).toEqual({
      action: 'resend',
      change: change('a'),
      key: 'a',
    });
  });

  test('a held row is not attempted when an earlier row of its key was handed to the API and the run is stopping', () => {
    expect(decideRow(facts({ held: HELD, stopping: true }), new Set(['a'])).action).toBe('not_attempted');
  });

  test('a held row is kept when only rows of other keys were handed to the API', () => {
    expect(decideRow(facts({ held: HELD }), new Set(['b'])).action).toBe('keep');
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

// Properties over random runs: a few keys so that rows share them, rows held or not (only in a
// resumed run), valid or not, and a point from which the run is stopping (it never stops stopping).
const KEYS = ['a', 'b', 'c'] as const;
const SENT = new Set<RowDecision['action']>(['send', 'resend']);
const HANDED = new Set<RowDecision['action']>(['send', 'resend', 'not_attempted']);

interface RunSpec {
  readonly resumed: boolean;
  readonly sending: boolean;
  readonly stopAt: number;
  readonly rows: readonly { readonly key: string | undefined; readonly held: boolean }[];
}

const runs = fc.record({
  resumed: fc.boolean(),
  sending: fc.boolean(),
  stopAt: fc.nat(40),
  rows: fc.array(
    fc.record({ key: fc.option(fc.constantFrom(...KEYS), { nil: undefined }), held: fc.boolean() }),
    { maxLength: 30 },
  ),
});

/** Each row's facts and decision, decided in order as the row loop does. */
function decideRun(run: RunSpec): { facts: RowFacts; key: string | undefined; decision: RowDecision }[] {
  const decisions = new RowDecisions(run.resumed);
  return run.rows.map((row, i) => {
    const rowFacts: RowFacts = {
      held: run.resumed && row.held ? HELD : undefined,
      validation: row.key === undefined ? invalid : valid(row.key),
      sending: run.sending,
      stopping: i >= run.stopAt,
    };
    return { facts: rowFacts, key: row.key, decision: decisions.next(rowFacts) };
  });
}

describe('RowDecisions over random runs', () => {
  test('every row gets exactly one decision, the same every time', () => {
    fc.assert(
      fc.property(runs, (run) => {
        const once = decideRun(run);
        expect(once).toHaveLength(run.rows.length);
        for (const { decision } of once) {
          expect(['keep', 'invalid', 'check', 'send', 'resend', 'not_attempted']).toContain(decision.action);
        }
        expect(decideRun(run)).toEqual(once);
      }),
    );
  });

  test('an invalid row is never sent: it is invalid, or kept when its line was applied before', () => {
    fc.assert(
      fc.property(runs, (run) => {
        for (const { facts: row, key, decision } of decideRun(run)) {
          if (key !== undefined) continue;
          expect(decision.action).toBe(row.held ? 'keep' : 'invalid');
        }
      }),
    );
  });

  test('a held row is kept unless an earlier row of its key was sent or left not attempted in this run', () => {
    fc.assert(
      fc.property(runs, (run) => {
        const decided = decideRun(run);
        decided.forEach(({ facts: row, key, decision }, i) => {
          const handedBefore =
            key !== undefined &&
            decided.slice(0, i).some((earlier) => earlier.key === key && HANDED.has(earlier.decision.action));
          expect(decision.action === 'keep').toBe(row.held !== undefined && !handedBefore);
          if (row.held && handedBefore)
            expect(decision.action).toBe(row.stopping ? 'not_attempted' : 'resend');
        });
      }),
    );
  });

  test('for rows of one key, a later row is never kept once an earlier row of the key was sent', () => {
    fc.assert(
      fc.property(runs, (run) => {
        const decided = decideRun(run);
        decided.forEach((earlier, i) => {
          if (!SENT.has(earlier.decision.action)) return;
          for (const later of decided.slice(i + 1)) {
            if (later.key === earlier.key) expect(later.decision.action).not.toBe('keep');
          }
        });
      }),
    );
  });

  test('once the run is stopping nothing is sent: valid rows not kept are not attempted', () => {
    fc.assert(
      fc.property(runs, (run) => {
        for (const { facts: row, key, decision } of decideRun(run)) {
          if (!row.stopping) continue;
          expect(SENT.has(decision.action)).toBe(false);
          if (run.sending && key !== undefined && decision.action !== 'keep') {
            expect(decision.action).toBe('not_attempted');
          }
        }
      }),
    );
  });

  test('until the run is stopping, a real run sends every valid row not kept: resend if held, send if not', () => {
    fc.assert(
      fc.property(runs, (run) => {
        for (const { facts: row, key, decision } of decideRun(run)) {
          if (!run.sending || row.stopping || key === undefined || decision.action === 'keep') continue;
          expect(decision).toEqual({ action: row.held ? 'resend' : 'send', change: change(key), key });
        }
      }),
    );
  });

  test('a dry run sends nothing: held rows are kept, invalid rows invalid, the rest checked', () => {
    fc.assert(
      fc.property(runs, (run) => {
        for (const { facts: row, key, decision } of decideRun({ ...run, sending: false })) {
          expect(decision.action).toBe(row.held ? 'keep' : key === undefined ? 'invalid' : 'check');
        }
      }),
    );
  });

  test('outside a resume, a row is decided by its own facts alone, whatever came before it', () => {
    fc.assert(
      fc.property(runs, (run) => {
        for (const { facts: row, decision } of decideRun({ ...run, resumed: false })) {
          expect(decision).toEqual(decideRow(row, new Set()));
        }
      }),
    );
  });
});
