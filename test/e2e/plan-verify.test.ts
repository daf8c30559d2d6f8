/** --verify end to end (issue 17): a 204 not applied, a write never answered read back, the final read-back and a late write put right. */
import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { plannedFaults, type FaultPlan } from '../../src/simulator/fault-plan.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { readResults, runCli, simEnv } from '../helpers/cli.js';
import { dir, folderForEachTest } from '../helpers/e2e.js';
import { input, keys, row } from '../helpers/plan-rows.js';

let sim: Simulator;
const env = (): NodeJS.ProcessEnv => simEnv(sim.url);
folderForEachTest(() => sim);

describe('--verify', () => {
  test('a 204 that was not applied is failed NotApplied, with both values', async () => {
    sim = await startSimulator({
      seedValues: { poNumbers: { [keys(1)[0]!]: 'PO-BEFORE' } },
      faultPlan: { seed: 1, share: 1, maxPerTarget: 1, kinds: ['not-applied'] },
    });
    const file = await input('verify.csv', [row(keys(1)[0]!, 'PO-AFTER')]);
    const run = await runCli(['po-numbers', file, '--verify', '--rate', '0'], env());
    expect(run.code).toBe(1);
    expect(sim.counters.notApplied).toBe(1);
    const [result] = await readResults(path.join(dir, 'verify.results.csv'));
    expect(result).toMatchObject({
      status: 'failed',
      httpStatus: '204',
      errorType: 'NotApplied',
      previousValue: 'PO-BEFORE',
    });
    expect(result!.errorDescription).toMatch(/PO-AFTER/);
    expect(result!.errorDescription).toMatch(/PO-BEFORE/);
  });

  test('a write whose answer never came is settled by reading it back', async () => {
    const [landed] = keys(1) as [string];
    sim = await startSimulator({
      faultPlan: { seed: 1, share: 1, maxPerTarget: 1, kinds: ['hang-after-apply'] },
    });
    const file = await input('unknown.csv', [row(landed, 'PO-LANDED')]);
    const run = await runCli(
      ['po-numbers', file, '--verify', '--rate', '0', '--retries', '0', '--timeout', '0.5'],
      env(),
    );
    // No answer within the timeout, and no retry left: the read finds the value did land.
    expect(sim.counters.hungAfterApply).toBe(1);
    expect(run.code).toBe(0);
    const [result] = await readResults(path.join(dir, 'unknown.results.csv'));
    // Two requests: the write that got no answer, and the read.
    expect(result).toMatchObject({ status: 'success', attempts: '2', errorType: '' });
    expect(result!.errorDescription).toMatch(/no answer.*read back/i);
  });

  test('with --verify the last value of every key with several rows is read back at the end', async () => {
    sim = await startSimulator({});
    const [a, b] = keys(2) as [string, string];
    const file = await input('final.csv', [row(a, 'PO-1'), row(b, 'PO-X'), row(a, 'PO-2')]);
    const run = await runCli(['po-numbers', file, '--verify', '--rate', '0'], env());
    expect(run.code).toBe(0);
    // Three writes, three read-backs, one final read of the key with two rows, and the token's check.
    expect(sim.counters.byMethod).toEqual({ GET: 4 + 1, PATCH: 3 });
    expect(run.stderr).toMatch(
      /read back the final value of 1 key with several rows: all as the file's last row/,
    );
  });

  test('a final value that a late write changed after its last row is put right by sending that row again before the final read-back', async () => {
    const plan: FaultPlan = { seed: 3, share: 0.5, maxPerTarget: 1, kinds: ['hang-after-apply'] };
    const pool = keys(200);
    const late = pool.find((k) => plannedFaults(plan, k).length === 1)!;
    const other = pool.find((k) => plannedFaults(plan, k).length === 0)!;
    // The first write of `late` lands 5 s after it was sent: after its last row was sent and read
    // back (at most about 3 s: a timeout, a retry, a timeout's hold), and long before the 60 rows
    // of another key are done (one after another, 120 requests at 10 a second).
    sim = await startSimulator({ faultPlan: plan, lateApplyMs: 5_000 });
    const others = Array.from({ length: 60 }, (_, i) => row(other, `PO-${i}`));
    const lines = [row(late, 'PO-FIRST'), row(late, 'PO-LAST'), ...others];
    const file = await input('final-late.csv', lines);
    const run = await runCli(
      ['po-numbers', file, '--verify', '--rate', '10', '--timeout', '1', '--retries', '1'],
      env(),
    );
    // The late PO-FIRST landed after PO-LAST (it was counted then), and PO-LAST was sent again after it.
    expect(sim.counters.hungAfterApply).toBe(1);
    expect(sim.poNumbers.get(late)).toBe('PO-LAST');
    expect(run.code).toBe(0);
    const rows = await readResults(path.join(dir, 'final-late.results.csv'));
    expect(rows).toHaveLength(62);
    expect(rows[0]!.status).toBe('success');
    expect(rows[1]).toMatchObject({ line: '3', status: 'success', errorType: '' });
    expect(rows[1]!.errorDescription).toMatch(/^Sent again at the end of the run: line 2 of the same target/);
    expect(rows.slice(2).every((r) => r.status === 'success')).toBe(true);
    expect(run.stderr).toMatch(/1 row sent again at the end of the run.*\(line 3\)/);
    expect(run.stderr).toMatch(/final value of 2 keys with several rows: all as the file's last row/);
  });
});
