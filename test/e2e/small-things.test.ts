/**
 * Small things a new user met (issue 13), end to end through the built CLI against the simulator:
 * each test is one thing seen going wrong, and its siblings.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { runCli, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';

let sim: Simulator;
let dir: string;

const env = (extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv => simEnv(sim.url, extra);
const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

beforeEach(async () => {
  sim = await startSimulator();
  dir = await tempDir();
});

afterEach(async () => {
  await sim.close();
});

describe('the log', () => {
  test('a text log file has an ISO time stamp on every line; no line shows a field that is not set', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 2);
    await writeFile(file, 'not-a-guid,not-a-guid,PO-X\n', { flag: 'a' });
    const log = path.join(dir, 'run.log');
    const run = await runCli(
      ['po-numbers', file, '--rate', '0', '--log-level', 'debug', '--log-file', log, '--log-format', 'text'],
      env(),
    );
    expect(run.code).toBe(1);
    for (const shown of run.stderr.split('\n')) expect(shown).not.toContain('undefined');
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect(lines.length).toBeGreaterThan(4);
    for (const line of lines) expect(line).toMatch(new RegExp(`^${ISO} (error|warn|info|debug): `));
    expect(lines.filter((l) => / debug: line \d+: success \(/.test(l))).toHaveLength(2);
    expect(lines.find((l) => l.includes('debug: line 4: invalid'))).toContain('problem=');
    for (const line of lines) expect(line).not.toContain('undefined');
    // stderr, read as it happens, stays without time stamps.
    expect(run.stderr).toMatch(/^debug: line 2: success \(line=2 correlationId=/m);
  });
});

describe('counted words', () => {
  test('one row, one retry and one kept row are said in the singular', async () => {
    const file = path.join(dir, 'one.csv');
    await writePoNumbers(file, 1);
    // The row's first attempt is answered 429: one retry, one throttling answer.
    sim.configure({ faultPlan: { seed: 1, share: 1, maxPerTarget: 1, kinds: ['throttle'] } });
    const run = await runCli(['po-numbers', file, '--rate', '5'], env());
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`${file}: 1 po-numbers row, 0 invalid`);
    expect(run.stderr).toMatch(/1 row: 1 success in [\d.]+ s \([\d.]+ rows\/s, 1 retry, /);
    expect(run.stderr).toContain('Throttled: 1 answer of 429/503');
    expect(run.stderr).not.toMatch(/\b1 (rows|retries|times|answers)\b/);

    const out = path.join(dir, 'one.results.csv');
    const resumed = await runCli(['po-numbers', file, '--rate', '0', '--resume', '--out', out], env());
    expect(resumed.stderr).toContain('1 row already applied is kept and not sent again');

    const invalid = path.join(dir, 'invalid.csv');
    await writeFile(invalid, 'customerId,subscriptionId,poNumber\nnot-a-guid,x,PO\n');
    const strict = await runCli(['po-numbers', invalid, '--strict'], env());
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('--strict: 1 of 1 row is invalid, so nothing was sent');
  });
});

describe('the inbox', () => {
  test("Excel's lock files are left where they are: not processed, not rejected, not reported", async () => {
    const inbox = path.join(dir, 'inbox');
    await mkdir(inbox);
    const old = new Date(Date.now() - 3600_000);
    const lockFiles = ['~$orders.xlsx', '~$orders.csv', '~$fresh.xlsx'];
    await writePoNumbers(path.join(inbox, 'orders.csv'), 2);
    // What Excel writes: the user's name, padded; binary, so never a valid sheet.
    for (const name of lockFiles) await writeFile(path.join(inbox, name), Buffer.from('\x05Marie\0\0\0'));
    for (const name of ['orders.csv', '~$orders.xlsx', '~$orders.csv'])
      await utimes(path.join(inbox, name), old, old);
    const run = await runCli(['inbox', inbox, '--rate', '0'], env());
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('1 processed, 0 rejected, 0 left, 0 waiting; exit 0');
    expect(run.stderr).not.toContain('~$');
    expect((await readdir(inbox)).sort()).toEqual(['.work', 'processed', 'rejected', ...lockFiles.sort()]);
    expect(await readdir(path.join(inbox, 'rejected'))).toEqual([]);
    expect(sim.counters.api).toBe(2);
  });
});
