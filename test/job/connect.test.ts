/**
 * Connecting a run: a ready token the API refuses is found by one read-only call before any row
 * is sent; nothing else that call meets stops the run; client credentials and dry runs make no
 * such call (issue 16, item 6).
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { chmod, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  checksBeforeSending,
  connectPaced,
  TOKEN_CHECK_PATH,
  type Connection,
} from '../../src/job/connect.js';
import { RunError } from '../../src/errors.js';
import { DEFAULT_SCOPE, type Options } from '../../src/options.js';
import { createLogger } from '../../src/report/logger.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { tempFile } from '../helpers/files.js';

let sim: Simulator;
let connection: Connection | undefined;
beforeEach(async () => {
  sim = await startSimulator({ clientId: 'nightly', clientSecret: 'Secret-value-1234' });
  connection = undefined;
});
afterEach(async () => {
  connection?.connected?.close();
  await sim.close();
});

/** The options connecting reads; the rest of a run's options do not matter to it. */
const options = (fields: Partial<Options> = {}): Options =>
  ({
    tenant: 'portal.cloudcockpit.com',
    baseUrl: sim.url,
    tokenUrl: sim.tokenUrl,
    scope: DEFAULT_SCOPE,
    clientId: 'nightly',
    tokenFile: undefined,
    clientSecretFile: undefined,
    concurrency: 4,
    rate: 0,
    retries: 5,
    timeoutSeconds: 5,
    maxRetryAfterSeconds: 60,
    dryRun: false,
    ...fields,
  }) as Options;

const READY = { CLOUDCOCKPIT_TOKEN: 'sim-static-token' };
const CREDENTIALS = { CLOUDCOCKPIT_CLIENT_SECRET: 'Secret-value-1234' };

/**
 * Connect, then make the checks that need the API, with a logger that writes to a string; resolves
 * to the connection, or what connecting or checking threw.
 */
async function connect(fields: Partial<Options>, env: NodeJS.ProcessEnv) {
  const stderr = new PassThrough();
  let log = '';
  stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const logger = createLogger({ level: 'debug', stderr, file: undefined, fileFormat: undefined });
  try {
    connection = await connectPaced(options(fields), env, logger);
    await connection.connected?.check();
    return { connection, log: () => log };
  } catch (error) {
    return { connection, error, log: () => log };
  }
}

/** Resolves once `condition` holds (checked every few milliseconds). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

/** A plain local server that answers every request with `status`. */
async function answering(status: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(status).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('a ready token', () => {
  test('that the API refuses stops the run before any row is sent: exit 2, after one GET', async () => {
    sim.configure({ rejectAllTokens: true });
    const connecting = await connectPaced(
      options(),
      READY,
      createLogger({ level: 'error', stderr: new PassThrough() }),
    );
    // Connecting sends nothing: the check goes out when the run asks for it, with its results file open.
    expect(sim.counters.api).toBe(0);
    connecting.connected?.close();
    const { error } = await connect({}, READY);
    expect(error).toBeInstanceOf(RunError);
    expect(error).toMatchObject({ code: 'AUTH', exitCode: 2 });
    expect((error as Error).message).toBe(
      'The API refused the ready bearer token from CLOUDCOCKPIT_TOKEN (HTTP 401 to GET /v1/Customers?pageSize=1), ' +
        'so nothing was sent: it is expired or wrong, or its Api Access lacks the csp or reseller role. ' +
        'Put a fresh token there, or use client credentials (CLOUDCOCKPIT_CLIENT_ID and CLOUDCOCKPIT_CLIENT_SECRET), ' +
        'which are renewed by themselves',
    );
    expect(sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `GET /${TOKEN_CHECK_PATH} 401`,
    ]);
  });

  test('from a file is named by its path when refused', async () => {
    sim.configure({ rejectAllTokens: true });
    const file = await tempFile('token', 'Bearer sim-static-token\n');
    await chmod(file, 0o600);
    const { error } = await connect({ tokenFile: file }, {});
    expect((error as Error).message).toMatch(
      new RegExp(`^The API refused the ready bearer token from the token file ${file} \\(HTTP 401 to GET`),
    );
  });

  test('that the API takes is checked with one GET, and the run goes on', async () => {
    const { connection: connected, log } = await connect({}, READY);
    expect(connected?.connected).toBeDefined();
    expect(sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `GET /${TOKEN_CHECK_PATH} 200`,
    ]);
    expect(log()).toContain(`checked the ready token with GET /${TOKEN_CHECK_PATH}: HTTP 200`);
  });

  test.each([403, 404, 400, 500])('answered %i is not the token refused: the run goes on', async (status) => {
    const api = await answering(status);
    try {
      const { connection: connected } = await connect({ baseUrl: api.url }, READY);
      expect(connected?.connected).toBeDefined();
    } finally {
      await api.close();
    }
  });

  test('given no answer at all, the run goes on: its rows will say what is wrong', async () => {
    const api = await answering(200);
    await api.close();
    const { connection: connected, log } = await connect({ baseUrl: api.url }, READY);
    expect(connected?.connected).toBeDefined();
    expect(log()).toContain('no answer');
  });
});

describe('checksBeforeSending', () => {
  test('makes the checks once, before the first row: later rows are not held up', async () => {
    const file = await tempFile('out.csv', 'line,header\r\n');
    const { connection: ready } = await connect({}, READY);
    const beforeSending = checksBeforeSending(ready!, { path: file, close: async () => undefined });
    // connect() above made its own check: one GET so far.
    expect(sim.counters.api).toBe(1);
    await beforeSending();
    expect(beforeSending()).toBeUndefined();
    expect(beforeSending()).toBeUndefined();
    expect(sim.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
    expect((await stat(file)).isFile()).toBe(true);
  });

  test('when a check fails, removes the results file just created, as if the run had not started', async () => {
    const file = await tempFile('out.csv', 'line,header\r\n');
    let closed = false;
    const created = { path: file, close: async () => void (closed = true) };
    sim.configure({ rejectAllTokens: true });
    const { connection: refused, error } = await connect({}, READY);
    expect(error).toBeInstanceOf(RunError);
    expect(refused).toBeDefined();
    await expect(checksBeforeSending(refused!, created)()).rejects.toMatchObject({
      code: 'AUTH',
      exitCode: 2,
    });
    expect(closed).toBe(true);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('started early, for a run sure to send a row: the check goes out at once, and is awaited once', async () => {
    const file = await tempFile('out.csv', 'line,header\r\n');
    const { connection: ready } = await connect({}, READY);
    expect(sim.counters.api).toBe(1);
    const lazy = checksBeforeSending(ready!, { path: file, close: async () => undefined });
    const early = checksBeforeSending(ready!, { path: file, close: async () => undefined }, { early: true });
    // Only the early one is under way before its first row asks for it.
    await until(() => sim.counters.api === 2);
    await sleep(50);
    expect(sim.counters.api).toBe(2);
    await early();
    expect(early()).toBeUndefined();
    expect(sim.counters.api).toBe(2);
    await lazy();
    expect(sim.counters.api).toBe(3);
  });

  test('started early and refused: nothing is unhandled, and the first row meets the refusal', async () => {
    const file = await tempFile('out.csv', 'line,header\r\n');
    let closed = false;
    sim.configure({ rejectAllTokens: true });
    const { connection: refused } = await connect({}, READY);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const created = { path: file, close: async () => void (closed = true) };
      const beforeSending = checksBeforeSending(refused!, created, { early: true });
      await until(() => sim.counters.api === 2);
      await sleep(50);
      expect(unhandled).toEqual([]);
      // The results file is left alone until the run is told, at its first row.
      expect(closed).toBe(false);
      await expect(beforeSending()).rejects.toMatchObject({ code: 'AUTH', exitCode: 2 });
      expect(closed).toBe(true);
      await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('a dry run has none to make', async () => {
    const { connection: dry } = await connect({ dryRun: true }, READY);
    expect(checksBeforeSending(dry!, { path: '/nowhere', close: async () => undefined })()).toBeUndefined();
    expect(sim.requests).toEqual([]);
  });
});

describe('no check', () => {
  test('with client credentials: the token endpoint just took them, and a refused token is renewed once', async () => {
    sim.configure({ rejectAllTokens: true });
    const { connection: connected } = await connect({}, CREDENTIALS);
    expect(connected?.connected).toBeDefined();
    expect(sim.counters.api).toBe(0);
    expect(sim.counters.token).toBe(1);
  });

  test('in a dry run: nothing is sent at all', async () => {
    sim.configure({ rejectAllTokens: true });
    const { connection: connected } = await connect({ dryRun: true }, READY);
    expect(connected?.connected).toBeUndefined();
    expect(connected?.outage).toBeUndefined();
    expect(sim.requests).toEqual([]);
  });
});
