/**
 * Small things a new user met (issue 13), end to end through the built CLI against the simulator:
 * each test is one thing seen going wrong, and its siblings.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { readResults, runCli, runCliAs, simEnv, type CliRun } from '../helpers/cli.js';
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
    // The ready token's check (a GET), then the two rows.
    expect(sim.counters.api).toBe(1 + 2);
  });
});

/** Whether this process is root, for whom no folder is read-only: the CLI then runs as nobody. */
const asRoot = process.getuid?.() === 0;

/** Run the CLI as a user who cannot write to a folder mode 0555 (nobody, when the tests run as root). */
function runCliUnprivileged(args: string[], environment: NodeJS.ProcessEnv): Promise<CliRun> {
  return asRoot ? runCliAs(args, environment, { uid: 65534, gid: 65534 }) : runCli(args, environment);
}

/**
 * A folder holding `files` that the CLI can read but not write, and an empty one it can write to.
 * Made outside the jest run's own temporary folder, which only its owner may enter; `release`
 * removes them.
 */
async function readOnlyFolder(
  files: Record<string, string>,
): Promise<{ dir: string; writable: string; release: () => Promise<void> }> {
  const parent = asRoot ? path.dirname(process.env.CCB_TEST_TMP_ROOT ?? os.tmpdir()) : dir;
  const folder = await mkdtemp(path.join(parent, 'ccb-read-only-'));
  const writable = await mkdtemp(path.join(parent, 'ccb-writable-'));
  const old = new Date(Date.now() - 3600_000);
  for (const [name, text] of Object.entries(files)) {
    await writeFile(path.join(folder, name), text);
    await utimes(path.join(folder, name), old, old);
  }
  await chmod(folder, 0o555);
  await chmod(writable, 0o777);
  return {
    dir: folder,
    writable,
    release: async () => {
      await chmod(folder, 0o755);
      await rm(folder, { recursive: true, force: true });
      await rm(writable, { recursive: true, force: true });
    },
  };
}

const orders = (count: number): string =>
  [
    'customerId,subscriptionId,poNumber',
    ...Array.from({ length: count }, (_, i) => `${randomUUID()},${randomUUID()},PO-${i}`),
  ].join('\n') + '\n';

describe('a folder the results cannot be written to', () => {
  test('a read-only input folder: exit 2, nothing sent, and the message says to use --out', async () => {
    const folder = await readOnlyFolder({ 'orders.csv': orders(2) });
    try {
      const file = path.join(folder.dir, 'orders.csv');
      for (const extra of [[], ['--dry-run']]) {
        const run = await runCliUnprivileged(['po-numbers', file, '--rate', '0', ...extra], env());
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(`the folder ${folder.dir} is not writable (EACCES); nothing was sent`);
        expect(run.stderr).toContain('Write the results to a folder you can write to, with --out');
        expect(run.stderr.match(/^cloudcockpit-bulk: .*$/gm)).toHaveLength(1);
      }
      expect(sim.counters.api).toBe(0);
      // What the message says works.
      const out = path.join(folder.writable, 'orders.results.csv');
      const elsewhere = await runCliUnprivileged(['po-numbers', file, '--rate', '0', '--out', out], env());
      expect(elsewhere.code).toBe(0);
      // The ready token's check (a GET), then the two rows.
      expect(sim.counters.api).toBe(1 + 2);
    } finally {
      await folder.release();
    }
  });

  test('a read-only inbox: exit 2 before any file is taken, saying which folder', async () => {
    const folder = await readOnlyFolder({ 'orders.csv': orders(1) });
    try {
      const run = await runCliUnprivileged(['inbox', folder.dir, '--rate', '0'], env());
      expect(run.stderr).not.toContain('unexpected error');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `The inbox folder ${folder.dir} is not writable (EACCES); nothing was sent`,
      );
      expect(sim.counters.api).toBe(0);
      expect(await readdir(folder.dir)).toEqual(['orders.csv']);
    } finally {
      await folder.release();
    }
  });
});

describe('a dry run whose results file exists', () => {
  test('suggests what works for a dry run (another --out or --overwrite), never --resume', async () => {
    const file = path.join(dir, 'orders.csv');
    await writePoNumbers(file, 2);
    expect((await runCli(['po-numbers', file, '--dry-run'], env())).code).toBe(0);
    const again = await runCli(['po-numbers', file, '--dry-run'], env());
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `The results file ${path.join(dir, 'orders.dry-run.results.csv')} already exists. Choose another --out, or --overwrite to replace it`,
    );
    expect(again.stderr).not.toContain('--resume');
    expect((await runCli(['po-numbers', file, '--dry-run', '--overwrite'], env())).code).toBe(0);
    // A real run's message still offers --resume, which works for it.
    await writeFile(path.join(dir, 'orders.results.csv'), 'earlier');
    const real = await runCli(['po-numbers', file], env());
    expect(real.code).toBe(2);
    expect(real.stderr).toContain('add --resume to continue it');
    expect(sim.counters.api).toBe(0);
  });
});

describe('--keep-columns', () => {
  test('a carried column named like a results column gets the input: prefix, and a resume still matches', async () => {
    const file = path.join(dir, 'orders.csv');
    const ids = Array.from({ length: 3 }, () => [randomUUID(), randomUUID()]);
    await writeFile(
      file,
      [
        'customerId,subscriptionId,poNumber,Status,line,correlation_id,note',
        ...ids.map(([c, s], i) => `${c},${s},PO-${i},open,${i + 100},theirs-${i},n${i}`),
      ].join('\n') + '\n',
    );
    const out = path.join(dir, 'orders.results.csv');
    const first = await runCli(['po-numbers', file, '--keep-columns', '--rate', '0'], env());
    expect(first.code).toBe(0);
    const text = await readFile(out, 'utf8');
    const header = text.slice(1, text.indexOf('\r\n')).split(',');
    expect(header.slice(-4)).toEqual(['input:Status', 'input:line', 'input:correlation_id', 'note']);
    expect(new Set(header.map((n) => n.toLowerCase())).size).toBe(header.length);
    const rows = await readResults(out);
    expect(rows.map((r) => [r.line, r.status, r['input:Status'], r['input:line'], r.note])).toEqual([
      ['2', 'success', 'open', '100', 'n0'],
      ['3', 'success', 'open', '101', 'n1'],
      ['4', 'success', 'open', '102', 'n2'],
    ]);
    expect(rows[0]?.correlationId).not.toBe('theirs-0');
    expect(rows[0]?.['input:correlation_id']).toBe('theirs-0');

    // A run that stopped after its first row: --resume reads the prefixed header back and keeps it.
    await writeFile(out, text.split('\r\n').slice(0, 2).join('\r\n') + '\r\n');
    const sentBefore = sim.counters.api;
    const resumed = await runCli(['po-numbers', file, '--keep-columns', '--rate', '0', '--resume'], env());
    expect(resumed.stderr).not.toContain('is not a results file');
    expect(resumed.code).toBe(0);
    // The ready token's check (a GET), then the two rows not applied yet.
    expect(sim.counters.api - sentBefore).toBe(1 + 2);
    const after = await readResults(out);
    expect(after.map((r) => r['input:Status'])).toEqual(['open', 'open', 'open']);
    expect(after[0]?.correlationId).toBe(rows[0]?.correlationId);
  });
});
