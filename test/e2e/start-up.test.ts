/**
 * What a run loads before its first request: start-up is a figure of the benchmark (1b), so the
 * executable is one bundle (src/build.ts), and a run of a CSV file has no use for the page's
 * server, the workbook reader or a progress bar without a terminal. What the CLI loaded is
 * recorded from inside its process, the way a user could: a CommonJS preload lists
 * `require.cache` as it exits, and a module hook (Node's `module.register`) every ES module.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { BIN, runCli, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';

const WORKBOOK = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/workbooks/minimal.xlsx',
);

// CommonJS packages, imported or required, all land in require.cache; it is listed at exit.
const PRELOAD = `process.on('exit', () => {
  require('node:fs').appendFileSync(process.env.CCB_LOADED_LIST, Object.keys(require.cache).join('\\n') + '\\n');
});
`;
// Every ES module the program imports passes the hook's load (the hook runs in its own thread).
const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.CCB_LOADED_LIST, url + '\\n');
  return next(url, context);
}
`;
const REGISTER = `import { register } from 'node:module';
register('./hooks.mjs', import.meta.url);
`;

let sim: Simulator;
let dir: string;
let preload: string;
let register: string;

beforeAll(async () => {
  sim = await startSimulator();
  dir = await tempDir();
  preload = path.join(dir, 'list-loaded.cjs');
  register = path.join(dir, 'register.mjs');
  await writeFile(preload, PRELOAD);
  await writeFile(path.join(dir, 'hooks.mjs'), HOOKS);
  await writeFile(register, REGISTER);
});

afterAll(async () => {
  await sim.close();
});

/** What the CLI had loaded when it exited after `args`: packages by name, and its own files in dist/. */
async function loadedBy(args: string[], name: string): Promise<{ packages: Set<string>; own: Set<string> }> {
  const list = path.join(dir, `${name}.loaded`);
  const NODE_OPTIONS = `--require ${preload} --import ${pathToFileURL(register).href}`;
  const run = await runCli(args, simEnv(sim.url, { NODE_OPTIONS, CCB_LOADED_LIST: list }));
  expect(run.stderr).not.toContain('unexpected error');
  expect(run.code).toBe(0);
  const files = (await readFile(list, 'utf8')).split('\n').filter((f) => f !== '');
  const names = files.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1]);
  const dist = path.dirname(BIN);
  const own = files
    .map((f) => (f.startsWith('file:') ? fileURLToPath(f) : f))
    .filter((f) => f.startsWith(`${dist}${path.sep}`))
    .map((f) => path.relative(dist, f).replace(/-[A-Z0-9]{8}\.js$/, '.js'));
  return { packages: new Set(names.filter((n): n is string => n !== undefined)), own: new Set(own) };
}

describe('start-up', () => {
  test('a run of a CSV file loads the bundle and its shared chunks, and not one package from node_modules', async () => {
    const file = path.join(dir, 'orders.csv');
    await writePoNumbers(file, 3);
    const { packages, own } = await loadedBy(['po-numbers', file, '--rate', '0'], 'csv');
    // The hook saw the run's own entry, so the lists are the run's: got, yargs and winston are
    // in the bundle, and the page (fastify), the workbook reader and the progress bar not loaded.
    expect(own).toContain('bin.js');
    expect([...own].filter((f) => f !== 'bin.js' && f !== 'chunks/chunk.js')).toEqual([]);
    expect([...packages]).toEqual([]);
  });

  test('a workbook loads its reader and its packages when it is read', async () => {
    const { packages, own } = await loadedBy(
      ['po-numbers', WORKBOOK, '--dry-run', '--out', path.join(dir, 'book.results.csv')],
      'xlsx',
    );
    expect(own).toContain('chunks/xlsx.js');
    expect(packages).toContain('yauzl');
    expect(packages).toContain('saxes');
    expect(packages).not.toContain('fastify');
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
