/** Plan, skip and verify in the nightly sync end to end (issue 15 item 6, issue 17): from a config file in the inbox, and --plan refused there. */
import { describe, expect, test } from '@jest/globals';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { runCli, simEnv } from '../helpers/cli.js';
import { dir, folderForEachTest } from '../helpers/e2e.js';
import { HEADER, keys, row } from '../helpers/plan-rows.js';

let sim: Simulator;
const env = (): NodeJS.ProcessEnv => simEnv(sim.url);
folderForEachTest(() => sim);

describe('the nightly sync', () => {
  test('--skip-unchanged and --verify from a config file work in the inbox: 10 reads, 2 writes, and the summary JSON says so', async () => {
    const all = keys(10);
    sim = await startSimulator({
      seedValues: { poNumbers: Object.fromEntries(all.map((k, i) => [k, i < 2 ? 'PO-OLD' : `PO-${i}`])) },
    });
    const inbox = path.join(dir, 'inbox');
    await mkdir(inbox);
    const file = path.join(inbox, 'nightly.csv');
    await writeFile(file, [HEADER, ...all.map((k, i) => row(k, `PO-${i}`))].join('\r\n') + '\r\n');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(file, anHourAgo, anHourAgo);
    const config = path.join(dir, 'cron.json');
    await writeFile(config, JSON.stringify({ 'skip-unchanged': true, verify: true, rate: 0 }));
    const summaryJson = path.join(dir, 'summary.json');
    const run = await runCli(
      ['inbox', inbox, '--config', config, '--settle-seconds', '0.3', '--summary-json', summaryJson],
      env(),
    );
    expect(run.code).toBe(0);
    // Ten reads before, two read-backs, and the ready token's check; two writes.
    expect(sim.counters.byMethod).toEqual({ GET: 10 + 2 + 1, PATCH: 2 });
    const summary = JSON.parse(await readFile(summaryJson, 'utf8'));
    expect(summary.files[0].summary).toMatchObject({ changed: 2, unchanged: 8, notApplied: 0 });
  });

  test('--plan is refused for the inbox, which changes what it processes', async () => {
    sim = await startSimulator({});
    const inbox = path.join(dir, 'inbox');
    await mkdir(inbox);
    const config = path.join(dir, 'cron.json');
    await writeFile(config, JSON.stringify({ plan: true }));
    const run = await runCli(['inbox', inbox, '--config', config], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/`plan` in the config file: the inbox .* makes no plan/);
  });
});
