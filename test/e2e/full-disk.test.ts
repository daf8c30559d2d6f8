/**
 * A results file that cannot be written (issue 15, items 2 and 3), made with `ulimit -f`: the
 * kernel refuses to let the file grow past N blocks of 1,024 bytes (EFBIG; Node ignores SIGXFSZ),
 * as a full disk would, with no privileges needed. The bytes up to the limit are written, so the
 * last row can be cut in the middle, as on a disk that fills up.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { BIN, cleanEnv, readResults, runCli, simEnv, type CliRun } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';

let sim: Simulator;
let dir: string;
const env = (): NodeJS.ProcessEnv => simEnv(sim.url);
/** PATCH requests the simulator received: the rows sent. */
const patches = (): number => sim.counters.byMethod.PATCH ?? 0;

beforeEach(async () => {
  sim = await startSimulator();
  dir = await tempDir();
});

afterEach(async () => {
  await sim.close();
});

/** Run the CLI with no file allowed to grow past `blocks` KiB. */
function runLimited(blocks: number, args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'bash',
      ['-c', `ulimit -f ${blocks} && exec "$0" "$@"`, process.execPath, BIN, ...args],
      { env: cleanEnv(env()), stdio: 'pipe' },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end();
  });
}

/** A results file's data rows, checking it ends at a whole row (CRLF) and parses. */
async function wholeRows(file: string): Promise<Record<string, string>[]> {
  const text = await readFile(file, 'utf8');
  expect(text.endsWith('\r\n')).toBe(true);
  return parse(text.slice(1), { columns: true }) as Record<string, string>[];
}

/**
 * PO numbers of 250 characters: a results row then takes about 380 bytes and a row named in the
 * summary as not written about 125, so a limit a little over 125 bytes for each row of the file
 * stops the results file part-way while the summary fits even if it named every row, however
 * many rows went out before the run saw its file fail (that depends on timing: 42 to 72 of 200
 * rows in 6 runs with 150-byte rows and a 10 KiB limit, whose summary then grew past it).
 */
const long = (i: number): string => `PO-${i}-`.padEnd(250, 'x');

describe('a results file that cannot be written', () => {
  test('during a resume: exit 3 saying why, not "the input changed"; the next resume finishes', async () => {
    const file = path.join(dir, 'in.csv');
    // Far more rows than the reader runs ahead of the results file, so it stops part-way.
    const rows = await writePoNumbers(file, 2000);
    const out = path.join(dir, 'out.csv');
    const args = ['po-numbers', file, '--out', out, '--rate', '0'];
    expect((await runCli(args, env())).code).toBe(0);
    // Every second row failed in that run: the resume sends those again.
    const lines = (await readFile(out, 'utf8')).split('\r\n');
    const earlier = lines
      .map((l, i) => (i % 2 === 1 ? l.replace(',success,204,', ',failed,500,') : l))
      .join('\r\n');
    await writeFile(out, earlier);
    expect((await stat(out)).size).toBeGreaterThan(24 * 1024);

    const full = await runLimited(12, [...args, '--resume']);
    expect(full.stderr).toContain('the results file cannot be written');
    expect(full.stderr).not.toContain('changed since');
    expect(full.code).toBe(3);
    const sent = patches();
    expect(sent).toBeGreaterThan(2000);
    expect(await readFile(out, 'utf8')).toBe(earlier);

    const again = await runCli([...args, '--resume'], env());
    expect(again.code).toBe(0);
    expect((await readResults(out)).map((r) => r.status)).toEqual(rows.map(() => 'success'));
    rows.forEach((r, i) => expect(sim.poNumbers.get(`${r.customerId}/${r.second}`)).toBe(`PO-${i}`));
  });

  test('in the inbox: the file stays claimed for the next night, its results are not set aside and sent again', async () => {
    const inbox = path.join(dir, 'inbox');
    await mkdir(path.join(inbox, '.work', 'claimed'), { recursive: true });
    const claimed = path.join(inbox, '.work', 'claimed', 'orders.csv');
    const rows = await writePoNumbers(claimed, 2000);
    // Last night's run of it stopped part-way: every second row failed, the rest are applied.
    const out = path.join(inbox, '.work', 'orders.csv.results.csv');
    expect((await runCli(['po-numbers', claimed, '--out', out, '--rate', '0'], env())).code).toBe(0);
    const lines = (await readFile(out, 'utf8')).split('\r\n');
    await writeFile(
      out,
      lines.map((l, i) => (i % 2 === 1 ? l.replace(',success,204,', ',failed,500,') : l)).join('\r\n'),
    );
    const nightly = ['inbox', inbox, '--rate', '0', '--settle-seconds', '0.3'];
    const before = patches();

    const full = await runLimited(12, nightly);
    expect(full.code).toBe(3);
    expect(full.stderr).toContain('the results file cannot be written');
    expect(full.stderr).not.toContain('changed since');
    expect(await readdir(path.join(inbox, '.work', 'claimed'))).toEqual(['orders.csv']);
    expect(await readdir(path.join(inbox, 'processed')).catch(() => [])).toEqual([]);

    const sentFull = patches() - before;
    const again = await runCli(nightly, env());
    expect(again.code).toBe(0);
    // The second night sends only what is not applied yet: never all 2,000 rows again.
    expect(patches() - before - sentFull).toBeLessThanOrEqual(1000);
    const processed = await readdir(path.join(inbox, 'processed'));
    const results = processed.find((n) => n.endsWith('-orders.csv.results.csv')) ?? '';
    expect((await readResults(path.join(inbox, 'processed', results))).map((r) => r.status)).toEqual(
      rows.map(() => 'success'),
    );
  });

  test('a full disk: the file ends at a whole row, and every row sent but not written is named', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 600, long);
    const out = path.join(dir, 'out.csv');
    const summary = path.join(dir, 'summary.json');
    const args = ['po-numbers', file, '--out', out, '--rate', '0', '--concurrency', '16'];
    // The limit is per file: 80 KiB holds about 210 results rows, and a summary naming all 600 (75 kB).
    const run = await runLimited(80, [...args, '--summary-json', summary]);
    expect(run.code).toBe(3);
    const written = await wholeRows(out);
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(600);
    const record = JSON.parse(await readFile(summary, 'utf8')) as {
      unrecorded?: { line: number; status: string; correlationId: string }[];
    };
    const unrecorded = record.unrecorded ?? [];
    // Every PATCH the simulator received is a row in the file or a row named as not written.
    expect(written.filter((r) => r.status === 'success').length + unrecorded.length).toBe(patches());
    expect(unrecorded.length).toBeGreaterThan(0);
    const lines = unrecorded.map((r) => r.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(lines[0]).toBeGreaterThan(written.length + 1);
    for (const row of unrecorded) {
      expect(run.stderr).toContain(`line ${row.line} (${row.status}, correlation id ${row.correlationId})`);
    }
    expect(run.stderr).toMatch(/rows? sent but not written to the results file/);

    const resumed = await runCli([...args, '--resume'], env());
    expect(resumed.code).toBe(0);
    expect((await wholeRows(out)).map((r) => r.status)).toEqual(Array(600).fill('success'));
  });

  test('a full disk: the counts say what happened, every row in one count', async () => {
    const file = path.join(dir, 'b.csv');
    // Lines 152 to 201 set again the targets of lines 2 to 51: they wait for those rows.
    const rows = await writePoNumbers(file, 200, long);
    const repeated = rows.map((r, i) => (i >= 150 ? { ...rows[i - 150]!, value: r.value } : r));
    await writeFile(
      file,
      [
        'customerId,subscriptionId,poNumber',
        ...repeated.map((r) => `${r.customerId},${r.second},${r.value}`),
      ].join('\n') + '\n',
    );
    const out = path.join(dir, 'r.csv');
    const summary = path.join(dir, 's.json');
    const args = ['run', file, '--rate', '0', '--concurrency', '8', '--out', out, '--summary-json', summary];
    // 32 KiB: 84 results rows (seen), and a summary naming all 200 (26 kB).
    const run = await runLimited(32, args);
    expect(run.code).toBe(3);
    const written = await wholeRows(out);
    const record = JSON.parse(await readFile(summary, 'utf8')) as {
      rows: number;
      changed: number;
      counts: Record<string, number>;
      unrecorded?: { line: number; status: string }[];
    };
    const unrecorded = record.unrecorded ?? [];
    const sent = patches();
    expect(written.length).toBeLessThan(200);
    expect(unrecorded.length).toBeGreaterThan(0);
    expect(written.length + unrecorded.length).toBe(sent);
    expect(written.every((r) => r.status === 'success')).toBe(true);
    expect(record.rows).toBe(200);
    expect(record.counts.success).toBe(sent);
    expect(record.changed).toBe(sent);
    expect(record.counts.not_attempted).toBe(200 - sent);
    expect(Object.values(record.counts).reduce((a, b) => a + b, 0)).toBe(200);
  });

  test('--resume repairs a last row torn by a kill', async () => {
    const file = path.join(dir, 'in.csv');
    const rows = await writePoNumbers(file, 5);
    const out = path.join(dir, 'out.csv');
    const args = ['po-numbers', file, '--out', out, '--rate', '0'];
    expect((await runCli(args, env())).code).toBe(0);
    const text = await readFile(out, 'utf8');
    const lines = text.split('\r\n');
    // Killed while writing line 5: the file ends in the middle of its correlation id.
    const torn = `${lines.slice(0, 4).join('\r\n')}\r\n${lines[4]!.slice(0, -12)}`;
    await writeFile(out, torn);
    sim.reset();
    const resumed = await runCli([...args, '--resume'], env());
    expect(resumed.code).toBe(0);
    expect(patches()).toBe(2);
    const repaired = await wholeRows(out);
    expect(repaired.map((r) => r.subscriptionId)).toEqual(rows.map((r) => r.second));
    expect(repaired.slice(0, 3).map((r) => r.correlationId)).toEqual(
      lines.slice(1, 4).map((l) => l.split(',')[7]),
    );
  });
});
