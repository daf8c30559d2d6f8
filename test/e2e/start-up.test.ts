/**
 * What a run loads before its first request: start-up is a figure of the benchmark (1b), and a
 * run of a CSV file has no use for the page's server, the workbook reader or a progress bar
 * without a terminal. The packages loaded are read from the CLI's own module cache as it exits
 * (a preload through NODE_OPTIONS, the way a user could pass one).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { runCli, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';

const WORKBOOK = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/workbooks/minimal.xlsx',
);

// CommonJS packages, imported or required, all land in require.cache; it is listed at exit.
const PRELOAD = `process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.CCB_LOADED_LIST, Object.keys(require.cache).join('\\n'));
});
`;

let sim: Simulator;
let dir: string;
let preload: string;

beforeAll(async () => {
  sim = await startSimulator();
  dir = await tempDir();
  preload = path.join(dir, 'list-loaded.cjs');
  await writeFile(preload, PRELOAD);
});

afterAll(async () => {
  await sim.close();
});

/** The packages (by name under node_modules) the CLI had loaded when it exited after `args`. */
async function packagesLoaded(args: string[], name: string): Promise<Set<string>> {
  const list = path.join(dir, `${name}.loaded`);
  const run = await runCli(
    args,
    simEnv(sim.url, { NODE_OPTIONS: `--require ${preload}`, CCB_LOADED_LIST: list }),
  );
  expect(run.stderr).not.toContain('unexpected error');
  expect(run.code).toBe(0);
  const files = (await readFile(list, 'utf8')).split('\n');
  const names = files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]);
  return new Set(names.filter((n): n is string => n !== undefined));
}

describe('start-up', () => {
  test('a run of a CSV file loads neither the page (fastify), the workbook reader, exceljs nor a progress bar', async () => {
    const file = path.join(dir, 'orders.csv');
    await writePoNumbers(file, 3);
    const loaded = await packagesLoaded(['po-numbers', file, '--rate', '0'], 'csv');
    // What the run does need is seen, so the list is the run's own.
    expect(loaded).toContain('winston');
    for (const unneeded of ['fastify', '@fastify/static', 'cli-progress', 'yauzl', 'saxes', 'exceljs'])
      expect(loaded).not.toContain(unneeded);
  });

  test('a workbook loads its reader when it is read', async () => {
    const loaded = await packagesLoaded(
      ['po-numbers', WORKBOOK, '--dry-run', '--out', path.join(dir, 'book.results.csv')],
      'xlsx',
    );
    expect(loaded).toContain('yauzl');
    expect(loaded).not.toContain('fastify');
  });

  test('the ready token is checked before the first row goes out, and not at all when no row will', async () => {
    sim.reset();
    const file = path.join(dir, 'mixed.csv');
    await writePoNumbers(file, 2);
    await writeFile(file, 'not-a-guid,not-a-guid,PO-X\n', { flag: 'a' });
    const run = await runCli(['po-numbers', file, '--rate', '0'], simEnv(sim.url));
    expect(run.code).toBe(1);
    expect(sim.requests.map((r) => r.method)).toEqual(['GET', 'PATCH', 'PATCH']);
    sim.reset();
    const invalid = path.join(dir, 'invalid.csv');
    await writeFile(invalid, 'customerId,subscriptionId,poNumber\nnot-a-guid,not-a-guid,PO-X\n');
    const none = await runCli(['po-numbers', invalid, '--rate', '0'], simEnv(sim.url));
    expect(none.code).toBe(1);
    expect(sim.counters.api).toBe(0);
  });
});
