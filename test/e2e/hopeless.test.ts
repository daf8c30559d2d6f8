/**
 * Runs that cannot succeed stop early, end to end (issue 16, items 5 and 6): every row failing for
 * one cause no row can escape stops the run (exit 3) with what to check; an API that goes away
 * after the run has worked is waited for, not failed row by row; a ready token the API refuses is
 * found before any row is sent (exit 2).
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { readdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { sampleWorld } from '../../src/simulator/world.js';
import { readResults, runCli, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';

let sim: Simulator;
let dir: string;

beforeEach(async () => {
  sim = await startSimulator();
  dir = await tempDir();
});

afterEach(async () => {
  await sim.close();
});

/** A loopback port nothing listens on: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Run `rows` generated rows with `args` against `env`; the exit, stderr, results and seconds taken. */
async function runRows(rows: number, args: string[], env: NodeJS.ProcessEnv) {
  const file = path.join(dir, 'in.csv');
  await writePoNumbers(file, rows);
  const out = path.join(dir, 'out.csv');
  const started = performance.now();
  const run = await runCli(['po-numbers', file, '--out', out, '--no-progress', ...args], env);
  const seconds = (performance.now() - started) / 1000;
  const results = await readResults(out).catch(() => []);
  const count = (status: string) => results.filter((r) => r.status === status).length;
  return { ...run, results, seconds, count };
}

describe('every row failing for one cause stops the run (exit 3), the rest not_attempted', () => {
  test('an API that refuses every connection, with the default retries: stopped in seconds, not hours', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runRows(500, [], simEnv(url));
    // The old code sent every row through its retries: about two seconds a row at 4 in flight.
    expect(run.code).toBe(3);
    expect(run.seconds).toBeLessThan(45);
    const reason = `the API at ${url} refused every connection (ECONNREFUSED) for the first 5 rows: check --base-url and the network`;
    expect(run.stderr).toContain(`stopping: ${reason}; rows not yet started are written as not_attempted`);
    expect(run.stderr).toContain(`Stopped early: ${reason}.`);
    expect(run.results).toHaveLength(500);
    const failed = run.results.filter((r) => r.status === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(5);
    expect(failed.length).toBeLessThanOrEqual(8);
    expect(failed.every((r) => r.errorType === 'NetworkError' || r.errorType === 'Stopped')).toBe(true);
    expect(run.count('not_attempted')).toBe(500 - failed.length);
  }, 60_000);

  test('a tenant the API does not know: five rows refused, then the message names --tenant', async () => {
    const run = await runRows(
      300,
      ['--rate', '0'],
      simEnv(sim.url, { CLOUDCOCKPIT_TENANT: 'wrong.example.com' }),
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      'stopping: the API does not know the tenant wrong.example.com (HTTP 400 InvalidTenant) for the first 5 rows: ' +
        "check --tenant (CLOUDCOCKPIT_TENANT), your portal's domain",
    );
    const failed = run.results.filter((r) => r.status === 'failed');
    expect(failed.every((r) => r.httpStatus === '400' && r.errorType === 'InvalidTenant')).toBe(true);
    expect(failed.length).toBeLessThanOrEqual(8);
    expect(run.count('not_attempted')).toBe(300 - failed.length);
    // The token check, then the rows that were sent.
    expect(sim.counters.api).toBe(1 + failed.length);
  });

  test('a host name that is not found', async () => {
    const run = await runRows(100, ['--retries', '1'], simEnv('https://cloudcockpit-api.invalid'));
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /stopping: the API's host cloudcockpit-api\.invalid was not found \((ENOTFOUND|EAI_AGAIN)\) for the first 5 rows: check --base-url and the network's DNS/,
    );
    expect(run.count('not_attempted')).toBeGreaterThanOrEqual(92);
  });

  test('a secure connection that fails (https to a plain-http port)', async () => {
    const url = sim.url.replace('http://', 'https://');
    const run = await runRows(100, [], simEnv(url));
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      `stopping: the secure connection to the API at ${url} failed (EPROTO) for the first 5 rows: check that --base-url is the API's https address`,
    );
    expect(run.count('not_attempted')).toBeGreaterThanOrEqual(92);
  });

  test('an API answering 5xx to every request stops once its rows have failed for ten seconds', async () => {
    sim.configure({ failureRate: 1 });
    const run = await runRows(1000, ['--retries', '0', '--rate', '20'], simEnv(sim.url));
    // The old code failed all 1000 rows, one every 50 ms.
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /stopping: the API at \S+ failed the first \d+ rows over 10 s \(last: HTTP 500\) and none succeeded: it is down or failing; run again later with --resume/,
    );
    expect(run.seconds).toBeGreaterThanOrEqual(10);
    expect(run.seconds).toBeLessThan(25);
    expect(run.count('failed')).toBeGreaterThan(100);
    expect(run.count('not_attempted')).toBeGreaterThan(600);
  }, 60_000);

  test('rows refused for their own reasons (404) never stop the run, however many', async () => {
    // The sample world knows only its own customers: every row here names one it does not.
    sim.configure({ world: sampleWorld() });
    const run = await runRows(40, ['--rate', '0'], simEnv(sim.url));
    expect(run.code).toBe(1);
    expect(run.results.map((r) => r.httpStatus)).toEqual(Array(40).fill('404'));
    expect(run.stderr).not.toContain('stopping');
  });
});

describe('an API that goes away after the run has worked', () => {
  test('pauses every request and resumes when it is back, instead of failing the rows one by one', async () => {
    const port = Number(new URL(sim.url).port);
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 200);
    const out = path.join(dir, 'out.csv');
    const running = runCli(
      ['po-numbers', file, '--out', out, '--rate', '20', '--no-progress'],
      simEnv(sim.url),
    );
    while (sim.counters.api < 30) await sleep(10);
    await sim.close();
    // Longer than most rows' own retries last (0.5 + 1 + 2 + 4 + 8 s at most, half that on average).
    await sleep(7000);
    sim = await startSimulator({}, port);
    const run = await running;
    expect({ code: run.code, tail: run.code === 0 ? '' : run.stderr.slice(-1500) }).toEqual({
      code: 0,
      tail: '',
    });
    expect(run.stderr).toMatch(
      /the API at \S+ failed every request for \d+ s \(last: \S+\): pausing all requests; trying one again in 2 s, giving up after 5 min/,
    );
    expect(run.stderr).toMatch(
      /the API at \S+ answers again \(HTTP 204\) after \d+ s: resuming the requests/,
    );
    const results = await readResults(out);
    expect(results.filter((r) => r.status === 'success')).toHaveLength(200);
  }, 90_000);
});

describe('a ready token the API refuses', () => {
  test('is found by one read-only call before any row is sent: exit 2, nothing written', async () => {
    sim.configure({ rejectAllTokens: true });
    const run = await runRows(50, [], simEnv(sim.url));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'cloudcockpit-bulk: The API refused the ready bearer token from CLOUDCOCKPIT_TOKEN (HTTP 401 to GET /v1/Customers?pageSize=1), so nothing was sent',
    );
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/Customers?pageSize=1']);
    expect(await readdir(dir)).toEqual(['in.csv']);
  });

  test('is not checked when no row is to be sent: a file of invalid rows contacts nothing', async () => {
    sim.configure({ rejectAllTokens: true });
    const file = path.join(dir, 'invalid.csv');
    await writeFile(file, 'customerId,subscriptionId,poNumber\nnot-a-uuid,also-not,PO-1\n');
    const run = await runCli(['po-numbers', file, '--no-progress'], simEnv(sim.url));
    expect(run.code).toBe(1);
    expect(sim.counters.api).toBe(0);
  });

  test('is never checked in a dry run', async () => {
    sim.configure({ rejectAllTokens: true });
    const run = await runRows(5, ['--dry-run'], simEnv(sim.url));
    expect(run.code).toBe(0);
    expect(sim.counters.api).toBe(0);
  });
});
