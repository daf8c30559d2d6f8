/** Logs and progress end to end: the JSON log file, the progress bar on a terminal and not, and --summary-json. */
import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN, cleanEnv, runCli } from '../helpers/cli.js';
import { dir, env, sim, simulatorForEachTest } from '../helpers/e2e.js';
import { writePoNumbers } from '../helpers/generate.js';

simulatorForEachTest();

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
