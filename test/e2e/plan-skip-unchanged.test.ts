/** --skip-unchanged end to end (issue 17): only rows whose value differs are sent, the read in its key's chain, and reads kept under --rate. */
import { describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { readResults, runCli, simEnv } from '../helpers/cli.js';
import { dir, folderForEachTest } from '../helpers/e2e.js';
import { E5, input, keys, row } from '../helpers/plan-rows.js';

let sim: Simulator;
const env = (): NodeJS.ProcessEnv => simEnv(sim.url);
folderForEachTest(() => sim);

describe('--skip-unchanged', () => {
  test('only the rows whose value differs are sent; the others are unchanged and cost no write', async () => {
    const all = keys(12);
    const seeded = Object.fromEntries(all.map((k, i) => [k, i % 3 === 0 ? `PO-OLD-${i}` : `PO-${i}`]));
    sim = await startSimulator({ seedValues: { poNumbers: seeded } });
    const file = await input(
      'nightly.csv',
      all.map((k, i) => row(k, `PO-${i}`)),
    );
    const summaryJson = path.join(dir, 'summary.json');
    const run = await runCli(
      [
        'po-numbers',
        file,
        '--skip-unchanged',
        '--rate',
        '0',
        '--concurrency',
        '4',
        '--summary-json',
        summaryJson,
      ],
      env(),
    );
    expect(run.code).toBe(0);
    // One read per row, and the ready token's one check before the first row.
    expect(sim.counters.byMethod).toEqual({ GET: 12 + 1, PATCH: 4 });
    const rows = await readResults(path.join(dir, 'nightly.results.csv'));
    expect(rows.map((r) => r.status)).toEqual(all.map((_, i) => (i % 3 === 0 ? 'success' : 'unchanged')));
    expect(rows[0]!.previousValue).toBe('PO-OLD-0');
    expect(rows[1]).toMatchObject({ previousValue: 'PO-1', attempts: '1', httpStatus: '200' });
    const summary = JSON.parse(await readFile(summaryJson, 'utf8'));
    expect(summary).toMatchObject({ changed: 4, unchanged: 8, notApplied: 0 });
  });

  test("the read is part of the key's chain: a row back at the value before the earlier row is still sent", async () => {
    sim = await startSimulator({ seedValues: { poNumbers: { [E5]: 'PO-A' } }, readLagMs: 5_000 });
    const file = await input('again.csv', [row(E5, 'PO-B'), row(E5, 'PO-A'), row(E5, 'PO-A')]);
    const run = await runCli(['po-numbers', file, '--skip-unchanged', '--rate', '0'], env());
    expect(run.code).toBe(0);
    // The lagging read still says PO-A after the first row wrote PO-B: the second row is sent anyway.
    expect(sim.poNumbers.get(E5)).toBe('PO-A');
    const rows = await readResults(path.join(dir, 'again.results.csv'));
    expect(rows.map((r) => r.status)).toEqual(['success', 'success', 'unchanged']);
  });
});

describe('reads and the rate limit', () => {
  test('never more than --rate requests of either kind in any second, as the simulator counts them', async () => {
    const all = keys(10);
    sim = await startSimulator({});
    const file = await input(
      'paced.csv',
      all.map((k, i) => row(k, `PO-${i}`)),
    );
    const run = await runCli(['po-numbers', file, '--skip-unchanged', '--verify', '--rate', '8'], env());
    expect(run.code).toBe(0);
    expect(sim.counters.byMethod).toEqual({ GET: 20 + 1, PATCH: 10 });
    expect(Math.max(...sim.counters.perSecond.values())).toBeLessThanOrEqual(8 + 1);
  });
});
