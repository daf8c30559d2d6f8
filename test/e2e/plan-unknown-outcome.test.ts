/** Writes of unknown outcome end to end (issue 15, item 6): one target's rows end at its last row, and a write that lands after its --timeout is put right. */
import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { readResults, runCli, simEnv } from '../helpers/cli.js';
import { dir, folderForEachTest } from '../helpers/e2e.js';
import { input, keys, row } from '../helpers/plan-rows.js';

let sim: Simulator;
const env = (): NodeJS.ProcessEnv => simEnv(sim.url);
folderForEachTest(() => sim);

describe('same target, unknown outcome (issue 15, item 6)', () => {
  test('rows of one key end at the last row under --concurrency 16 with writes applied after the client gave up', async () => {
    const all = keys(16);
    sim = await startSimulator({
      // Each key's first write is stored 1.3 s after its answer was due, and never answered.
      faultPlan: { seed: 7, share: 1, maxPerTarget: 1, kinds: ['hang-after-apply'] },
      lateApplyMs: 1_300,
    });
    const lines = ['FIRST', 'SECOND', 'LAST'].flatMap((v) => all.map((k) => row(k, `PO-${v}`)));
    const file = await input('late.csv', lines);
    const run = await runCli(
      ['po-numbers', file, '--concurrency', '16', '--rate', '0', '--timeout', '1', '--retries', '2'],
      env(),
    );
    expect(run.code).toBe(0);
    expect(sim.counters.hungAfterApply).toBe(16);
    for (const k of all) expect(sim.poNumbers.get(k)).toBe('PO-LAST');
    const rows = await readResults(path.join(dir, 'late.results.csv'));
    expect(rows.every((r) => r.status === 'success')).toBe(true);
    // The row after the unanswered attempt says why it waited.
    expect(rows[16]!.errorDescription).toMatch(/line 2 .*waited 1 s/i);
  });
});

describe('a write that lands after more than one --timeout (issue 15, item 6)', () => {
  /**
   * PO-A then PO-B on one target whose first write is never answered and stored `lateMs` after,
   * when PO-B was long sent (after a --timeout, and with --verify a read-back too); then 40 rows
   * of another target, whose first write is late in the same way.
   */
  async function lateRun(
    lateMs: number,
    extra: string[],
  ): Promise<{ code: number | null; stderr: string; rows: Record<string, string>[] }> {
    const [late, other] = keys(2) as [string, string];
    sim = await startSimulator({
      faultPlan: { seed: 1, share: 1, maxPerTarget: 1, kinds: ['hang-after-apply'] },
      lateApplyMs: lateMs,
    });
    // The other target's first write hangs too; its later rows keep the run going (at 10
    // requests a second) past the late write of the first target, so the end is after it.
    const others = Array.from({ length: 40 }, (_, i) => row(other, `PO-${i}`));
    const file = await input('late-apply.csv', [row(late, 'PO-A'), row(late, 'PO-B'), ...others]);
    const run = await runCli(
      ['po-numbers', file, '--rate', '10', '--retries', '0', '--timeout', '1', ...extra],
      env(),
    );
    // Both late writes have landed by the end of the run.
    expect(sim.counters.hungAfterApply).toBe(2);
    expect(sim.poNumbers.get(late)).toBe('PO-B');
    expect(sim.poNumbers.get(other)).toBe('PO-39');
    return { ...run, rows: await readResults(path.join(dir, 'late-apply.results.csv')) };
  }

  test("the key's last row is sent again at the end of the run, and says so without claiming what cannot be known", async () => {
    const { code, stderr, rows } = await lateRun(3_000, []);
    expect(code).toBe(1);
    expect(rows[0]).toMatchObject({ status: 'failed', errorType: 'Timeout' });
    expect(rows[1]).toMatchObject({ line: '3', status: 'success', httpStatus: '204' });
    expect(rows[1]!.errorDescription).not.toMatch(/cannot land after/);
    expect(rows[1]!.errorDescription).toMatch(/sent again at the end of the run/i);
    expect(rows[41]).toMatchObject({ line: '43', status: 'success' });
    expect(rows[41]!.errorDescription).toMatch(/sent again at the end of the run/i);
    expect(stderr).toMatch(/2 rows sent again at the end of the run.*lines 3, 43/);
  });

  test('with --verify the final read-back comes after the rows sent again', async () => {
    const { code, stderr, rows } = await lateRun(6_000, ['--verify']);
    expect(code).toBe(1);
    expect(rows[1]).toMatchObject({ line: '3', status: 'success' });
    expect(rows[1]!.errorDescription).toMatch(/sent again at the end of the run/i);
    expect(stderr).toMatch(/final value of 2 keys with several rows: all as the file's last row/);
  });
});
