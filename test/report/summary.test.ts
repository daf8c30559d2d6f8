import { describe, expect, test } from '@jest/globals';
import { zeroCounts } from '../../src/result.js';
import { exitCodeFor, summarise, type SummaryInput } from '../../src/report/summary.js';

const none = zeroCounts();

const input = (over: Partial<SummaryInput> = {}): SummaryInput => ({
  kind: 'po-numbers',
  counts: { ...none, success: 1 },
  rows: 1,
  kept: 0,
  durationMs: 1000,
  retries: 1,
  throttle: { signals: 0, cuts: 0, lowestRate: undefined },
  latency: { p50: 20, p95: 30 },
  resultsPath: '/r.csv',
  dryRun: false,
  stop: undefined,
  ...over,
});

describe('summarise', () => {
  test('one of anything is said in the singular: 1 row, 1 retry, 1 answer, cut 1 time', () => {
    const { text } = summarise(input({ throttle: { signals: 1, cuts: 1, lowestRate: 2 } }));
    expect(text).toBe(
      '1 row: 1 success in 1.0 s (1.0 rows/s, 1 retry, latency p50 20 ms, p95 30 ms). ' +
        'Throttled: 1 answer of 429/503, pace cut 1 time (lowest 2.0 requests/s). Results: /r.csv',
    );
  });

  test('more than one, or none, in the plural', () => {
    const counts = { ...none, success: 2, failed: 1 };
    const { text } = summarise(
      input({ counts, rows: 3, retries: 0, throttle: { signals: 3, cuts: 2, lowestRate: undefined } }),
    );
    expect(text).toContain('3 rows: 2 success, 1 failed in 1.0 s (3.0 rows/s, 0 retries,');
    expect(text).toContain('Throttled: 3 answers of 429/503, pace cut 2 times.');
    expect(summarise(input({ counts: none, rows: 0 })).text).toMatch(/^0 rows: nothing to do in/);
  });

  test('a dry run says so, and kept rows are counted apart from the rows sent', () => {
    expect(summarise(input({ dryRun: true, counts: { ...none, valid: 1 } })).text).toMatch(
      /^Dry run: 1 row: 1 valid in 1\.0 s\. Results/,
    );
    const resumed = summarise(input({ counts: { ...none, success: 2 }, rows: 2, kept: 1 }));
    expect(resumed.text).toContain('2 rows: 2 success (1 success kept from the earlier run)');
    expect(resumed.rowsPerSecond).toBe(1);
  });

  test('rows kept failed (refused for good) are said apart and not counted as sent', () => {
    const counts = { ...none, success: 2, failed: 3 };
    const resumed = summarise(input({ counts, rows: 5, kept: 1, keptRefused: 2 }));
    expect(resumed.text).toContain(
      '5 rows: 2 success, 3 failed (1 success, 2 failed (refused for good) kept from the earlier run)',
    );
    expect(resumed.sent).toBe(2);
    expect(resumed.exitCode).toBe(1);
  });

  test('rows sent but not written to the results file are named by line, and kept in the summary', () => {
    const unrecorded = [
      { line: 7, status: 'success', correlationId: 'a' },
      { line: 9, status: 'failed', correlationId: 'b' },
    ] as const;
    const stop = { cause: 'output', reason: 'the results file cannot be written', exitCode: 3 } as const;
    const summary = summarise(input({ unrecorded, stop }));
    expect(summary.text).toContain(
      '2 rows sent but not written to the results file (lines 7, 9; their correlation ids are in the log): --resume sends them again.',
    );
    expect(summary.unrecorded).toEqual(unrecorded);
    expect(summarise(input()).unrecorded).toEqual([]);
  });

  test('the exit code: a stop wins, then any failed or invalid row', () => {
    expect(exitCodeFor({ counts: none, stop: { cause: 'auth', reason: 'x', exitCode: 3 } })).toBe(3);
    expect(exitCodeFor({ counts: { ...none, invalid: 1 }, stop: undefined })).toBe(1);
    expect(exitCodeFor({ counts: { ...none, success: 5 }, stop: undefined })).toBe(0);
  });
});

describe('plans, skipped and verified rows', () => {
  test('a plan says so and counts each status; changed is its change rows', () => {
    const counts = { ...none, change: 2, unchanged: 3, failed: 1 };
    const summary = summarise(input({ plan: true, counts, rows: 6 }));
    expect(summary.text).toMatch(/^Plan: 6 rows: 2 change, 3 unchanged, 1 failed in 1\.0 s/);
    expect(summary).toMatchObject({ changed: 2, unchanged: 3, notApplied: 0, exitCode: 1 });
  });

  test('a real run counts as changed the rows it wrote, and says how many did not land', () => {
    const counts = { ...none, success: 4, unchanged: 5, failed: 1 };
    const summary = summarise(input({ counts, rows: 10, kept: 1, notApplied: 1, notes: ['Checked.'] }));
    expect(summary).toMatchObject({ changed: 3, unchanged: 5, notApplied: 1 });
    expect(summary.text).toContain(' 1 row answered 204 but not applied (NotApplied). Checked. Results:');
  });
});
