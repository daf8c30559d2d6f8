/**
 * Operability end to end: logs, progress (terminal and not), the summary file, configuration
 * files, and the inbox of the nightly sync.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { SAMPLE_WORLD, sampleWorld } from '../../src/simulator/world.js';
import { BIN, cleanEnv, readResults, runCli, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';

/** Run `args` under a pseudo-terminal (`script`), as a person at a terminal would; resolves with what it showed. */
function onTerminal(
  args: string[],
  environment: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string }> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  // Not spawnSync: the simulator answering the CLI lives in this process's event loop.
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    env: cleanEnv(environment),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout })));
}

let sim: Simulator;
let dir: string;
const { contoso } = SAMPLE_WORLD.customers;

const env = (extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv => simEnv(sim.url, extra);

beforeEach(async () => {
  sim = await startSimulator();
  dir = await tempDir();
});

afterEach(async () => {
  await sim.close();
});

describe('logs and progress', () => {
  test('the log file has JSON lines, one per row at debug level (invalid rows too) with line, correlation id, status and timing', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 5);
    await writeFile(file, 'not-a-guid,not-a-guid,PO-X\n', { flag: 'a' }); // line 7: invalid
    const log = path.join(dir, 'run.log');
    const run = await runCli(
      ['po-numbers', file, '--log-file', log, '--log-level', 'debug', '--rate', '0'],
      env(),
    );
    expect(run.code).toBe(1);
    const entries = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const rows = entries.filter((e) => e.level === 'debug' && typeof e.line === 'number');
    expect(rows).toHaveLength(6);
    // Logged as rows finish: the invalid row, never sent, comes first.
    const sent = rows.filter((r) => r.status !== 'invalid');
    expect(sent).toHaveLength(5);
    for (const row of sent) {
      expect(row).toMatchObject({ status: 'success', httpStatus: 204, attempts: 1 });
      expect(typeof row.correlationId).toBe('string');
      expect(typeof row.durationMs).toBe('number');
      expect(typeof row.timestamp).toBe('string');
    }
    // An invalid row has its line too, with why.
    const invalid = rows.find((r) => r.status === 'invalid');
    expect(invalid).toMatchObject({ line: 7, attempts: 0 });
    expect(invalid?.problem).toContain('customerId "not-a-guid" is not a UUID');
    expect(entries.at(-1)?.message).toMatch(/^6 rows: 5 success, 1 invalid/);
    // stderr is for people: text, not JSON, and no colour codes without a terminal.
    expect(run.stderr).toMatch(/^info: /m);
    expect(run.stderr).not.toContain('\u001b[');
  });

  test('without a terminal there is no bar, and a progress line is logged periodically', async () => {
    sim.configure({ latencyMs: 20 });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 60);
    const run = await runCli(['po-numbers', file, '--rate', '40', '--progress-interval', '0.5'], env());
    expect(run.code).toBe(0);
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('info: progress: '));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(
      /^info: progress: \d+ of 60 rows \(\d+%\), [\d.]+ rows\/s, 0 failed, 0 invalid, about .+ left$/,
    );
    expect(run.stderr).not.toContain('█');
  });

  test('on a terminal (a pseudo-terminal through script) the bar is drawn', async () => {
    sim.configure({ latencyMs: 10 });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 30);
    const result = await onTerminal(['po-numbers', file, '--rate', '30'], env());
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('█');
    expect(result.stdout).toMatch(/30\/30 rows/);
  });

  test('--no-progress turns the bar off even on a terminal', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 5);
    const result = await onTerminal(['po-numbers', file, '--rate', '0', '--no-progress'], env());
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('█');
    expect(result.stdout).toContain('5 rows: 5 success');
  });

  test('--summary-json writes the counts, timing and where the results are', async () => {
    sim.configure({ failureRate: 0.3, seed: 3 });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 40);
    const summaryFile = path.join(dir, 'summary.json');
    const run = await runCli(
      ['po-numbers', file, '--rate', '0', '--retries', '0', '--summary-json', summaryFile],
      env(),
    );
    expect(run.code).toBe(1);
    const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as Record<string, unknown>;
    expect(summary).toMatchObject({
      exitCode: 1,
      kind: 'po-numbers',
      rows: 40,
      resultsPath: path.join(dir, 'in.results.csv'),
    });
    const counts = summary.counts as Record<string, number>;
    expect((counts.success ?? 0) + (counts.failed ?? 0)).toBe(40);
    expect(counts.failed).toBeGreaterThan(0);
    expect(summary.latencyMs).toHaveProperty('p95');
    const refused = await runCli(
      ['po-numbers', path.join(dir, 'missing.csv'), '--summary-json', summaryFile],
      env(),
    );
    expect(refused.code).toBe(2);
    expect(JSON.parse(await readFile(summaryFile, 'utf8'))).toMatchObject({
      exitCode: 2,
      error: expect.stringContaining('missing.csv'),
    });
  });
});

// /dev/full refuses every write with ENOSPC, as a full disk does (Linux; elsewhere skipped).
const onFullDisk = existsSync('/dev/full') ? test : test.skip;

describe('a results file that cannot be written', () => {
  onFullDisk(
    'a full disk stops the run: exit 3, what to do, nothing more sent, the lock released',
    async () => {
      sim.configure({ latencyMs: 20 });
      const file = path.join(dir, 'in.csv');
      await writePoNumbers(file, 200);
      const out = path.join(dir, 'full.results.csv');
      await symlink('/dev/full', out);
      const run = await runCli(['po-numbers', file, '--out', out, '--overwrite', '--rate', '0'], env());
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('the results file cannot be written (ENOSPC');
      expect(run.stderr).toContain('run the same command with --resume');
      expect(run.stderr).not.toContain('unexpected');
      // The header could not be written: the run stops within the first answers, not after 200 rows.
      expect(sim.counters.api).toBeLessThan(200);
      expect(await readdir(dir)).not.toContain('full.results.csv.lock');
    },
  );
});

describe('the log and summary files', () => {
  test('one that cannot be written is refused before anything is sent', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 3);
    const inFile = path.join(file, 'log.json'); // below a file, so not a folder that can exist
    for (const [flag, target, words] of [
      ['--log-file', dir, `Cannot write the log file ${dir} (EISDIR); nothing was sent`],
      ['--log-file', inFile, `Cannot write the log file ${inFile} (ENOTDIR); nothing was sent`],
      ['--summary-json', dir, `Cannot write the summary file ${dir} (it is a folder); nothing was sent`],
    ] as const) {
      const run = await runCli(['po-numbers', file, '--rate', '0', flag, target], env());
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(words);
    }
    expect(sim.counters.api).toBe(0);
  });

  onFullDisk(
    'a log file that stops taking lines is dropped with a warning; the run and stderr go on',
    async () => {
      const file = path.join(dir, 'in.csv');
      await writePoNumbers(file, 20);
      const run = await runCli(
        ['po-numbers', file, '--rate', '0', '--log-file', '/dev/full', '--log-level', 'debug'],
        env(),
      );
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('warning: the log file /dev/full cannot be written (ENOSPC');
      expect(run.stderr).toContain('20 rows: 20 success');
      expect(run.stderr.match(/^debug: line \d+: success/gm)).toHaveLength(20);
    },
  );

  test('summary-json in a config file is written like the flag', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 3);
    const summaryFile = path.join(dir, 'from-config.json');
    const config = path.join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ 'summary-json': summaryFile }));
    const run = await runCli(['po-numbers', file, '--rate', '0', '--config', config], env());
    expect(run.code).toBe(0);
    expect(JSON.parse(await readFile(summaryFile, 'utf8'))).toMatchObject({ exitCode: 0, rows: 3 });
  });
});

describe('configuration files', () => {
  test('--config supplies settings below flags and environment, and refuses secrets', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 3);
    const config = path.join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        tenant: 'portal.cloudcockpit.com',
        'base-url': sim.url,
        rate: 0,
        out: path.join(dir, 'from-config.csv'),
      }),
    );
    const run = await runCli(['po-numbers', file, '--config', config], {
      CLOUDCOCKPIT_TOKEN: 'sim-static-token',
    });
    expect(run.code).toBe(0);
    expect(await readResults(path.join(dir, 'from-config.csv'))).toHaveLength(3);
    const flagWins = await runCli(
      ['po-numbers', file, '--config', config, '--out', path.join(dir, 'flag.csv')],
      {
        CLOUDCOCKPIT_TOKEN: 'sim-static-token',
      },
    );
    expect(flagWins.code).toBe(0);
    expect(await readResults(path.join(dir, 'flag.csv'))).toHaveLength(3);

    await writeFile(config, JSON.stringify({ tenant: 'x', 'client-secret': 'oops-a-secret' }));
    const refused = await runCli(['po-numbers', file, '--config', config], {});
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('secrets are not accepted in a config file');
    expect(refused.stderr).not.toContain('oops-a-secret');
    await writeFile(config, JSON.stringify({ concurency: 3 }));
    expect((await runCli(['po-numbers', file, '--config', config], {})).stderr).toContain(
      'unknown key "concurency"',
    );
  });

  test('--env-file loads the environment (the real one wins) and warns when others can read it', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 2);
    const envFile = path.join(dir, 'cloudcockpit.env');
    await writeFile(
      envFile,
      `CLOUDCOCKPIT_TENANT=portal.cloudcockpit.com\nCLOUDCOCKPIT_BASE_URL=${sim.url}\nCLOUDCOCKPIT_TOKEN=sim-static-token\n`,
    );
    await chmod(envFile, 0o600);
    const run = await runCli(['po-numbers', file, '--env-file', envFile], {});
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('can be read by other users');
    await chmod(envFile, 0o644);
    const wrongTenant = await runCli(
      ['po-numbers', file, '--env-file', envFile, '--out', path.join(dir, 'b.csv')],
      {
        CLOUDCOCKPIT_TENANT: 'wrong.example.com',
      },
    );
    expect(wrongTenant.stderr).toContain('can be read by other users (mode 644)');
    expect(wrongTenant.code).toBe(1); // the real environment's (wrong) tenant won: the API refused it
  });
});

describe('the inbox', () => {
  test('processes a good file, a file with failing rows and a malformed one, each to its place', async () => {
    sim.configure({ world: sampleWorld() });
    const inbox = path.join(dir, 'inbox');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(inbox);
    const old = new Date(Date.now() - 3600_000);
    const write = async (name: string, text: string, mtime = old) => {
      await writeFile(path.join(inbox, name), text);
      await utimes(path.join(inbox, name), mtime, mtime);
    };
    await write(
      '1-good.csv',
      `customerId,subscriptionId,poNumber\n${contoso.id},${contoso.subscriptions.azurePlan},PO-GOOD\n`,
    );
    await write(
      '2-failing.csv',
      `customer id;reseller id;internal identifier\n${contoso.id};;ERP-1\n${SAMPLE_WORLD.unknown.customerId};;ERP-2\n`,
    );
    await write('3-broken.csv', `customerId,subscriptionId,poNumber\n${contoso.id},"unclosed,PO\n`);
    await write('4-copying.csv', 'customerId,subscriptionId,poNumber\n', new Date());
    await write('notes.txt', 'not a data file');
    const summaryFile = path.join(dir, 'inbox.json');
    const logFile = path.join(dir, 'inbox.log');
    const run = await runCli(
      ['inbox', inbox, '--rate', '0', '--summary-json', summaryFile, '--log-file', logFile],
      env(),
    );
    // Rows were sent, so not 2 ("nothing was sent"): the rejected file counts as 1 (issue 15).
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('2 processed, 1 rejected, 0 left, 1 waiting; exit 1');
    // The log file, which is what a cron job keeps, says so too, and why a file was refused.
    const logged = await readFile(logFile, 'utf8');
    expect(logged).toContain('2 processed, 1 rejected, 0 left, 1 waiting; exit 1');
    expect(logged).toMatch(/3-broken\.csv: rejected \(exit 2\).*never closed/);

    expect((await readdir(inbox)).sort()).toEqual([
      '.work',
      '4-copying.csv',
      'notes.txt',
      'processed',
      'rejected',
    ]);
    const processed = (await readdir(path.join(inbox, 'processed'))).sort();
    expect(processed).toHaveLength(4);
    expect(processed.filter((n) => /^\d{8}-\d{6}-1-good\.csv$/.test(n))).toHaveLength(1);
    const goodResults = processed.find((n) => n.endsWith('-1-good.csv.results.csv')) ?? '';
    expect((await readResults(path.join(inbox, 'processed', goodResults)))[0]?.status).toBe('success');
    const failingResults = processed.find((n) => n.endsWith('-2-failing.csv.results.csv')) ?? '';
    expect((await readResults(path.join(inbox, 'processed', failingResults))).map((r) => r.status)).toEqual([
      'success',
      'failed',
    ]);

    const rejected = (await readdir(path.join(inbox, 'rejected'))).sort();
    expect(rejected).toHaveLength(2);
    const errorFile = rejected.find((n) => n.endsWith('.error.txt')) ?? '';
    const why = await readFile(path.join(inbox, 'rejected', errorFile), 'utf8');
    expect(why).toContain('3-broken.csv was refused and nothing was sent');
    expect(why).toContain('line 2, column 2: a quoted cell starting in this record is never closed');

    const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as {
      exitCode: number;
      files: { name: string; outcome: string }[];
    };
    expect(summary.exitCode).toBe(1);
    expect(summary.files.map((f) => [f.name, f.outcome])).toEqual([
      ['1-good.csv', 'processed'],
      ['2-failing.csv', 'processed'],
      ['3-broken.csv', 'rejected'],
      ['4-copying.csv', 'waiting'],
    ]);
    expect(sim.poNumbers.get(`${contoso.id}/${contoso.subscriptions.azurePlan}`)).toBe('PO-GOOD');
  });

  test('a file replaced since its run stopped part-way starts over; the earlier results are kept in processed/', async () => {
    sim.configure({ world: sampleWorld() });
    const inbox = await tempDir();
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(inbox, '.work'));
    const row = (po: string) =>
      `customerId,subscriptionId,poNumber\n${contoso.id},${contoso.subscriptions.azurePlan},${po}\n`;
    // What a stopped run of an earlier orders.csv leaves: its results in .work/, PO-OLD applied.
    const earlierInput = path.join(dir, 'earlier.csv');
    await writeFile(earlierInput, row('PO-OLD'));
    const earlierResults = path.join(inbox, '.work', 'orders.csv.results.csv');
    expect((await runCli(['po-numbers', earlierInput, '--out', earlierResults], env())).code).toBe(0);
    // Then a different orders.csv arrives.
    const old = new Date(Date.now() - 3600_000);
    await writeFile(path.join(inbox, 'orders.csv'), row('PO-NEW'));
    await utimes(path.join(inbox, 'orders.csv'), old, old);
    const run = await runCli(['inbox', inbox, '--rate', '0'], env());
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('orders.csv changed since its run that stopped part-way');
    expect(run.stderr).toContain('1 processed, 0 rejected');
    expect(sim.poNumbers.get(`${contoso.id}/${contoso.subscriptions.azurePlan}`)).toBe('PO-NEW');
    const processed = await readdir(path.join(inbox, 'processed'));
    const setAside = processed.find((n) => n.endsWith('-orders.csv.earlier.results.csv')) ?? '';
    expect((await readResults(path.join(inbox, 'processed', setAside)))[0]?.poNumber).toBe('PO-OLD');
    expect(await readdir(path.join(inbox, '.work'))).toEqual(['claimed']);
  });

  test('a second inbox run while one is running exits 2; an empty inbox exits 0', async () => {
    const inbox = await tempDir();
    const { writeFile: wf } = await import('node:fs/promises');
    await wf(
      path.join(inbox, '.inbox.lock'),
      JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), started: 'now' }),
    );
    const locked = await runCli(['inbox', inbox], env());
    expect(locked.code).toBe(2);
    expect(locked.stderr).toContain('is being written by another run');
    const { rm } = await import('node:fs/promises');
    await rm(path.join(inbox, '.inbox.lock'));
    const empty = await runCli(['inbox', inbox], env());
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain('no .csv or .xlsx file to process');
  });
});
