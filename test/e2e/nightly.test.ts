/**
 * The nightly job end to end (issue 15): the inbox (claiming files, settling copies, moves across
 * filesystems, names, stale results, exit codes and logs), the lock, and stopping on a signal.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { EXCEL_FIXTURES } from '../helpers/excel-fixtures.js';
import { BIN, cleanEnv, readResults, runCli, SIM_TOKEN, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';

let sim: Simulator;
/** PATCH requests the simulator received: the rows sent (a ready token's check is a GET). */
const patches = (): number => sim.counters.byMethod.PATCH ?? 0;
let dir: string;

const env = (extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv => simEnv(sim.url, extra);

/** Start the CLI with `args`; `done` resolves with its exit code and stderr once it has exited. */
function start(
  args: string[],
  environment: NodeJS.ProcessEnv = env(),
): { child: ChildProcess; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(environment), stdio: 'pipe' });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return { child, done };
}

beforeEach(async () => {
  sim = await startSimulator();
  dir = await tempDir();
});

afterEach(async () => {
  await sim.close();
});

describe('the lock', () => {
  test('a lock left before a reboot, its process id now another live process, is taken over and the takeover logged', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 3);
    const out = path.join(dir, 'out.csv');
    // This test's own process is alive on this host: only the boot id says the lock is older.
    await writeFile(
      `${out}.lock`,
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        started: 'before the reboot',
        bootId: 'an-earlier-boot',
      }),
    );
    const log = path.join(dir, 'run.log');
    const run = await runCli(['po-numbers', file, '--out', out, '--rate', '0', '--log-file', log], env());
    expect(run.code).toBe(0);
    const said = `took over the lock ${out}.lock (held by pid ${process.pid} on ${hostname()} since before the reboot): this machine has restarted since`;
    expect(run.stderr).toContain(said);
    expect(await readFile(log, 'utf8')).toContain(said);
    await expect(stat(`${out}.lock`)).rejects.toThrow();
  });

  test('a lock that cannot be judged (another machine, refreshed lately) says how to remove it by hand', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 3);
    const out = path.join(dir, 'out.csv');
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    await writeFile(
      `${out}.lock`,
      JSON.stringify({ pid: 4242, host: 'batch-02', started: 'then', bootId: `${bootId}-not` }),
    );
    const run = await runCli(['po-numbers', file, '--out', out, '--rate', '0'], env());
    expect(run.code).toBe(2);
    // Refreshed moments ago (the lock was written just before the run started).
    expect(run.stderr).toContain(
      `${out} is locked by a run on another machine (batch-02, pid 4242, since then); it was refreshed `,
    );
    expect(run.stderr).toMatch(/it was refreshed \d+ s ago\. If that run is over, delete /);
    expect(run.stderr).toContain(`delete ${out}.lock`);
    expect(patches()).toBe(0);
  });
});

/** Data lines fully written so far (a torn last line does not count). */
async function writtenRows(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return Math.max(0, text.split('\r\n').length - 2);
}

describe('signals', () => {
  test('SIGHUP (a closed terminal) is a stop like SIGTERM: rows in flight finish, a summary, the lock released, exit 129', async () => {
    sim.configure({ latencyMs: 100 });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 200);
    const out = path.join(dir, 'out.csv');
    const summaryFile = path.join(dir, 'summary.json');
    const { child, done } = start([
      'po-numbers',
      file,
      '--out',
      out,
      '--rate',
      '0',
      '--concurrency',
      '4',
      '--summary-json',
      summaryFile,
    ]);
    while ((await writtenRows(out)) < 8) await sleep(20);
    child.kill('SIGHUP');
    const { code, stderr } = await done;
    expect(code).toBe(129);
    expect(stderr).toContain('interrupted by SIGHUP');
    const rows = await readResults(out);
    expect(rows).toHaveLength(200);
    const success = rows.filter((r) => r.status === 'success').length;
    expect(rows.slice(success).every((r) => r.status === 'not_attempted')).toBe(true);
    expect(sim.poNumbers.size).toBe(success);
    expect(JSON.parse(await readFile(summaryFile, 'utf8'))).toMatchObject({
      exitCode: 129,
      stoppedBecause: 'interrupted by SIGHUP',
    });
    await expect(stat(`${out}.lock`)).rejects.toThrow();
  });

  test('a stop cancels the rows waiting for the rate limiter at once: --rate 1 --concurrency 12 exits at once, not after 12 s', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 40);
    const out = path.join(dir, 'out.csv');
    // One start per 100 s: the token's check (a GET) takes the first turn, and the next is due
    // long after jest's timeout, so a stop that waited out the pace (the old code did) fails the
    // test by timing out, whatever the machine's load; no clock is read.
    const args = ['po-numbers', file, '--out', out, '--rate', '0.01', '--concurrency', '12'];
    const { child, done } = start(args);
    while (sim.requests.length < 1) await sleep(20);
    child.kill('SIGTERM');
    const { code } = await done;
    expect(code).toBe(143);
    expect(sim.requests.map((r) => r.method)).toEqual(['GET']);
    const rows = await readResults(out);
    expect(rows).toHaveLength(40);
    const sent = rows.filter((r) => r.status === 'success').length;
    expect(sent).toBe(0);
    expect(sent).toBe(patches());
    expect(rows.slice(sent).every((r) => r.status === 'not_attempted' && r.attempts === '0')).toBe(true);
  });

  test('a stop cancels the rows waiting for a token at once', async () => {
    // A token endpoint that hands out a token for 2 s, then never answers the renewal.
    let asked = 0;
    const tokens = http.createServer((request, response) => {
      asked++;
      if (asked > 1) return; // hangs until the client gives up or the server closes
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ access_token: SIM_TOKEN, token_type: 'Bearer', expires_in: 2 }));
    });
    await new Promise<void>((resolve) => tokens.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = tokens.address() as AddressInfo;
      const file = path.join(dir, 'in.csv');
      await writePoNumbers(file, 200);
      const out = path.join(dir, 'out.csv');
      const environment = env({
        CLOUDCOCKPIT_TOKEN: undefined,
        CLOUDCOCKPIT_TOKEN_URL: `http://127.0.0.1:${port}/tenant/oauth2/v2.0/token`,
        CLOUDCOCKPIT_CLIENT_ID: 'sim-client-id',
        CLOUDCOCKPIT_CLIENT_SECRET: 'sim-client-secret',
      });
      // The renewal hangs and an attempt may last an hour: a stop that waited for the token (the
      // old code did, for its 5 s timeout and a retry) fails the test by jest's timeout, whatever
      // the machine's load; no clock is read.
      const args = ['po-numbers', file, '--out', out, '--rate', '20', '--timeout', '3600'];
      const { child, done } = start(args, environment);
      // The token is renewed after 1.8 s; from then on every row waits for it.
      while (asked < 2) await sleep(20);
      await sleep(300); // lets rows queue behind the renewal; the test holds however many did
      child.kill('SIGTERM');
      const { code } = await done;
      expect(code).toBe(143);
      const rows = await readResults(out);
      expect(rows).toHaveLength(200);
      expect(rows.filter((r) => r.status === 'success').length).toBe(patches());
    } finally {
      tokens.closeAllConnections();
      await new Promise((resolve) => tokens.close(resolve));
    }
  });
});

/** An hour ago: a file that old is settled as far as its modification time goes. */
const anHourAgo = (): Date => new Date(Date.now() - 3600_000);

/** Write `text` to the inbox file `name` with an old modification time. */
async function drop(inbox: string, name: string, text: string | Buffer): Promise<void> {
  await writeFile(path.join(inbox, name), text);
  await utimes(path.join(inbox, name), anHourAgo(), anHourAgo());
}

/** A PO-number CSV of `count` rows, every value starting with `prefix`, and its rows. */
function poFile(count: number, prefix: string): { text: string; keys: string[] } {
  const rows = Array.from({ length: count }, (_, i) => [randomUUID(), randomUUID(), `${prefix}-${i}`]);
  return {
    text: ['customerId,subscriptionId,poNumber', ...rows.map((r) => r.join(','))].join('\n') + '\n',
    keys: rows.map(([c, s]) => `${c}/${s}`),
  };
}

/** The inbox's files by folder: what is waiting, claimed, in processed/ and in rejected/. */
async function folders(
  inbox: string,
): Promise<Record<'waiting' | 'claimed' | 'processed' | 'rejected', string[]>> {
  const list = async (folder: string) => (await readdir(path.join(inbox, folder)).catch(() => [])).sort();
  // Sorted after the time prefix is taken off: sorted with it, two moves a second apart swapped.
  const moved = async (folder: string) =>
    (await list(folder)).map((n) => n.replace(/^\d{8}-\d{6}(-\d+)?-/, '')).sort();
  const waiting = (await readdir(inbox, { withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name);
  return {
    waiting: waiting.sort(),
    claimed: await list('.work/claimed'),
    processed: await moved('processed'),
    rejected: await moved('rejected'),
  };
}

/** The inbox on `inbox`, unpaced, settling for `settle` seconds (0.3 unless given), with `more`. */
const inboxArgs = (inbox: string, more: string[] = [], settle = '0.3'): string[] => [
  'inbox',
  inbox,
  '--rate',
  '0',
  '--settle-seconds',
  settle,
  ...more,
];

describe('the inbox claims each file before its run', () => {
  test('a file replaced during its run is not moved away unsent: the new one waits for the next run', async () => {
    sim.configure({ latencyMs: 150 });
    const inbox = await tempDir();
    const first = poFile(8, 'PO-FIRST');
    await drop(inbox, 'orders.csv', first.text);
    const { done } = start(inboxArgs(inbox, ['--concurrency', '1']));
    while (sim.requests.length < 2) await sleep(20);
    // The new file is written elsewhere and renamed in, as the README says to.
    const second = poFile(3, 'PO-SECOND');
    await writeFile(path.join(dir, 'orders.csv'), second.text);
    await utimes(path.join(dir, 'orders.csv'), anHourAgo(), anHourAgo());
    await rename(path.join(dir, 'orders.csv'), path.join(inbox, 'orders.csv'));
    const { code } = await done;
    expect(code).toBe(0);
    expect(await folders(inbox)).toEqual({
      waiting: ['orders.csv'],
      claimed: [],
      processed: ['orders.csv', 'orders.csv.results.csv'],
      rejected: [],
    });
    const processed =
      (await readdir(path.join(inbox, 'processed'))).find((n) => n.endsWith('-orders.csv')) ?? '';
    expect(await readFile(path.join(inbox, 'processed', processed), 'utf8')).toBe(first.text);
    expect(await readFile(path.join(inbox, 'orders.csv'), 'utf8')).toBe(second.text);
    expect(second.keys.some((k) => sim.poNumbers.has(k))).toBe(false);

    const next = await runCli(inboxArgs(inbox), env());
    expect(next.code).toBe(0);
    expect(second.keys.map((k) => sim.poNumbers.get(k))).toEqual([
      'PO-SECOND-0',
      'PO-SECOND-1',
      'PO-SECOND-2',
    ]);
    expect((await folders(inbox)).waiting).toEqual([]);
  });
});

describe('the inbox takes only whole files', () => {
  test('a copy that keeps an old modification time while it grows (cp -p, Explorer) is left for the next run', async () => {
    const inbox = await tempDir();
    const file = path.join(inbox, 'orders.csv');
    // The copy: 40 bytes every 50 ms, the source's old time put back after each, for as long as
    // the inbox runs, of a file far too long to finish meanwhile (about 100 KB at 800 bytes/s);
    // each piece ends in the middle of a line, as a copy does. With 3 s between the two looks, only
    // a 3 s stall of this test process could make them see one size.
    const growing = poFile(1000, 'PO-2026-000456').text;
    let copied = 60;
    let inboxDone = false;
    await drop(inbox, 'orders.csv', growing.slice(0, copied));
    const copying = (async () => {
      while (!inboxDone) {
        await sleep(50);
        copied += 40;
        await writeFile(file, growing.slice(0, copied));
        await utimes(file, anHourAgo(), anHourAgo());
      }
    })();
    // A second look that falls between a piece's write and its old time being put back sees a
    // fresh file and says so: also left, for the other reason. Run again until the sizes decide.
    const reasons: string[] = [];
    for (let i = 0; i < 3 && !reasons.some((r) => r.includes('two looks')); i++) {
      const run = await runCli(inboxArgs(inbox, [], '3'), env());
      expect(run.code).toBe(0);
      expect(patches()).toBe(0);
      reasons.push(/orders\.csv: waiting; (.*)/.exec(run.stderr)?.[1] ?? run.stderr);
    }
    inboxDone = true;
    await copying;
    expect(reasons.at(-1)).toMatch(
      /^changed between two looks \d\.\d s apart \(\d+ then \d+ bytes\): it is still being written/,
    );
    expect(reasons.slice(0, -1).every((r) => /^modified -?\d+ s ago/.test(r))).toBe(true);
    // The copy completes.
    const { text } = poFile(100, 'PO-2026-000456');
    await drop(inbox, 'orders.csv', text);
    const after = await runCli(inboxArgs(inbox), env());
    expect(after.code).toBe(0);
    expect(patches()).toBe(100);
    expect([...sim.poNumbers.values()].every((v) => v?.startsWith('PO-2026-000456-'))).toBe(true);
  });

  test('a CSV that does not end with a line break (a copy cut short) is left for the next run', async () => {
    const inbox = await tempDir();
    const { text } = poFile(3, 'PO-2026-000456');
    await drop(inbox, 'orders.csv', text.slice(0, -10));
    const run = await runCli(inboxArgs(inbox), env());
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      'orders.csv: waiting; does not end with a line break, so its last row may be cut short',
    );
    expect(patches()).toBe(0);
    expect((await folders(inbox)).waiting).toEqual(['orders.csv']);
  });

  test('a stop while the inbox waits for its second look ends it at once', async () => {
    const inbox = await tempDir();
    await drop(inbox, 'orders.csv', poFile(3, 'PO').text);
    const { child, done } = start(inboxArgs(inbox, [], '30'));
    // The inbox holds its lock from before its first look until it ends.
    const lock = path.join(inbox, '.inbox.lock');
    while (!existsSync(lock) && child.exitCode === null) await sleep(20);
    // The first look comes after the lock is taken, so the second is due 5 s (the longest gap)
    // after the lock's time at the earliest: the process must be gone before then. That is the
    // claim itself, not a guess at how fast a stop is (it was "under 3 s after the signal").
    const secondLookDue = (await stat(lock)).mtimeMs + 5000;
    await sleep(200);
    child.kill('SIGTERM');
    const { code, stderr } = await done;
    const exitedAt = Date.now();
    expect(code).toBe(143);
    expect(exitedAt).toBeLessThan(secondLookDue);
    expect(stderr).toContain('orders.csv: left; interrupted');
    expect(patches()).toBe(0);
  });
});

/** Whether /dev/shm (a tmpfs on Linux) is another filesystem than the temporary folder. */
const onSecondFilesystem =
  existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev ? test : test.skip;

describe('the inbox moves', () => {
  onSecondFilesystem(
    'processed/ on another filesystem: every file is moved there (copy, flush, rename, delete)',
    async () => {
      const inbox = await tempDir();
      const elsewhere = await mkdtemp('/dev/shm/ccb-test-');
      try {
        await symlink(elsewhere, path.join(inbox, 'processed'));
        await drop(inbox, 'a.csv', poFile(2, 'PO-A').text);
        await drop(inbox, 'b.csv', poFile(2, 'PO-B').text);
        const run = await runCli(inboxArgs(inbox), env());
        expect(run.stderr).not.toContain('unexpected');
        expect(run.code).toBe(0);
        expect(await folders(inbox)).toEqual({
          waiting: [],
          claimed: [],
          processed: ['a.csv', 'a.csv.results.csv', 'b.csv', 'b.csv.results.csv'],
          rejected: [],
        });
        expect(patches()).toBe(4);
      } finally {
        await rm(elsewhere, { recursive: true, force: true });
      }
    },
  );

  test('a.csv and a.xlsx each keep their own results: every name comes from the whole file name', async () => {
    const inbox = await tempDir();
    const csv = poFile(2, 'PO-CSV');
    await drop(inbox, 'orders.csv', csv.text);
    await drop(inbox, 'orders.xlsx', await readFile(path.join(EXCEL_FIXTURES, 'po-numbers.xlsx')));
    const run = await runCli(inboxArgs(inbox), env());
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('2 processed, 0 rejected, 0 left, 0 waiting; exit 0');
    const { processed } = await folders(inbox);
    expect(processed).toEqual([
      'orders.csv',
      'orders.csv.results.csv',
      'orders.xlsx',
      'orders.xlsx.results.csv',
    ]);
    const results = async (ending: string) => {
      const name = (await readdir(path.join(inbox, 'processed'))).find((n) => n.endsWith(ending)) ?? '';
      return (await readResults(path.join(inbox, 'processed', name))).map((r) => r.poNumber);
    };
    expect(await results('-orders.csv.results.csv')).toEqual(['PO-CSV-0', 'PO-CSV-1']);
    expect(await results('-orders.xlsx.results.csv')).toHaveLength(7);
  });

  test('stale results in .work/ with other columns are set aside; the good file is processed, not rejected', async () => {
    const inbox = await tempDir();
    await mkdir(path.join(inbox, '.work'), { recursive: true });
    // What an earlier orders.csv of the other kind left when its run stopped part-way.
    const stale = path.join(inbox, '.work', 'orders.csv.results.csv');
    const earlier = path.join(dir, 'earlier.csv');
    await writeFile(earlier, `customerId,resellerId,internalIdentifier\n${randomUUID()},,ERP-1\n`);
    expect((await runCli(['internal-identifiers', earlier, '--out', stale, '--rate', '0'], env())).code).toBe(
      0,
    );
    await drop(inbox, 'orders.csv', poFile(2, 'PO-NEW').text);
    const run = await runCli(inboxArgs(inbox), env());
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      "orders.csv: the earlier results .work/orders.csv.results.csv are not this file's (they have other columns): they were moved to processed/",
    );
    expect(await folders(inbox)).toEqual({
      waiting: [],
      claimed: [],
      processed: ['orders.csv', 'orders.csv.earlier.results.csv', 'orders.csv.results.csv'],
      rejected: [],
    });
  });
});

describe('the inbox exit code and logs', () => {
  test('once a file sent rows, a file stopped by a fatal error makes it 3, not 2, logged at error level', async () => {
    const inbox = await tempDir();
    await drop(inbox, '1-first.csv', poFile(2, 'PO-1').text);
    await drop(inbox, '2-second.csv', poFile(2, 'PO-2').text);
    // Someone else is writing 2-second.csv's results: this test's own live process holds the lock.
    await mkdir(path.join(inbox, '.work'), { recursive: true });
    const lock = path.join(inbox, '.work', '2-second.csv.results.csv.lock');
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: 'now' }));
    const log = path.join(dir, 'inbox.log');
    const summaryFile = path.join(dir, 'inbox.json');
    const run = await runCli(inboxArgs(inbox, ['--log-file', log, '--summary-json', summaryFile]), env());
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('1 processed, 0 rejected, 1 left, 0 waiting; exit 3');
    const entries = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; message: string });
    expect(entries.filter((e) => e.level === 'error').map((e) => e.message)).toContainEqual(
      expect.stringContaining('2-second.csv: '),
    );
    // Where the results are now, not where they were written.
    const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as {
      exitCode: number;
      files: { name: string; summary?: { resultsPath: string } }[];
    };
    expect(summary.exitCode).toBe(3);
    const resultsPath = summary.files[0]?.summary?.resultsPath ?? '';
    expect(path.dirname(resultsPath)).toBe(path.join(inbox, 'processed'));
    expect((await readResults(resultsPath)).map((r) => r.status)).toEqual(['success', 'success']);
  });

  test('a wrong secret reaches the log file at error level, and nothing was sent: exit 2', async () => {
    const inbox = await tempDir();
    await drop(inbox, 'orders.csv', poFile(2, 'PO').text);
    const log = path.join(dir, 'inbox.log');
    const run = await runCli(
      inboxArgs(inbox, ['--log-file', log]),
      env({
        CLOUDCOCKPIT_TOKEN: undefined,
        CLOUDCOCKPIT_TOKEN_URL: `${sim.url}/tenant/oauth2/v2.0/token`,
        CLOUDCOCKPIT_CLIENT_ID: 'sim-client-id',
        CLOUDCOCKPIT_CLIENT_SECRET: 'not-the-secret',
      }),
    );
    expect(run.code).toBe(2);
    const errors = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; message: string })
      .filter((e) => e.level === 'error');
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining('orders.csv: The token endpoint refused the credentials'),
    ]);
    expect(await readFile(log, 'utf8')).not.toContain('not-the-secret');
  });

  test('a fatal error of a single run reaches its log file too', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 2);
    const log = path.join(dir, 'run.log');
    const run = await runCli(
      ['po-numbers', file, '--rate', '0', '--log-file', log, '--log-format', 'text'],
      env({
        CLOUDCOCKPIT_TOKEN: undefined,
        CLOUDCOCKPIT_TOKEN_URL: `${sim.url}/tenant/oauth2/v2.0/token`,
        CLOUDCOCKPIT_CLIENT_ID: 'sim-client-id',
        CLOUDCOCKPIT_CLIENT_SECRET: 'not-the-secret',
      }),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cloudcockpit-bulk: The token endpoint refused the credentials');
    expect(await readFile(log, 'utf8')).toMatch(/^\S+ error: The token endpoint refused the credentials/m);
  });
});
