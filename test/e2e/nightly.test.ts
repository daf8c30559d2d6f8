/**
 * The nightly job end to end (issue 15): the inbox (claiming files, settling copies, moves across
 * filesystems, names, stale results, exit codes and logs), the lock, and stopping on a signal.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { BIN, cleanEnv, readResults, runCli, SIM_TOKEN, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';

let sim: Simulator;
let dir: string;

const env = (extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv => simEnv(sim.url, extra);

/** Start the CLI with `args`; `done` resolves with its exit code and stderr once it has exited. */
export function start(
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
    expect(run.stderr).toContain(
      `${out} is locked by a run on another machine (batch-02, pid 4242, since then); it was refreshed 0 s ago. If that run is over, delete ${out}.lock`,
    );
    expect(sim.counters.api).toBe(0);
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

  test('a stop cancels the rows waiting for the rate limiter at once: --rate 1 --concurrency 12 exits within a second', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 40);
    const out = path.join(dir, 'out.csv');
    const { child, done } = start(['po-numbers', file, '--out', out, '--rate', '1', '--concurrency', '12']);
    while ((await writtenRows(out)) < 1) await sleep(20);
    const stoppedAt = performance.now();
    child.kill('SIGTERM');
    const { code } = await done;
    expect(code).toBe(143);
    expect(performance.now() - stoppedAt).toBeLessThan(1500);
    const rows = await readResults(out);
    const sent = rows.filter((r) => r.status === 'success').length;
    expect(sent).toBe(sim.counters.api);
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
      const args = ['po-numbers', file, '--out', out, '--rate', '20', '--timeout', '5'];
      const { child, done } = start(args, environment);
      // The token is renewed after 1.8 s; from then on every row waits for it.
      while (asked < 2) await sleep(20);
      await sleep(300);
      const stoppedAt = performance.now();
      child.kill('SIGTERM');
      const { code } = await done;
      expect(code).toBe(143);
      expect(performance.now() - stoppedAt).toBeLessThan(1500);
      const rows = await readResults(out);
      expect(rows).toHaveLength(200);
      expect(rows.filter((r) => r.status === 'success').length).toBe(sim.counters.api);
    } finally {
      tokens.closeAllConnections();
      await new Promise((resolve) => tokens.close(resolve));
    }
  });
});
