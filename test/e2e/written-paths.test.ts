/**
 * The files the program writes never destroy a file it reads or writes for another purpose, and a
 * results file is never mistaken for an input.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { readResults, runCli, simEnv, type CliRun } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';

let sim: Simulator;
let dir: string;
let input: string;
let original: string;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  sim.reset();
  dir = await tempDir();
  input = path.join(dir, 'orders.csv');
  await writePoNumbers(input, 3);
  original = await readFile(input, 'utf8');
});

const run = (args: string[]): Promise<CliRun> =>
  runCli(['po-numbers', input, '--rate', '0', ...args], simEnv(sim.url));
const lines = (r: CliRun): string[] => r.stderr.split('\n').filter((l) => l.trim() !== '');

/** Refused before anything was sent: exit 2, one line, the input untouched. */
async function expectRefused(r: CliRun, pattern: RegExp): Promise<void> {
  expect({ code: r.code, api: sim.counters.api }).toEqual({ code: 2, api: 0 });
  expect(lines(r)).toHaveLength(1);
  expect(lines(r)[0]).toMatch(pattern);
  expect(await readFile(input, 'utf8')).toBe(original);
}

describe('paths that collide are refused before anything is sent', () => {
  test('--summary-json naming the input file leaves the input as it was', async () => {
    await expectRefused(await run(['--summary-json', input]), /--summary-json.*input/);
  });

  test('--log-file naming the input file does not append to it', async () => {
    await expectRefused(await run(['--log-file', input]), /--log-file.*input/);
  });

  test('--summary-json naming the results file keeps the only record of the correlation ids', async () => {
    const out = path.join(dir, 'orders.results.csv');
    await expectRefused(await run(['--summary-json', out]), /--summary-json.*results/);
    expect(existsSync(out)).toBe(false);
  });

  test('--log-file through a link to the input is found after resolving the link', async () => {
    const link = path.join(dir, 'run.log');
    await symlink(input, link);
    await expectRefused(await run(['--log-file', link]), /--log-file.*input/);
  });

  test('--log-file and --summary-json naming one file are refused', async () => {
    const both = path.join(dir, 'night.txt');
    await expectRefused(
      await run(['--log-file', both, '--summary-json', both]),
      /--summary-json.*--log-file|--log-file.*--summary-json/,
    );
  });

  test('--log-file naming the lock file of the results is refused', async () => {
    const lock = path.join(dir, 'orders.results.csv.lock');
    await expectRefused(await run(['--log-file', lock]), /--log-file.*lock/);
  });

  test('--out through a link to the input is refused', async () => {
    const link = path.join(dir, 'results.csv');
    await symlink(input, link);
    await expectRefused(await run(['--out', link]), /--out.*input/);
  });
});

describe('what the results file is', () => {
  test('--out with an .xlsx name is refused: the results are CSV', async () => {
    await expectRefused(await run(['--out', path.join(dir, 'res.xlsx')]), /--out.*\.csv/);
  });

  test('a results file given back as input is refused with what to do instead', async () => {
    const first = await run([]);
    expect(first.code).toBe(0);
    const results = path.join(dir, 'orders.results.csv');
    sim.reset();
    const again = await runCli(
      ['run', results, '--rate', '0', '--out', path.join(dir, 'again.csv')],
      simEnv(sim.url),
    );
    expect({ code: again.code, api: sim.counters.api }).toEqual({ code: 2, api: 0 });
    expect(lines(again)).toHaveLength(1);
    expect(lines(again)[0]).toMatch(/results file.*--resume|original/);
  });

  test('--keep-columns gives an input column named like a results column a prefix', async () => {
    await writeFile(
      input,
      [
        'customerId,subscriptionId,poNumber,status,line,correlationId',
        `${'1'.repeat(8)}-1111-4111-8111-${'1'.repeat(12)},${'2'.repeat(8)}-2222-4222-8222-${'2'.repeat(12)},PO-1,open,7,abc`,
      ].join('\n') + '\n',
    );
    const r = await run(['--keep-columns']);
    expect(r.code).toBe(0);
    const out = path.join(dir, 'orders.results.csv');
    const header = (await readFile(out, 'utf8')).slice(1).split(/\r?\n/)[0]!.split(',');
    expect(header.filter((h) => h === 'status')).toHaveLength(1);
    expect(header).toEqual(expect.arrayContaining(['input:status', 'input:line', 'input:correlationId']));
    const [row] = await readResults(out);
    expect(row).toMatchObject({ status: 'success', 'input:status': 'open', 'input:line': '7', line: '2' });
  });
});
