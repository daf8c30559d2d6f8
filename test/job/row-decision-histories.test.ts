/** Resumes over random histories of killed runs (fast-check): the API ends at each key's last row accepted. */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { PreviousRow } from '../../src/results/earlier-rows.js';
import { heldAt } from '../../src/results/resume.js';
import { RowDecisions } from '../../src/job/row-decision.js';
import { KEYS, valid } from '../helpers/row-facts.js';

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
