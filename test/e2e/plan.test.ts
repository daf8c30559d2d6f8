/**
 * Plan, skip and verify end to end (issue 17, and issue 15 item 6): the built CLI against the
 * simulator, with values seeded so rows are already at their value or not, and the write faults
 * (`not-applied`, `hang-after-apply`) taken from a fault plan keyed by target, never by arrival.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { plannedFaults, type FaultPlan } from '../../src/simulator/fault-plan.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { sampleWorld, SAMPLE_WORLD } from '../../src/simulator/world.js';
import { readResults, runCli, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';

const { contoso, fabrikam, adatum } = SAMPLE_WORLD.customers;
const HEADER = 'customerId,subscriptionId,poNumber';
const E3 = `${contoso.id}/${contoso.subscriptions.microsoft365E3}`;
const AZURE = `${contoso.id}/${contoso.subscriptions.azurePlan}`;
const PREMIUM = `${fabrikam.id}/${fabrikam.subscriptions.microsoft365BusinessPremium}`;
const E5 = `${adatum.id}/${adatum.subscriptions.microsoft365E5}`;

let sim: Simulator;
let dir: string;

const env = (): NodeJS.ProcessEnv => simEnv(sim.url);
const row = (key: string, value: string): string => `${key.replace('/', ',')},${value}`;

async function input(name: string, lines: string[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, [HEADER, ...lines].join('\r\n') + '\r\n');
  return file;
}

/** `count` distinct subscriptions of an open world (every well-formed id exists there). */
function keys(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) =>
      `${'c'.repeat(8)}-0000-4000-8000-${String(i).padStart(12, '0')}/${'d'.repeat(8)}-0000-4000-8000-${String(i).padStart(12, '0')}`,
  );
}

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  await sim.close();
});

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

  test('a final value that a late write changed after its last row is found, and that row says so', async () => {
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
    expect(sim.poNumbers.get(late)).toBe('PO-FIRST');
    expect(run.code).toBe(1);
    const rows = await readResults(path.join(dir, 'final-late.results.csv'));
    expect(rows).toHaveLength(62);
    expect(rows[0]!.status).toBe('success');
    expect(rows[1]).toMatchObject({ line: '3', status: 'failed', errorType: 'NotApplied' });
    expect(rows[1]!.errorDescription).toMatch(/after the last row.*"PO-FIRST", not "PO-LAST"/);
    expect(rows.slice(2).every((r) => r.status === 'success')).toBe(true);
    expect(run.stderr).toMatch(/final value of 2 keys with several rows: 1 not as the file's last row/);
  });
});

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
