/** Stopping part-way end to end: --max-failures and signals, the rows not sent written as not attempted. */
import { describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse/sync';
import { readResults, runCli } from '../helpers/cli.js';
import { dir, env, sim, simulatorForEachTest, start, writtenRows } from '../helpers/e2e.js';
import { writePoNumbers } from '../helpers/generate.js';

simulatorForEachTest();

describe('stopping part-way', () => {
  test('--max-failures N stops after N failed rows (exit 3), the rest not_attempted', async () => {
    sim.configure({ failureRate: 1 });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 300);
    const run = await runCli(
      ['po-numbers', file, '--retries', '0', '--rate', '0', '--concurrency', '2', '--max-failures', '5'],
      env(),
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('--max-failures reached (5 failed of 5 finished)');
    const rows = await readResults(path.join(dir, 'in.results.csv'));
    expect(rows).toHaveLength(300);
    expect(rows.filter((r) => r.status === 'failed').length).toBeLessThanOrEqual(7);
    expect(rows.filter((r) => r.status === 'not_attempted').length).toBeGreaterThanOrEqual(293);
  });

  test('--max-failures P% waits for 100 finished rows, then stops once the share is reached', async () => {
    sim.configure({ failureRate: 0.5, seed: 7 });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 1000);
    const run = await runCli(
      ['po-numbers', file, '--retries', '0', '--rate', '0', '--concurrency', '1', '--max-failures', '30%'],
      env(),
    );
    expect(run.code).toBe(3);
    const rows = await readResults(path.join(dir, 'in.results.csv'));
    const finished = rows.filter((r) => r.status === 'success' || r.status === 'failed').length;
    expect(finished).toBeGreaterThanOrEqual(100);
    expect(finished).toBeLessThan(110);
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    test(`${signal} lets rows in flight finish, writes the rest as not_attempted and exits ${code}`, async () => {
      sim.configure({ latencyMs: 100 });
      const file = path.join(dir, 'in.csv');
      await writePoNumbers(file, 400);
      const out = path.join(dir, 'out.csv');
      const { child, done } = start(['po-numbers', file, '--out', out, '--rate', '0', '--concurrency', '4']);
      while ((await writtenRows(out)) < 10) await sleep(20);
      child.kill(signal);
      const { code: exit, stderr } = await done;
      expect(exit).toBe(code);
      expect(stderr).toContain(`interrupted by ${signal}`);
      const rows = await readResults(out);
      expect(rows).toHaveLength(400);
      const success = rows.filter((r) => r.status === 'success').length;
      expect(success).toBeGreaterThanOrEqual(10);
      expect(rows.slice(0, success).every((r) => r.status === 'success')).toBe(true);
      expect(rows.slice(success).every((r) => r.status === 'not_attempted')).toBe(true);
      // Nothing was cut off mid-request: the API applied exactly the rows reported success.
      expect(sim.poNumbers.size).toBe(success);
    });
  }

  test('SIGINT ends rows waiting to retry at once, each with its last answer', async () => {
    // Each row's first attempt gets a 429 asking for 300 s (a plan keyed by row, not by timing),
    // so the 4 rows in flight all wait for 5 minutes: a stop that waited for them, or retried
    // them, would outlast the test's time limit. Nothing here depends on the machine's speed.
    sim.configure({
      retryAfterSeconds: 300,
      faultPlan: { seed: 1, share: 1, maxPerTarget: 1, kinds: ['throttle'] },
    });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 8);
    const out = path.join(dir, 'out.csv');
    const { child, done } = start([
      'po-numbers',
      file,
      '--out',
      out,
      '--rate',
      '0',
      '--concurrency',
      '4',
      '--retries',
      '8',
      '--max-retry-after',
      '600',
    ]);
    while ((sim.counters.byMethod.PATCH ?? 0) < 4) await sleep(20);
    child.kill('SIGINT');
    const { code } = await done;
    expect(code).toBe(130);
    expect(sim.counters.byMethod.PATCH).toBe(4);
    const rows = await readResults(out);
    expect(rows).toHaveLength(8);
    const tried = rows.filter((r) => r.status === 'failed');
    expect(tried).toHaveLength(4);
    for (const row of tried) {
      expect(row.httpStatus).toBe('429');
      expect(row.attempts).toBe('1');
      expect(row.errorDescription).toContain('The run stopped before this row could be retried');
    }
    expect(rows.filter((r) => r.status === 'not_attempted')).toHaveLength(4);
  });

  test('a second SIGINT exits at once, leaving a readable prefix of the results', async () => {
    // Answers ten minutes away, far past jest's timeout: a second SIGINT that waited for the rows
    // in flight (the first one does) fails the test by timing out, however loaded the machine;
    // no clock is read (it was: exit < 2 s after the second SIGINT, with 3 s answers).
    // Set once the ready token's check (a GET) is answered, so that the check does not wait out
    // its own 30 s timeout first.
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 50);
    const out = path.join(dir, 'out.csv');
    const { child, done } = start(['po-numbers', file, '--out', out, '--rate', '0', '--concurrency', '4']);
    while (sim.requests.length < 1) await sleep(5);
    sim.configure({ latencyMs: 600_000 });
    while (sim.inFlight < 4) await sleep(20);
    child.kill('SIGINT');
    await sleep(200);
    child.kill('SIGINT');
    const { code } = await done;
    expect(code).toBe(130);
    const text = await readFile(out, 'utf8');
    expect(text.startsWith('\ufeffline,customerId')).toBe(true);
    expect(() => parse(text.slice(1), { columns: true })).not.toThrow();
  });
});
