/** RowDecisions over random runs (fast-check): its rules hold whatever the rows, their keys, what is held and when the run stops. */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { decideRow, RowDecisions, type RowDecision, type RowFacts } from '../../src/job/row-decision.js';
import { change, HELD, invalid, KEYS, NONE, valid } from '../helpers/row-facts.js';

// Properties over random runs: a few keys so that rows share them, rows held or not (only in a
// resumed run), valid or not, and a point from which the run is stopping (it never stops stopping).

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
          expect(decision).toEqual(decideRow(row, NONE));
        }
      }),
    );
  });
});
