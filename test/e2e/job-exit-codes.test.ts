/** The job's exit codes end to end (0, 1, 2, 3), --help, standard input as FILE, and --strict refusing a whole file. */
import { describe, expect, test } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleWorld, SAMPLE_WORLD } from '../../src/simulator/world.js';
import { readResults, runCli } from '../helpers/cli.js';
import { dir, env, input, sim, simulatorForEachTest } from '../helpers/e2e.js';
import { writePoNumbers } from '../helpers/generate.js';

const { contoso } = SAMPLE_WORLD.customers;

simulatorForEachTest(() => ({ world: sampleWorld() }));

describe('help', () => {
  test('--help on a command shows its options and exits 0 without running anything', async () => {
    for (const args of [['po-numbers', '--help'], ['inbox', '--help'], ['--help']]) {
      const run = await runCli(args, {});
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('cloudcockpit-bulk');
      expect(run.stderr).toBe('');
    }
    expect((await runCli(['po-numbers', '--help'], {})).stdout).toContain('--max-failures');
  });
});

describe('exit codes', () => {
  test('0 when every row succeeded, and the results file lists them', async () => {
    const file = await input('ok.csv', [
      'customerId,subscriptionId,poNumber',
      `${contoso.id},${contoso.subscriptions.azurePlan},PO-1`,
    ]);
    const run = await runCli(['po-numbers', file], env());
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('1 success');
    expect((await readResults(path.join(dir, 'ok.results.csv')))[0]?.status).toBe('success');
  });

  test('2 for bad usage, with one line naming the option and no stack trace', async () => {
    const file = await input('ok.csv', ['customerId,subscriptionId,poNumber']);
    for (const [args, expected] of [
      [
        ['po-numbers', file, '--concurrency', '0'],
        'Expected `--concurrency` to be an integer from 1 to 256, got `0` (number)',
      ],
      [
        ['po-numbers', file, '--rate', '-1'],
        'Expected `--rate` to be a number from 0 to 10000, got `-1` (number)',
      ],
      [['po-numbers', file, '--bogus'], 'Unknown argument: bogus'],
      [['po-numbers', file, '--client-secret', 'x'], 'Unknown argument'],
      [['po-numbers'], 'Missing required argument: file'],
    ] as [string[], string][]) {
      const run = await runCli(args, env());
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(expected);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    const noTenant = await runCli(['po-numbers', file], env({ CLOUDCOCKPIT_TENANT: '' }));
    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toContain('Missing `--tenant`');
  });

  test('2 for a malformed file, naming file and line, with nothing sent and no results file', async () => {
    const file = await input('broken.csv', [
      'customerId,subscriptionId,poNumber',
      `${contoso.id},${contoso.subscriptions.azurePlan},PO-1`,
      `${contoso.id},${contoso.subscriptions.azurePlan},"PO-2`,
    ]);
    const run = await runCli(['po-numbers', file], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${file}, line 3, column 3: a quoted cell starting in this record is never closed`,
    );
    expect(sim.counters.api).toBe(0);
    await expect(readFile(path.join(dir, 'broken.results.csv'))).rejects.toThrow();
    const unknownHeader = await input('header.csv', ['Kunde,Abo,Bestellnummer', `${contoso.id},x,PO`]);
    const refused = await runCli(['run', unknownHeader], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('line 1: the header is missing');
  });

  test('2 when the results file exists, which is left untouched', async () => {
    const file = await input('ok.csv', [
      'customerId,subscriptionId,poNumber',
      `${contoso.id},${contoso.subscriptions.azurePlan},PO-1`,
    ]);
    await writeFile(path.join(dir, 'ok.results.csv'), 'keep me');
    const run = await runCli(['po-numbers', file], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('already exists');
    expect(await readFile(path.join(dir, 'ok.results.csv'), 'utf8')).toBe('keep me');
    expect(sim.counters.api).toBe(0);
  });

  test('2 without credentials', async () => {
    const file = await input('ok.csv', [
      'customerId,subscriptionId,poNumber',
      `${contoso.id},${contoso.subscriptions.azurePlan},PO-1`,
    ]);
    const run = await runCli(['po-numbers', file], env({ CLOUDCOCKPIT_TOKEN: '' }));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No credentials');
  });

  test('3 when the ready token is refused part-way: the run stops and the rest are not_attempted', async () => {
    // Refused from the start, the token is found by its check before any row is sent (exit 2,
    // test/e2e/hopeless.test.ts); here the API starts refusing it once the run is under way.
    sim.configure({ world: undefined, latencyMs: 20 });
    const file = path.join(dir, 'many.csv');
    await writePoNumbers(file, 200);
    const out = path.join(dir, 'refused.csv');
    const running = runCli(['po-numbers', file, '--rate', '0', '--concurrency', '4', '--out', out], env());
    while (sim.counters.api < 10) await sleep(5);
    sim.configure({ rejectAllTokens: true });
    const before = sim.counters.api;
    const run = await running;
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('the API refused the bearer token');
    const rows = await readResults(out);
    expect(rows).toHaveLength(200);
    expect(rows.filter((r) => r.status === 'failed').every((r) => r.httpStatus === '401')).toBe(true);
    expect(rows.filter((r) => r.status === 'not_attempted').length).toBeGreaterThan(150);
    expect(sim.counters.api - before).toBeLessThanOrEqual(8);
  });

  test('standard input is read when FILE is -', async () => {
    const out = path.join(dir, 'stdin.results.csv');
    const run = await runCli(
      ['run', '-', '--out', out],
      env(),
      `customerId,subscriptionId,poNumber\n${contoso.id},${contoso.subscriptions.azurePlan},PO-STDIN\n`,
    );
    expect(run.code).toBe(0);
    expect(sim.poNumbers.get(`${contoso.id}/${contoso.subscriptions.azurePlan}`)).toBe('PO-STDIN');
  });
});

describe('--strict', () => {
  test('refuses the whole file when any row is invalid, naming the first one, and sends nothing', async () => {
    const file = await input('strict.csv', [
      'customerId,subscriptionId,poNumber',
      `${contoso.id},${contoso.subscriptions.azurePlan},PO-1`,
      `${contoso.id},not-a-guid,PO-2`,
    ]);
    const run = await runCli(['po-numbers', file, '--strict'], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${file}, line 3: --strict: 1 of 2 rows are invalid, so nothing was sent. First, line 3: Not sent: subscriptionId "not-a-guid" is not a UUID`,
    );
    expect(sim.counters.api).toBe(0);
    const clean = await input('clean.csv', [
      'customerId,subscriptionId,poNumber',
      `${contoso.id},${contoso.subscriptions.azurePlan},PO-1`,
    ]);
    expect((await runCli(['po-numbers', clean, '--strict'], env())).code).toBe(0);
  });
});
