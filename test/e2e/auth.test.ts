/**
 * Unattended authentication end to end: client credentials against the simulator's token endpoint,
 * renewal, a refused token stopping the run, bad credentials, proxies, and secrets that never leak.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { chmod, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { BIN, cleanEnv, readResults, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';
import { startProxy } from '../helpers/proxy.js';

const CLIENT_ID = 'nightly-sync';
const SECRET = 'Sup3r-S3cret~value.that-must-never-leak';

let sim: Simulator;
let dir: string;

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    CLOUDCOCKPIT_TENANT: 'portal.cloudcockpit.com',
    CLOUDCOCKPIT_BASE_URL: sim.url,
    CLOUDCOCKPIT_TOKEN_URL: sim.tokenUrl,
    CLOUDCOCKPIT_CLIENT_ID: CLIENT_ID,
    CLOUDCOCKPIT_CLIENT_SECRET: SECRET,
    ...extra,
  };
}

beforeEach(async () => {
  sim = await startSimulator({ clientId: CLIENT_ID, clientSecret: SECRET });
  dir = await tempDir();
});

afterEach(async () => {
  await sim.close();
});

describe('client credentials', () => {
  test('tokens are fetched once per lifetime and renewed before they expire', async () => {
    sim.configure({ tokenLifetimeSeconds: 2 });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 200);
    const out = path.join(dir, 'out.csv');
    const started = Date.now();
    const run = await runCli(['po-numbers', file, '--rate', '50', '--concurrency', '4', '--out', out], env());
    expect(run.code).toBe(0);
    const rows = await readResults(out);
    expect(rows.every((r) => r.status === 'success' && r.attempts === '1')).toBe(true);
    expect(sim.counters.byStatus[401] ?? 0).toBe(0);
    // Counted from what the server saw, so a slow machine cannot change the verdict. Every token
    // fetched was used by rows (none fetched per row, none wasted)...
    const sent = sim.requests.filter((r) => r.method === 'PATCH');
    expect(new Set(sent.map((r) => r.authorization)).size).toBe(sim.issuedTokens);
    // ...200 rows at 50/s outlast a 2 s lifetime, so it was renewed...
    expect(sim.issuedTokens).toBeGreaterThanOrEqual(2);
    // ...and only once 1.8 s old (a tenth of its lifetime early): the run, which started no earlier
    // than this test's clock said and used its last token at the last request, had room for no more.
    const last = Math.max(...sent.map((r) => r.at));
    expect(sim.issuedTokens).toBeLessThanOrEqual(1 + Math.floor((last - started) / 1790));
  });

  test('a revoked token gets one fresh token and the row is retried with the same correlation id', async () => {
    sim.configure({ latencyMs: 5 });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 300);
    const out = path.join(dir, 'out.csv');
    const running = runCli(['po-numbers', file, '--rate', '100', '--concurrency', '2', '--out', out], env());
    while (sim.counters.api < 50) await sleep(10);
    sim.revokeIssuedTokens();
    const run = await running;
    expect(run.code).toBe(0);
    expect(sim.counters.byStatus[401]).toBeGreaterThanOrEqual(1);
    expect(sim.issuedTokens).toBe(2);
    const rows = await readResults(out);
    expect(rows.every((r) => r.status === 'success')).toBe(true);
    const retried = rows.filter((r) => r.attempts === '2');
    expect(retried.length).toBeGreaterThanOrEqual(1);
    for (const row of retried) {
      const attempts = sim.requests.filter((r) => r.correlationId === row.correlationId);
      expect(attempts.map((a) => a.status)).toEqual([401, 204]);
      expect(attempts[0]?.authorization).not.toBe(attempts[1]?.authorization);
    }
  });

  test('when every token is refused the run stops after a handful of requests (exit 3), listing every row', async () => {
    sim.configure({ rejectAllTokens: true });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 500);
    const out = path.join(dir, 'out.csv');
    const run = await runCli(['po-numbers', file, '--rate', '0', '--concurrency', '4', '--out', out], env());
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('stopping: the API refused the bearer token');
    const rows = await readResults(out);
    expect(rows).toHaveLength(500);
    expect(rows.filter((r) => r.status === 'not_attempted').length).toBeGreaterThanOrEqual(490);
    expect(rows.filter((r) => r.status === 'failed').every((r) => r.httpStatus === '401')).toBe(true);
    expect(sim.counters.api).toBeLessThanOrEqual(10);
  });

  test("a wrong secret stops before anything is sent (exit 2), quoting Entra's code but never the secret", async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 5);
    const wrong = 'Wrong-secret-value-123456';
    const run = await runCli(['po-numbers', file], env({ CLOUDCOCKPIT_CLIENT_SECRET: wrong }));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('invalid_client');
    expect(run.stderr).toContain('AADSTS7000215');
    expect(run.stderr).toContain('Check CLOUDCOCKPIT_CLIENT_ID and the client secret');
    expect(run.stderr).not.toContain(wrong);
    expect(sim.counters.api).toBe(0);
    expect(await readdir(dir)).toEqual(['in.csv']);
  });

  test('the token endpoint failing for a while is retried with backoff', async () => {
    sim.configure({ tokenEndpointFailures: 2 });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 3);
    const run = await runCli(['po-numbers', file], env());
    expect(run.code).toBe(0);
    expect(sim.counters.token).toBe(3);
  });

  test('a secret file readable by others gets a warning; the secret works from the file', async () => {
    const secretFile = path.join(dir, 'secret');
    await writeFile(secretFile, `${SECRET}\n`);
    await chmod(secretFile, 0o644);
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 2);
    const run = await runCli(
      ['po-numbers', file, '--client-secret-file', secretFile],
      env({ CLOUDCOCKPIT_CLIENT_SECRET: '' }),
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('can be read by other users (mode 644); chmod 600 it');
  });
});

describe('transport', () => {
  test('requests go through HTTP_PROXY, and NO_PROXY bypasses it', async () => {
    const proxy = await startProxy();
    try {
      const file = path.join(dir, 'in.csv');
      await writePoNumbers(file, 3);
      const run = await runCli(
        ['po-numbers', file, '--out', path.join(dir, 'a.csv')],
        env({ HTTP_PROXY: proxy.url }),
      );
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(`through the proxy ${proxy.url}`);
      const host = new URL(sim.url).host;
      // hpagent tunnels plain http through CONNECT too; keep-alive reuses the tunnels.
      expect(proxy.seen.length).toBeGreaterThanOrEqual(2);
      expect(proxy.seen.every((s) => s === `CONNECT ${host}`)).toBe(true);
      expect(sim.counters.api).toBe(3);
      proxy.seen.length = 0;
      const direct = await runCli(
        ['po-numbers', file, '--out', path.join(dir, 'b.csv')],
        env({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }),
      );
      expect(direct.code).toBe(0);
      expect(proxy.seen).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  test('a plain-http API or token URL is refused unless it is loopback', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 1);
    const run = await runCli(
      ['po-numbers', file],
      env({ CLOUDCOCKPIT_TOKEN_URL: 'http://login.example.com/token' }),
    );
    expect(run.code).toBe(2);
    // The value came from the environment, so the message names the variable (issue 13, item 3).
    expect(run.stderr).toContain(
      'Expected `CLOUDCOCKPIT_TOKEN_URL` to be an https:// URL (plain http is allowed only for a loopback host)',
    );
  });
});

describe('secrets', () => {
  test('no secret or token appears in anything the program writes, even at debug level with failures, renewal and a 401', async () => {
    sim.configure({ tokenLifetimeSeconds: 2, failureRate: 0.05, latencyMs: 2 });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 150);
    await writeFile(file, `${await readFile(file, 'utf8')}not-a-uuid,${'1'.repeat(8)},bad row\n`);
    const out = path.join(dir, 'out.csv');
    const log = path.join(dir, 'run.log');
    const args = [
      'po-numbers',
      file,
      '--rate',
      '50',
      '--out',
      out,
      '--log-file',
      log,
      '--log-level',
      'debug',
      '--retries',
      '1',
    ];
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env()), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // What `ps` shows: the command line of the running process.
    const cmdline = await readFile(`/proc/${child.pid}/cmdline`, 'utf8').catch(() => '');
    while (sim.counters.api < 40) await sleep(10);
    sim.revokeIssuedTokens();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect([0, 1]).toContain(code);
    const tokens = [
      ...new Set(
        sim.requests.map((r) => r.authorization?.replace(/^Bearer /, '')).filter((t): t is string => !!t),
      ),
    ];
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect(sim.counters.byStatus[401]).toBeGreaterThanOrEqual(1);
    const written = [stdout, stderr, cmdline, await readFile(out, 'utf8'), await readFile(log, 'utf8')];
    expect(written[4]).toContain('"level":"debug"');
    for (const text of written) {
      expect(text).not.toContain(SECRET);
      for (const token of tokens) expect(text).not.toContain(token);
    }
  });
});
