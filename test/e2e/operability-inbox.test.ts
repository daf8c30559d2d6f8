/** The inbox of the nightly sync end to end: each file to its place, a replaced file started over, one inbox run at a time. */
import { describe, expect, test } from '@jest/globals';
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SAMPLE_WORLD, sampleWorld } from '../../src/simulator/world.js';
import { readResults, runCli } from '../helpers/cli.js';
import { dir, env, sim, simulatorForEachTest } from '../helpers/e2e.js';
import { tempDir } from '../helpers/files.js';

simulatorForEachTest();
const { contoso } = SAMPLE_WORLD.customers;

describe('the inbox', () => {
  test('processes a good file, a file with failing rows and a malformed one, each to its place', async () => {
    sim.configure({ world: sampleWorld() });
    const inbox = path.join(dir, 'inbox');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(inbox);
    const old = new Date(Date.now() - 3600_000);
    const write = async (name: string, text: string, mtime = old) => {
      await writeFile(path.join(inbox, name), text);
      await utimes(path.join(inbox, name), mtime, mtime);
    };
    await write(
      '1-good.csv',
      `customerId,subscriptionId,poNumber\n${contoso.id},${contoso.subscriptions.azurePlan},PO-GOOD\n`,
    );
    await write(
      '2-failing.csv',
      `customer id;reseller id;internal identifier\n${contoso.id};;ERP-1\n${SAMPLE_WORLD.unknown.customerId};;ERP-2\n`,
    );
    await write('3-broken.csv', `customerId,subscriptionId,poNumber\n${contoso.id},"unclosed,PO\n`);
    await write('4-copying.csv', 'customerId,subscriptionId,poNumber\n', new Date());
    await write('notes.txt', 'not a data file');
    const summaryFile = path.join(dir, 'inbox.json');
    const logFile = path.join(dir, 'inbox.log');
    const run = await runCli(
      ['inbox', inbox, '--rate', '0', '--summary-json', summaryFile, '--log-file', logFile],
      env(),
    );
    // Rows were sent, so not 2 ("nothing was sent"): the rejected file counts as 1 (issue 15).
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('2 processed, 1 rejected, 0 left, 1 waiting; exit 1');
    // The log file, which is what a cron job keeps, says so too, and why a file was refused.
    const logged = await readFile(logFile, 'utf8');
    expect(logged).toContain('2 processed, 1 rejected, 0 left, 1 waiting; exit 1');
    expect(logged).toMatch(/3-broken\.csv: rejected \(exit 2\).*never closed/);

    expect((await readdir(inbox)).sort()).toEqual([
      '.work',
      '4-copying.csv',
      'notes.txt',
      'processed',
      'rejected',
    ]);
    const processed = (await readdir(path.join(inbox, 'processed'))).sort();
    expect(processed).toHaveLength(4);
    expect(processed.filter((n) => /^\d{8}-\d{6}-1-good\.csv$/.test(n))).toHaveLength(1);
    const goodResults = processed.find((n) => n.endsWith('-1-good.csv.results.csv')) ?? '';
    expect((await readResults(path.join(inbox, 'processed', goodResults)))[0]?.status).toBe('success');
    const failingResults = processed.find((n) => n.endsWith('-2-failing.csv.results.csv')) ?? '';
    expect((await readResults(path.join(inbox, 'processed', failingResults))).map((r) => r.status)).toEqual([
      'success',
      'failed',
    ]);

    const rejected = (await readdir(path.join(inbox, 'rejected'))).sort();
    expect(rejected).toHaveLength(2);
    const errorFile = rejected.find((n) => n.endsWith('.error.txt')) ?? '';
    const why = await readFile(path.join(inbox, 'rejected', errorFile), 'utf8');
    expect(why).toContain('3-broken.csv was refused and nothing was sent');
    expect(why).toContain('line 2, column 2: a quoted cell starting in this record is never closed');

    const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as {
      exitCode: number;
      files: { name: string; outcome: string }[];
    };
    expect(summary.exitCode).toBe(1);
    expect(summary.files.map((f) => [f.name, f.outcome])).toEqual([
      ['1-good.csv', 'processed'],
      ['2-failing.csv', 'processed'],
      ['3-broken.csv', 'rejected'],
      ['4-copying.csv', 'waiting'],
    ]);
    expect(sim.poNumbers.get(`${contoso.id}/${contoso.subscriptions.azurePlan}`)).toBe('PO-GOOD');
  });

  test('a file replaced since its run stopped part-way starts over; the earlier results are kept in processed/', async () => {
    sim.configure({ world: sampleWorld() });
    const inbox = await tempDir();
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(inbox, '.work'));
    const row = (po: string) =>
      `customerId,subscriptionId,poNumber\n${contoso.id},${contoso.subscriptions.azurePlan},${po}\n`;
    // What a stopped run of an earlier orders.csv leaves: its results in .work/, PO-OLD applied.
    const earlierInput = path.join(dir, 'earlier.csv');
    await writeFile(earlierInput, row('PO-OLD'));
    const earlierResults = path.join(inbox, '.work', 'orders.csv.results.csv');
    expect((await runCli(['po-numbers', earlierInput, '--out', earlierResults], env())).code).toBe(0);
    // Then a different orders.csv arrives.
    const old = new Date(Date.now() - 3600_000);
    await writeFile(path.join(inbox, 'orders.csv'), row('PO-NEW'));
    await utimes(path.join(inbox, 'orders.csv'), old, old);
    const run = await runCli(['inbox', inbox, '--rate', '0'], env());
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('orders.csv changed since its run that stopped part-way');
    expect(run.stderr).toContain('1 processed, 0 rejected');
    expect(sim.poNumbers.get(`${contoso.id}/${contoso.subscriptions.azurePlan}`)).toBe('PO-NEW');
    const processed = await readdir(path.join(inbox, 'processed'));
    const setAside = processed.find((n) => n.endsWith('-orders.csv.earlier.results.csv')) ?? '';
    expect((await readResults(path.join(inbox, 'processed', setAside)))[0]?.poNumber).toBe('PO-OLD');
    expect(await readdir(path.join(inbox, '.work'))).toEqual(['claimed']);
  });

  test('a second inbox run while one is running exits 2; an empty inbox exits 0', async () => {
    const inbox = await tempDir();
    const { writeFile: wf } = await import('node:fs/promises');
    await wf(
      path.join(inbox, '.inbox.lock'),
      JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), started: 'now' }),
    );
    const locked = await runCli(['inbox', inbox], env());
    expect(locked.code).toBe(2);
    expect(locked.stderr).toContain('is being written by another run');
    const { rm } = await import('node:fs/promises');
    await rm(path.join(inbox, '.inbox.lock'));
    const empty = await runCli(['inbox', inbox], env());
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain('no .csv or .xlsx file to process');
  });
});
