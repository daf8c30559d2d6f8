/** KeptCount: the rows a resume keeps, counted before the run as the row loop will keep them. */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { matchHeader } from '../../src/input/header.js';
import { poNumbers } from '../../src/kinds.js';
import { KeptCount, RowDecisions } from '../../src/job/row-decision.js';
import { facts, HELD, valid } from '../helpers/row-facts.js';

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
