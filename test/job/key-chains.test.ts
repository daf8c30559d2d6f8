import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { KeyChains, type KeyState } from '../../src/job/key-chains.js';
import { Scheduler } from '../../src/pacing/scheduler.js';
import type { RowResult } from '../../src/result.js';

const DONE: RowResult = { status: 'success', attempts: 1 };
const UNANSWERED: RowResult = { status: 'failed', attempts: 1, errorType: 'Timeout', unanswered: true };
const SKIPPED: RowResult = { status: 'not_attempted', attempts: 0 };
/** Longer than any test: a hold ends only by dispose() or a stop, never by the clock. */
const FOREVER = 3_600_000;

describe('KeyChains', () => {
  test("after a write that got no answer, the key's next row waits for the hold without holding a slot", async () => {
    const scheduler = new Scheduler(1);
    const chains = new KeyChains(scheduler, FOREVER);
    const log: string[] = [];
    let seen: number | undefined;
    const first = chains.schedule(
      'a',
      2,
      async () => UNANSWERED,
      () => SKIPPED,
    );
    const second = chains.schedule(
      'a',
      5,
      async (state: KeyState) => {
        seen = state.unansweredLine;
        log.push('a, line 5');
        return DONE;
      },
      () => SKIPPED,
    );
    const other = chains.schedule(
      'b',
      3,
      async () => {
        log.push('b, line 3');
        return DONE;
      },
      () => SKIPPED,
    );
    await first;
    await other;
    // The only slot was free for b while a's next row waited.
    expect(log).toEqual(['b, line 3']);
    chains.dispose();
    await second;
    expect(log).toEqual(['b, line 3', 'a, line 5']);
    expect(seen).toBe(2);
  });

  test('a stop ends a hold at once: the waiting row is not attempted', async () => {
    const scheduler = new Scheduler(4);
    const chains = new KeyChains(scheduler, FOREVER);
    await chains.schedule(
      'a',
      2,
      async () => UNANSWERED,
      () => SKIPPED,
    );
    const next = chains.schedule(
      'a',
      3,
      async () => DONE,
      () => SKIPPED,
    );
    scheduler.stop();
    expect(await next).toBe(SKIPPED);
    chains.dispose();
  });

  test('rows of one key run in file order whatever their outcomes, and no key state outlives its rows', async () => {
    const row = fc.record({ key: fc.constantFrom('a', 'b', 'c'), unanswered: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        async (rows, slots) => {
          const chains = new KeyChains(new Scheduler(slots), 0);
          const ran: Record<string, number[]> = {};
          await Promise.all(
            rows.map((r, line) =>
              chains.schedule(
                r.key,
                line,
                async () => {
                  (ran[r.key] ??= []).push(line);
                  await Promise.resolve();
                  return r.unanswered ? UNANSWERED : DONE;
                },
                () => SKIPPED,
              ),
            ),
          );
          for (const [key, lines] of Object.entries(ran)) {
            expect(lines).toEqual(rows.flatMap((r, line) => (r.key === key ? [line] : [])));
          }
          chains.dispose();
          // Holds end on their next turn; then every state is gone.
          await new Promise((resolve) => setImmediate(resolve));
          expect(chains.size).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
