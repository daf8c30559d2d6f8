/** The nightly inbox's exit code and logs end to end (issue 15), and a single run's fatal error in its log file. */
import { describe, expect, test } from '@jest/globals';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { readResults, runCli } from '../helpers/cli.js';
import { dir, env, sim, simulatorForEachTest } from '../helpers/e2e.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';
import { drop, inboxArgs, poFile } from '../helpers/inbox.js';

simulatorForEachTest();

/** Client credentials whose secret the simulator's token endpoint refuses. */
const wrongSecretEnv = (): NodeJS.ProcessEnv =>
  env({
    CLOUDCOCKPIT_TOKEN: undefined,
    CLOUDCOCKPIT_TOKEN_URL: `${sim.url}/tenant/oauth2/v2.0/token`,
    CLOUDCOCKPIT_CLIENT_ID: 'sim-client-id',
    CLOUDCOCKPIT_CLIENT_SECRET: 'not-the-secret',
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
    const run = await runCli(inboxArgs(inbox, ['--log-file', log]), wrongSecretEnv());
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
      wrongSecretEnv(),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cloudcockpit-bulk: The token endpoint refused the credentials');
    expect(await readFile(log, 'utf8')).toMatch(/^\S+ error: The token endpoint refused the credentials/m);
  });
});
