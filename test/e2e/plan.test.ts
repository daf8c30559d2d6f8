/** --plan end to end (issue 17): every status, no PATCH sent, its own results file; and a plan of the samples as the demo runs it. */
import { describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { sampleWorld, SAMPLE_WORLD } from '../../src/simulator/world.js';
import { readResults, runCli, simEnv } from '../helpers/cli.js';
import { dir, folderForEachTest } from '../helpers/e2e.js';
import { AZURE, E3, input, PREMIUM, row } from '../helpers/plan-rows.js';

const { contoso } = SAMPLE_WORLD.customers;

let sim: Simulator;
const env = (): NodeJS.ProcessEnv => simEnv(sim.url);
folderForEachTest(() => sim);

describe('--plan', () => {
  test('a plan has every status, sends no PATCH, and goes to <name>.plan.results.csv', async () => {
    sim = await startSimulator({
      world: sampleWorld(),
      seedValues: { poNumbers: { [E3]: 'PO-OLD', [AZURE]: 'PO-SAME' } },
    });
    const { unknown, forbidden } = SAMPLE_WORLD;
    const file = await input('changes.csv', [
      row(E3, 'PO-NEW'),
      row(AZURE, 'PO-SAME'),
      row(PREMIUM, 'PO-FIRST'),
      `${unknown.customerId},${unknown.subscriptionId},PO-1`,
      `${forbidden.customerId},${forbidden.subscriptionId},PO-2`,
      `not-a-guid,${contoso.subscriptions.azurePlan},PO-3`,
    ]);
    const run = await runCli(['po-numbers', file, '--plan', '--rate', '0'], env());
    expect(run.code).toBe(1);
    expect(sim.counters.byMethod.PATCH ?? 0).toBe(0);
    const rows = await readResults(path.join(dir, 'changes.plan.results.csv'));
    expect(rows.map((r) => [r.status, r.previousValue])).toEqual([
      ['change', 'PO-OLD'],
      ['unchanged', 'PO-SAME'],
      ['change', ''],
      ['failed', ''],
      ['failed', ''],
      ['invalid', ''],
    ]);
    expect(rows[3]).toMatchObject({ httpStatus: '404', errorType: 'NotFound' });
    expect(rows[4]).toMatchObject({ httpStatus: '403', errorType: 'Forbidden' });
    expect(Object.keys(rows[0]!).slice(-2)).toEqual(['errorDetails', 'previousValue']);
    expect(run.stderr).toMatch(/Plan: 6 rows: 2 change, 1 unchanged, 2 failed, 1 invalid/);
    // The plan's results never take the real run's name.
    await expect(readFile(path.join(dir, 'changes.results.csv'))).rejects.toThrow();
  });
});

describe('the samples', () => {
  test('a plan of samples/po-numbers.csv against samples/seed-values.json (as the demo runs it) has change and unchanged rows', async () => {
    const samples = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../samples');
    const seedValues = JSON.parse(await readFile(path.join(samples, 'seed-values.json'), 'utf8'));
    sim = await startSimulator({ world: sampleWorld(), seedValues });
    const out = path.join(dir, 'plan.csv');
    const run = await runCli(
      ['run', path.join(samples, 'po-numbers.csv'), '--plan', '--out', out, '--rate', '0'],
      env(),
    );
    expect(run.code).toBe(1);
    const counts = (await readResults(out)).reduce<Record<string, number>>(
      (all, r) => ({ ...all, [r.status!]: (all[r.status!] ?? 0) + 1 }),
      {},
    );
    expect(counts).toEqual({ change: 8, unchanged: 3, failed: 3, invalid: 5 });
    expect(sim.counters.byMethod.PATCH ?? 0).toBe(0);
  });
});
