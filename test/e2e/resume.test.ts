/**
 * `--resume` end to end (issue 15): a resume interrupted in its turn, whose earlier results are
 * `<out>` and the `.partial-N` files of resumes that did not finish (made the way such a run leaves
 * them: a prefix of what a complete one wrote), and rows the API refused for good.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { readResults, runCli, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';

let sim: Simulator;
let dir: string;
const env = (): NodeJS.ProcessEnv => simEnv(sim.url);
/** PATCH requests the simulator received: the rows sent. */
const patches = (): number => sim.counters.byMethod.PATCH ?? 0;

const CUSTOMER = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const SUB = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const OTHER = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const KEY = `${CUSTOMER}/${SUB}`;

beforeEach(async () => {
  sim = await startSimulator();
  dir = await tempDir();
});

afterEach(async () => {
  await sim.close();
});

/** The header line and the data lines (CRLF ends, BOM kept on the header) of a results file. */
async function resultLines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\r\n').filter((l) => l !== '');
}

/** A results file holding `header` and `rows`, as the writer ends each line. */
async function writeLines(file: string, lines: readonly string[]): Promise<void> {
  await writeFile(file, lines.map((l) => `${l}\r\n`).join(''));
}

/** A results line (no quoted cells) with cell `index` replaced by `value`. */
function withCell(line: string, index: number, value: string): string {
  return line
    .split(',')
    .map((cell, i) => (i === index ? value : cell))
    .join(',');
}

describe('a resume interrupted in its turn', () => {
  test('a later row of a key recorded in an older file than the earlier row applied again is sent again', async () => {
    const file = path.join(dir, 'in.csv');
    await writeFile(
      file,
      `customerId,subscriptionId,poNumber\n${CUSTOMER},${SUB},PO-FIRST\n${CUSTOMER},${SUB},PO-LAST\n${CUSTOMER},${OTHER},PO-OTHER\n`,
    );
    const out = path.join(dir, 'out.csv');
    const args = ['po-numbers', file, '--out', out, '--rate', '0'];
    expect((await runCli(args, env())).code).toBe(0);
    // The first run: line 2 (PO-FIRST) failed, line 3 (PO-LAST, same subscription) succeeded.
    const first = (await resultLines(out)).map((l) => l.replace(',PO-FIRST,success,', ',PO-FIRST,failed,'));
    await writeLines(out, first);
    // Resume 1 sends line 2 again, writes it to out.csv.partial-1, and is killed before line 3.
    expect((await runCli([...args, '--resume'], env())).code).toBe(0);
    const resumed = await resultLines(out);
    await writeLines(`${out}.partial-1`, resumed.slice(0, 2));
    await writeLines(out, first);
    sim.reset();
    sim.poNumbers.set(KEY, 'PO-FIRST');

    const run = await runCli([...args, '--resume'], env());
    expect(run.code).toBe(0);
    expect(sim.history.get(KEY)).toEqual(['PO-LAST']);
    expect(sim.poNumbers.get(KEY)).toBe('PO-LAST');
    // The announcement counts only the rows really kept: line 3 is sent again, so not among them.
    expect(run.stderr).toContain(`resuming into ${out}: 2 rows already applied are kept and not sent again`);
    expect(run.stderr).toContain('3 success (2 success kept from the earlier run)');
    const rows = await readResults(out);
    expect(rows.map((r) => [r.poNumber, r.status])).toEqual([
      ['PO-FIRST', 'success'],
      ['PO-LAST', 'success'],
      ['PO-OTHER', 'success'],
    ]);
    // Line 2 is kept as resume 1 applied it; line 4 as the first run did.
    expect(rows[0]?.correlationId).toBe(resumed[1]?.split(',')[7]);
    expect(rows[2]?.correlationId).toBe(first[3]?.split(',')[7]);
  });

  test('the newest file that holds a line decides it: a success that a later resume sent again and failed is sent again', async () => {
    const file = path.join(dir, 'in.csv');
    await writeFile(
      file,
      `customerId,subscriptionId,poNumber\n${CUSTOMER},${SUB},PO-FIRST\n${CUSTOMER},${SUB},PO-LAST\n`,
    );
    const out = path.join(dir, 'out.csv');
    const args = ['po-numbers', file, '--out', out, '--rate', '0'];
    expect((await runCli(args, env())).code).toBe(0);
    const first = await resultLines(out);
    await writeLines(
      out,
      first.map((l) => l.replace(',PO-FIRST,success,', ',PO-FIRST,failed,')),
    );
    // Resume 1 sent line 2 again (applied), then line 3, which failed (the API went down), and was
    // killed before its partial file replaced out.csv.
    await writeLines(`${out}.partial-1`, [
      first[0]!,
      withCell(first[1]!, 7, 'aaaaaaaa-0000-4000-8000-000000000001'),
      first[2]!.replace(',success,204,', ',failed,503,'),
    ]);
    sim.reset();
    sim.poNumbers.set(KEY, 'PO-FIRST');

    const run = await runCli([...args, '--resume'], env());
    expect(run.code).toBe(0);
    expect(sim.history.get(KEY)).toEqual(['PO-LAST']);
    expect(sim.poNumbers.get(KEY)).toBe('PO-LAST');
    expect((await readResults(out)).map((r) => r.status)).toEqual(['success', 'success']);
  });
});

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

describe('a finished run and an input with new content', () => {
  test("the README's cron line keeps each finished run's results beside them and starts a new run", async () => {
    const file = path.join(dir, 'orders.csv');
    const out = `${file}.results.csv`;
    const nightly = ['run', file, '--resume', '--out', out, '--rate', '0'];
    const nights = [['PO-1', 'PO-2'], ['PO-3'], ['PO-4', 'PO-5', 'PO-6']];
    const kept: string[] = [];
    for (const [night, values] of nights.entries()) {
      const rows = values.map((v) => `${CUSTOMER},${randomUUID()},${v}`);
      await writeFile(file, ['customerId,subscriptionId,poNumber', ...rows].join('\n') + '\n');
      sim.reset();
      const run = await runCli(nightly, env());
      expect(run.code).toBe(0);
      expect(patches()).toBe(values.length);
      expect((await readResults(out)).map((r) => r.poNumber)).toEqual(values);
      const said =
        /holds a finished run of another content of .*: it is kept as (.*), and a new run starts/.exec(
          run.stderr,
        );
      if (night === 0) expect(said).toBeNull();
      else kept.push(said?.[1] ?? '');
    }
    // Nothing was overwritten: each night's results are kept, under names of their own.
    expect(new Set(kept).size).toBe(2);
    expect((await readResults(kept[0]!)).map((r) => r.poNumber)).toEqual(nights[0]);
    expect((await readResults(kept[1]!)).map((r) => r.poNumber)).toEqual(nights[1]);
    expect(path.dirname(kept[0]!)).toBe(dir);
  });

  test('the same content again is resumed: nothing is sent twice', async () => {
    const file = path.join(dir, 'orders.csv');
    await writeFile(file, `customerId,subscriptionId,poNumber\n${CUSTOMER},${SUB},PO-1\n`);
    const out = path.join(dir, 'out.csv');
    const args = ['run', file, '--resume', '--out', out, '--rate', '0'];
    expect((await runCli(args, env())).code).toBe(0);
    sim.reset();
    const again = await runCli(args, env());
    expect(again.code).toBe(0);
    expect(patches()).toBe(0);
    expect(again.stderr).toContain('1 row already applied is kept');
  });

  test('a finished-looking run whose lock was left behind (killed) is not set aside: refused, nothing sent', async () => {
    const file = path.join(dir, 'orders.csv');
    await writeFile(file, `customerId,subscriptionId,poNumber\n${CUSTOMER},${SUB},PO-1\n`);
    const out = path.join(dir, 'out.csv');
    const args = ['run', file, '--resume', '--out', out, '--rate', '0'];
    expect((await runCli(args, env())).code).toBe(0);
    // A lock as a killed run leaves it: this host, a process that is gone.
    await writeFile(`${out}.lock`, JSON.stringify({ pid: 999_999_999, host: hostname(), started: 'then' }));
    await writeFile(file, `customerId,subscriptionId,poNumber\n${CUSTOMER},${SUB},PO-2\n`);
    sim.reset();
    const run = await runCli(args, env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no longer matches');
    expect(patches()).toBe(0);
  });
});
