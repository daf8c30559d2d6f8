/**
 * A run as the page watches it: counts from the rows written, the latest failures, and events a
 * reconnecting page is replayed from its Last-Event-ID, never with a gap or a repeat.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { zeroCounts, type ResultLine, type RowStatus } from '../../src/result.js';
import { LiveRun, type LiveEvent } from '../../src/server/live.js';
import type { PageSummary } from '../../src/server/store.js';

const row = (line: number, status: RowStatus): ResultLine => ({
  line,
  cells: ['a', 'b', 'c'],
  extras: [],
  result: {
    status,
    attempts: 1,
    errorDescription: status === 'success' ? undefined : `Not sent: row ${line}`,
  },
});

const summary: PageSummary = {
  exitCode: 1,
  counts: zeroCounts(),
  rows: 0,
  durationMs: 0,
  stoppedBecause: undefined,
  cancelled: false,
};

const statuses = fc.constantFrom<RowStatus>('success', 'failed', 'invalid', 'not_attempted');

describe('LiveRun', () => {
  test('counts every row by status and keeps the ten latest failures with their reasons', () => {
    const live = new LiveRun('x', 36);
    for (let i = 0; i < 36; i++) live.onRow(row(i + 2, i % 3 === 0 ? 'failed' : 'success'));
    live.finish(summary);
    const snapshot = live.snapshot();
    expect(snapshot).toMatchObject({ done: 36, counts: { failed: 12, success: 24 }, state: 'finished' });
    // Twelve failed (lines 2, 5, … 35): the ten latest are kept.
    expect(snapshot.failures.map((f) => f.line)).toEqual([8, 11, 14, 17, 20, 23, 26, 29, 32, 35]);
    expect(snapshot.failures[0]?.reason).toBe('row 8');
  });

  test('replay from any Last-Event-ID gives exactly the events after it, or says they are gone', () => {
    fc.assert(
      fc.property(fc.array(statuses, { maxLength: 2_600 }), fc.nat(), (rows, pick) => {
        const live = new LiveRun('x', rows.length);
        const heard: LiveEvent[] = [];
        live.listen((event) => heard.push(event));
        rows.forEach((status, i) => live.onRow(row(i + 2, status)));
        live.finish(summary);
        const last = heard.length === 0 ? 0 : pick % (heard.length + 1);
        const replay = live.since(last);
        if (replay === undefined) {
          // Only events no longer kept may make a replay impossible.
          expect(heard.length).toBeGreaterThan(2_000);
          expect(last).toBeLessThan(heard.length - 2_000);
        } else {
          expect(replay).toEqual(heard.filter((e) => e.id > last));
        }
        expect(heard.map((e) => e.id)).toEqual(heard.map((_, i) => i + 1));
        expect(heard.at(-1)?.type).toBe('end');
      }),
      { numRuns: 60 },
    );
  });
});
