/** `--resume` end to end (issue 15): rows the API refused for good keep their outcome, --max-failures counts this run only, --retry-failed and a corrected row send them again. */
import { describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readResults, runCli } from '../helpers/cli.js';
import { dir, env, patches, sim, simulatorForEachTest } from '../helpers/e2e.js';
import { CUSTOMER } from '../helpers/resume-targets.js';

simulatorForEachTest();

/** `count` rows the simulator refuses with a 400 (a value with `<`), then `good` rows it takes. */
async function writeRefused(file: string, count: number, good: number): Promise<void> {
  const rows = Array.from({ length: count + good }, (_, i) =>
    [CUSTOMER, randomUUID(), i < count ? `bad <${i}>` : `PO-${i}`].join(','),
  );
  await writeFile(file, ['customerId,subscriptionId,poNumber', ...rows].join('\n') + '\n');
}

describe('rows the API refused for good', () => {
  test('keep their outcome on resume and are not sent again; --max-failures counts this run only', async () => {
    const file = path.join(dir, 'in.csv');
    await writeRefused(file, 8, 4);
    const out = path.join(dir, 'out.csv');
    const args = [
      'po-numbers',
      file,
      '--out',
      out,
      '--rate',
      '0',
      '--concurrency',
      '1',
      '--max-failures',
      '5',
    ];
    const first = await runCli(args, env());
    expect(first.code).toBe(3);
    const before = await readResults(out);
    const refusedBefore = before.filter((r) => r.httpStatus === '400').length;
    expect(refusedBefore).toBeGreaterThanOrEqual(5);

    sim.reset();
    const resumed = await runCli([...args, '--resume'], env());
    // The 8 - refusedBefore refused rows left are fewer than 5: this run's failures do not stop it.
    expect(resumed.code).toBe(1);
    expect(patches()).toBe(12 - refusedBefore);
    expect(sim.requests.filter((r) => r.method === 'PATCH').map((r) => r.body)).not.toContainEqual(
      expect.stringContaining('bad <0>'),
    );
    expect(resumed.stderr).toContain(
      `${refusedBefore} rows the API refused for good (400, 403, 404) keep their outcome (--retry-failed sends them again)`,
    );
    const rows = await readResults(out);
    expect(rows.map((r) => r.status)).toEqual([...Array(8).fill('failed'), ...Array(4).fill('success')]);
    // Kept as they were written: the same correlation id and attempts.
    before.slice(0, refusedBefore).forEach((r, i) => expect(rows[i]).toEqual(r));
    expect(resumed.stderr).toContain(
      `(${refusedBefore} failed (refused for good) kept from the earlier run)`,
    );
  });

  test('an inbox file of such rows under --max-failures finishes on a later night instead of stopping every night', async () => {
    const inbox = path.join(dir, 'inbox');
    await mkdir(inbox);
    const file = path.join(inbox, 'orders.csv');
    await writeRefused(file, 8, 4);
    const anHourAgo = new Date(Date.now() - 3600_000);
    await utimes(file, anHourAgo, anHourAgo);
    const nightly = ['inbox', inbox, '--rate', '0', '--settle-seconds', '0.3', '--concurrency', '1'];
    const first = await runCli([...nightly, '--max-failures', '5'], env());
    expect(first.code).toBe(3);
    expect(await readdir(path.join(inbox, '.work', 'claimed'))).toEqual(['orders.csv']);
    const refusedBefore = (await readResults(path.join(inbox, '.work', 'orders.csv.results.csv'))).filter(
      (r) => r.httpStatus === '400',
    ).length;
    expect(refusedBefore).toBeGreaterThanOrEqual(5);

    sim.reset();
    const second = await runCli([...nightly, '--max-failures', '5'], env());
    expect(second.code).toBe(1);
    expect(patches()).toBe(12 - refusedBefore);
    const processed = await readdir(path.join(inbox, 'processed'));
    const results = processed.find((n) => n.endsWith('-orders.csv.results.csv')) ?? '';
    expect((await readResults(path.join(inbox, 'processed', results))).map((r) => r.status)).toEqual([
      ...Array(8).fill('failed'),
      ...Array(4).fill('success'),
    ]);
  });

  test.each([
    ['the flag', (_: string): string[] => ['--retry-failed']],
    ['a config file', (config: string): string[] => ['--config', config]],
  ])(
    'the inbox sends them again the next night with --retry-failed (%s), and only with it',
    async (_, retry) => {
      const inbox = path.join(dir, 'inbox');
      await mkdir(inbox);
      const file = path.join(inbox, 'orders.csv');
      await writeRefused(file, 8, 4);
      const anHourAgo = new Date(Date.now() - 3600_000);
      await utimes(file, anHourAgo, anHourAgo);
      const config = path.join(dir, 'config.json');
      await writeFile(config, JSON.stringify({ 'retry-failed': true }));
      const nightly = ['inbox', inbox, '--rate', '0', '--settle-seconds', '0.3', '--concurrency', '1'];
      const first = await runCli([...nightly, '--max-failures', '5'], env());
      expect(first.code).toBe(3);
      const earlier = await readResults(path.join(inbox, '.work', 'orders.csv.results.csv'));
      const refusedBefore = earlier.filter((r) => r.httpStatus === '400').length;
      expect(refusedBefore).toBeGreaterThanOrEqual(5);
      const successBefore = earlier.filter((r) => r.status === 'success').length;

      expect((await runCli(['inbox', '--help'])).stdout).not.toMatch(/retry-failed +With --resume/);
      sim.reset();
      const second = await runCli([...nightly, ...retry(config)], env());
      expect(second.stderr).not.toContain('--resume');
      expect(second.code).toBe(1);
      // Every row not applied is sent: the refused ones again, the rest for the first time.
      expect(patches()).toBe(12 - successBefore);
      expect(second.stderr).not.toContain('keep their outcome');
      const processed = await readdir(path.join(inbox, 'processed'));
      const results = processed.find((n) => n.endsWith('-orders.csv.results.csv')) ?? '';
      const rows = await readResults(path.join(inbox, 'processed', results));
      expect(rows.map((r) => r.status)).toEqual([...Array(8).fill('failed'), ...Array(4).fill('success')]);
      // Sent again by this night: none keeps the first night's correlation id.
      earlier
        .filter((r) => r.httpStatus === '400')
        .forEach((r, i) => expect(rows[i]!.correlationId).not.toBe(r.correlationId));
    },
  );

  test('--retry-failed sends them again', async () => {
    const file = path.join(dir, 'in.csv');
    await writeRefused(file, 2, 1);
    const out = path.join(dir, 'out.csv');
    const args = ['po-numbers', file, '--out', out, '--rate', '0'];
    expect((await runCli(args, env())).code).toBe(1);
    sim.reset();
    expect((await runCli([...args, '--resume'], env())).code).toBe(1);
    expect(patches()).toBe(0);
    const retried = await runCli([...args, '--resume', '--retry-failed'], env());
    expect(retried.code).toBe(1);
    expect(patches()).toBe(2);
  });

  test('a refused row corrected in the input is sent again', async () => {
    const file = path.join(dir, 'in.csv');
    await writeRefused(file, 2, 0);
    const out = path.join(dir, 'out.csv');
    const args = ['po-numbers', file, '--out', out, '--rate', '0'];
    expect((await runCli(args, env())).code).toBe(1);
    await writeFile(file, (await readFile(file, 'utf8')).replace('bad <1>', 'PO-FIXED'));
    sim.reset();
    const run = await runCli([...args, '--resume'], env());
    expect(run.code).toBe(1);
    expect(patches()).toBe(1);
    expect((await readResults(out)).map((r) => r.status)).toEqual(['failed', 'success']);
  });
});
