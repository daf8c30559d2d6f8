import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { Change } from '../../src/kinds.js';
import type { PreviousRow } from '../../src/results/earlier-rows.js';
import { heldAt, type Held } from '../../src/results/resume.js';
import { matchHeader } from '../../src/input/header.js';
import { poNumbers } from '../../src/kinds.js';
import {
  decideRow,
  KeptCount,
  RowDecisions,
  THIS_RUN,
  type RowDecision,
  type RowFacts,
  type KeyedValidation,
} from '../../src/job/row-decision.js';

const HELD: Held = {
  cells: ['2', 'c', 's', 'PO-1', 'success', '204', '1', 'id', '', '', ''],
  status: 'success',
  attempts: 1,
  origin: 0,
};
const KEPT = { action: 'keep', cells: HELD.cells, result: { status: 'success', attempts: 1 } };
/** Nothing applied after the first run: every held row may be kept. */
const NONE: ReadonlyMap<string, number> = new Map();
/** Keys handed to the API earlier in this run. */
const handed = (...keys: string[]): ReadonlyMap<string, number> => new Map(keys.map((k) => [k, THIS_RUN]));
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
          expect(decision).toEqual(decideRow(row, NONE));
        }
      }),
    );
  });
});

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

// Whole histories of runs, against a model of the API: a first run, resumes killed part-way (each
// leaving a partial file that is a prefix of its rows, with rows beyond it sent but not recorded),
// and a last resume that completes. Whatever happened, the API must end at each key's last row.
describe('resumes over random histories', () => {
  interface RunPlan {
    /** Rows written before the kill (all rows: killed before the partial file was renamed). */
    readonly recorded: number;
    /** Which rows beyond those were sent all the same (a key's rows go one after another). */
    readonly inFlight: readonly boolean[];
    /** From this row on, the run was stopping: rows not kept are not attempted. */
    readonly stopAt: number;
    /** Whether each row sent gets its 204 (else a 503 after its retries). */
    readonly answered: readonly boolean[];
  }
  const MAX_ROWS = 10;
  const flags = fc.array(fc.boolean(), { minLength: MAX_ROWS, maxLength: MAX_ROWS });
  const histories = fc.record({
    rows: fc.array(fc.record({ key: fc.constantFrom(...KEYS), refused: fc.nat(4).map((n) => n === 0) }), {
      minLength: 1,
      maxLength: MAX_ROWS,
    }),
    killed: fc.array(
      fc.record({
        recorded: fc.nat(MAX_ROWS),
        inFlight: flags,
        stopAt: fc.nat(MAX_ROWS + 2),
        answered: flags,
      }),
      { maxLength: 4 },
    ),
  });

  /** A results row as the writer writes it. */
  const record = (line: number, status: string, httpStatus: string, id: string): PreviousRow => {
    const cells = [String(line), 'c', 's', `PO-${line}`, status, httpStatus, '1', id, '', '', ''];
    return { line, status, httpStatus, correlationId: id, cells };
  };

  test('the API ends at the last row of each key that the API accepts, and every row says so', () => {
    fc.assert(
      fc.property(histories, ({ rows, killed }) => {
        const api = new Map<string, number>();
        let sources: (PreviousRow | undefined)[][] = [];
        let ids = 0;
        const runOnce = (plan: RunPlan | undefined): (PreviousRow | undefined)[] => {
          const resumed = sources.length > 0;
          const decisions = new RowDecisions(resumed);
          const recorded = plan ? Math.min(plan.recorded, rows.length) : rows.length;
          const waiting = new Set<string>(); // keys whose row beyond the prefix was not sent
          const written: (PreviousRow | undefined)[] = [];
          rows.forEach((row, line) => {
            const earlier = sources.map((source) => source[line]);
            const held = resumed ? heldAt(earlier, false) : undefined;
            const decision = decisions.next({
              held,
              validation: valid(row.key),
              sending: true,
              stopping: plan !== undefined && line >= plan.stopAt,
            });
            let result: PreviousRow;
            if (decision.action === 'keep') {
              result = earlier.findLast((r) => r !== undefined)!;
            } else if (decision.action === 'not_attempted') {
              result = record(line, 'not_attempted', '', '');
            } else {
              const sent = line < recorded || (plan!.inFlight[line] === true && !waiting.has(row.key));
              if (!sent) waiting.add(row.key);
              const status = row.refused ? 400 : plan === undefined || plan.answered[line] ? 204 : 503;
              if (sent && status === 204) api.set(row.key, line);
              result = record(line, status === 204 ? 'success' : 'failed', String(status), `id-${ids++}`);
            }
            written.push(line < recorded ? result : undefined);
          });
          return written;
        };
        for (const plan of killed) sources.push(runOnce(plan));
        sources = [runOnce(undefined)];

        const final = sources[0]!;
        rows.forEach((row, line) => expect(final[line]?.status).toBe(row.refused ? 'failed' : 'success'));
        for (const key of KEYS) {
          const last = rows.findLastIndex((row) => row.key === key && !row.refused);
          expect(api.get(key)).toBe(last < 0 ? undefined : last);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('KeptCount', () => {
  const header = matchHeader(['customerId', 'subscriptionId', 'poNumber'], poNumbers, 'f.csv');
  const C = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
  const S = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
  const T = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

  test('a success whose key an earlier row is applied again before is not counted as kept', () => {
    const count = new KeptCount(header, { allowClear: false });
    // Line 2 applied by resume 1 (source 1), line 3 recorded in the older out.csv (source 0).
    count.row([C, S, 'PO-FIRST'], { ...HELD, origin: 1 });
    count.row([C, S, 'PO-LAST'], { ...HELD, origin: 0 });
    count.row([C, T, 'PO-OTHER'], { ...HELD, origin: 0 });
    expect({ kept: count.kept, refused: count.refused }).toEqual({ kept: 2, refused: 0 });
  });

  test('counts what the row loop keeps, whatever the rows and their earlier records', () => {
    const subs = [S, T];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            sub: fc.constantFrom(...subs),
            held: fc.option(fc.record({ status: fc.constantFrom('success', 'failed'), origin: fc.nat(2) }), {
              nil: undefined,
            }),
          }),
        ),
        (rows) => {
          const count = new KeptCount(header, { allowClear: false });
          const loop = new RowDecisions(true);
          let kept = 0;
          let refused = 0;
          for (const [i, row] of rows.entries()) {
            const held = row.held && { ...HELD, ...row.held };
            count.row([C, row.sub, `PO-${i}`], held);
            const decision = loop.next(facts({ held, validation: valid(`${C}/${row.sub}`) }));
            if (decision.action !== 'keep') continue;
            if (held?.status === 'failed') refused++;
            else kept++;
          }
          expect({ kept: count.kept, refused: count.refused }).toEqual({ kept, refused });
          // Never more than the earlier results hold.
          expect(count.kept).toBeLessThanOrEqual(rows.filter((r) => r.held?.status === 'success').length);
        },
      ),
    );
  });
});
