/**
 * The input file: what is sent is what the preflight checked, whatever the file is (a pipe, a file
 * overwritten while it is read, a mix of encodings), and every row is named by the number Excel shows.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { BIN, cleanEnv, readResults, runCli, SIM_TOKEN, simEnv, type CliRun } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';

const SAMPLES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../samples');

let sim: Simulator;
/** PATCH requests the simulator received: the rows sent (a ready token's check is a GET). */
const patches = (): number => sim.counters.byMethod.PATCH ?? 0;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  sim.configure({ latencyMs: 0 });
  sim.reset();
  dir = await tempDir();
});

const env = (): NodeJS.ProcessEnv => simEnv(sim.url);
const lines = (r: CliRun): string[] => r.stderr.split('\n').filter((l) => l.trim() !== '');
const HEADER = 'customerId,subscriptionId,poNumber';

describe('an input file that changes while it is read', () => {
  test.each(['overwritten in place with other rows', 'cut short', 'grown'])(
    'a file %s during the run stops it: exit 3, nothing unchecked sent, one results row per checked row',
    async (how) => {
      const input = path.join(dir, 'orders.csv');
      const rows = await writePoNumbers(input, 5_000);
      sim.configure({ latencyMs: 5 });
      const child = spawn(process.execPath, [BIN, 'po-numbers', input, '--rate', '0', '--concurrency', '4'], {
        env: cleanEnv(env()),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      while (patches() < 300) await new Promise((r) => setTimeout(r, 5));
      const other = Array.from({ length: 6_000 }, (_, i) => `${randomUUID()},${randomUUID()},NEW-${i}`);
      const original = await readFile(input, 'utf8');
      if (how === 'overwritten in place with other rows')
        await writeFile(input, [HEADER, ...other].join('\n') + '\n');
      if (how === 'cut short') await writeFile(input, original.slice(0, original.length / 2));
      if (how === 'grown') await writeFile(input, other.join('\n') + '\n', { flag: 'a' });
      const code = await exited;

      expect({ code, stderr: stderr.match(/changed/) !== null }).toEqual({ code: 3, stderr: true });
      const results = await readResults(path.join(dir, 'orders.results.csv'));
      expect(results).toHaveLength(5_000);
      results.forEach((r, i) => {
        expect([r.line, r.customerId, r.poNumber]).toEqual([
          String(i + 2),
          rows[i]!.customerId,
          rows[i]!.value,
        ]);
      });
      const sent = results.filter((r) => r.status !== 'not_attempted');
      expect(sent.length).toBeLessThan(5_000);
      expect(results.slice(sent.length).every((r) => r.status === 'not_attempted')).toBe(true);
      expect(sim.requests.filter((q) => q.body.includes('NEW-'))).toEqual([]);
    },
  );
});

describe('an input file that changes between the check and the run', () => {
  test('a file overwritten after the preflight, before its rows are read again, sends nothing: exit 3', async () => {
    const input = path.join(dir, 'orders.csv');
    await writePoNumbers(input, 5);
    // The token is fetched after the preflight and before the rows are read again: the moment to change it.
    const tokens = createServer((request, response) => {
      void writeFile(input, `${HEADER}\n${randomUUID()},${randomUUID()},NEW-1\n`).then(() => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ access_token: SIM_TOKEN, token_type: 'Bearer', expires_in: 3600 }));
      });
      request.resume();
    });
    await new Promise<void>((resolve) => tokens.listen(0, '127.0.0.1', resolve));
    const { port } = tokens.address() as AddressInfo;
    try {
      const r = await runCli(['po-numbers', input, '--rate', '0'], {
        CLOUDCOCKPIT_TENANT: 'portal.cloudcockpit.com',
        CLOUDCOCKPIT_BASE_URL: sim.url,
        CLOUDCOCKPIT_TOKEN_URL: `http://127.0.0.1:${port}/token`,
        CLOUDCOCKPIT_CLIENT_ID: 'nightly-sync',
        CLOUDCOCKPIT_CLIENT_SECRET: 'secret',
      });
      expect({ code: r.code, api: patches() }).toEqual({ code: 3, api: 0 });
      const stopping = lines(r).filter((l) => l.includes('stopping:'));
      expect(stopping).toHaveLength(1);
      expect(stopping[0]).toMatch(
        /orders\.csv changed while it was being read \(its size went from \d+ to \d+ bytes\)/,
      );
      const results = await readResults(path.join(dir, 'orders.results.csv'));
      expect(results.map((row) => [row.line, row.status, row.poNumber])).toEqual(
        [2, 3, 4, 5, 6].map((line) => [String(line), 'not_attempted', '']),
      );
      expect(results[0]?.errorDescription).toMatch(/input file changed before this row could be read again/);
    } finally {
      tokens.close();
    }
  });
});

describe('a results file given back as input', () => {
  test('is refused before anything is sent, with what to do instead', async () => {
    const input = path.join(dir, 'orders.csv');
    await writeFile(input, `${HEADER}\n${randomUUID()},${randomUUID()},=1+1\n`);
    expect((await runCli(['po-numbers', input, '--rate', '0'], env())).code).toBe(0);
    sim.reset();
    const results = path.join(dir, 'orders.results.csv');
    const r = await runCli(['run', results, '--rate', '0', '--out', path.join(dir, 'again.csv')], env());
    expect({ code: r.code, api: patches() }).toEqual({ code: 2, api: 0 });
    expect(lines(r)).toHaveLength(1);
    expect(lines(r)[0]).toMatch(
      /orders\.results\.csv, line 1: is a results file written by cloudcockpit-bulk/,
    );
    expect(lines(r)[0]).toContain('--resume and --out naming this results file');
  });
});

describe('inputs that cannot be read twice', () => {
  test('a named pipe as FILE is spooled like standard input', async () => {
    const source = path.join(dir, 'source.csv');
    await writePoNumbers(source, 3);
    const fifo = path.join(dir, 'orders.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', `cat '${source}' > '${fifo}'`]);
    const r = await runCli(['po-numbers', fifo, '--rate', '0', '--out', path.join(dir, 'out.csv')], env());
    writer.kill();
    expect({ code: r.code, api: patches(), stderr: r.stderr.match(/ESPIPE|unexpected/) }).toEqual({
      code: 0,
      api: 3,
      stderr: null,
    });
  });

  test('/dev/stdin as FILE is read like -', async () => {
    const source = path.join(dir, 'source.csv');
    await writePoNumbers(source, 3);
    const r = await runCli(
      ['po-numbers', '/dev/stdin', '--rate', '0', '--out', path.join(dir, 'out.csv')],
      env(),
      await readFile(source, 'utf8'),
    );
    expect({ code: r.code, api: patches() }).toEqual({ code: 0, api: 3 });
  });
});

describe('encodings', () => {
  const ids = () => `${randomUUID()},${randomUUID()}`;

  test('a UTF-8 file with one stray Windows-1252 byte is refused, naming the line and column', async () => {
    const input = path.join(dir, 'mixed.csv');
    await writeFile(
      input,
      Buffer.concat([
        Buffer.from(`${HEADER}\n${ids()},Müller\n${ids()},PO-2\n${ids()},Gr`, 'utf8'),
        Buffer.from([0xfc]),
        Buffer.from('n\n', 'utf8'),
      ]),
    );
    const r = await runCli(['po-numbers', input, '--rate', '0'], env());
    expect({ code: r.code, api: patches() }).toEqual({ code: 2, api: 0 });
    expect(lines(r)).toHaveLength(1);
    expect(lines(r)[0]).toMatch(/mixed\.csv.*line 4.*column 3.*--encoding/);
  });

  test('the same file is read as --encoding says', async () => {
    const input = path.join(dir, 'mixed.csv');
    await writeFile(
      input,
      Buffer.concat([Buffer.from(`${HEADER}\n${ids()},Gr`, 'utf8'), Buffer.from([0xfc]), Buffer.from('n\n')]),
    );
    const r = await runCli(['po-numbers', input, '--rate', '0', '--encoding', 'windows-1252'], env());
    expect({ code: r.code, api: patches() }).toEqual({ code: 0, api: 1 });
    expect(sim.requests.find((q) => q.method === 'PATCH')?.body).toBe('"Grün"');
  });

  test('UTF-16 without a byte-order mark gets a hint about --encoding, not "binary data"', async () => {
    const input = path.join(dir, 'utf16.csv');
    await writeFile(input, Buffer.from(`${HEADER}\r\n${ids()},PO-1\r\n`, 'utf16le'));
    const r = await runCli(['po-numbers', input, '--dry-run'], env());
    expect(r.code).toBe(2);
    expect(lines(r)).toHaveLength(1);
    expect(lines(r)[0]).toMatch(/UTF-16.*--encoding utf-16le/);
    expect(r.stderr).not.toMatch(/binary/);
  });

  test('a broken UTF-16 file names the line, and mentions no --encoding that was never given', async () => {
    const input = path.join(dir, 'broken16.csv');
    const good = Buffer.from(`\ufeff${HEADER}\r\n${ids()},PO-1\r\n${ids()},PO-`, 'utf16le');
    await writeFile(
      input,
      Buffer.concat([good, Buffer.from([0x00, 0xd8, 0x41, 0x00]), Buffer.from('\r\n', 'utf16le')]),
    );
    const r = await runCli(['po-numbers', input, '--dry-run'], env());
    expect(r.code).toBe(2);
    expect(lines(r)).toHaveLength(1);
    expect(lines(r)[0]).toMatch(/broken16\.csv.*line 3/);
    expect(lines(r)[0]).not.toMatch(/--encoding utf-16/);
  });
});

describe('rows are numbered as Excel numbers them', () => {
  test('after a cell with a line break and a blank line, the sample says 7, 9 and 10 like Excel', async () => {
    const r = await runCli(
      ['po-numbers', path.join(SAMPLES, 'po-numbers.csv'), '--dry-run', '--out', path.join(dir, 'o.csv')],
      env(),
    );
    expect(r.code).toBe(1);
    const byValue = new Map(
      (await readResults(path.join(dir, 'o.csv'))).map((row) => [row.poNumber, row.line]),
    );
    expect([byValue.get('00017'), byValue.get('PO-OLD-1'), byValue.get('PO-OLD-2')]).toEqual([
      '7',
      '9',
      '10',
    ]);
  });

  test('a resume of results numbered by file line (as before) is refused, not matched to other rows', async () => {
    const out = path.join(dir, 'po.results.csv');
    const args = ['po-numbers', path.join(SAMPLES, 'po-numbers.csv'), '--rate', '0', '--out', out];
    expect((await runCli(args, env())).code).toBe(1);
    // What an earlier version wrote: after the cell with a line break (row 6), one more per row.
    const text = await readFile(out, 'utf8');
    await writeFile(
      out,
      text.replace(/^(\d+),/gm, (all, line: string) => (Number(line) > 6 ? `${Number(line) + 1},` : all)),
    );
    sim.reset();
    const r = await runCli([...args, '--resume'], env());
    expect({ code: r.code, api: patches() }).toEqual({ code: 2, api: 0 });
    const refusals = lines(r).filter((l) => !l.startsWith('info: '));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(
      /numbers rows by their line in the file, as earlier versions of cloudcockpit-bulk did/,
    );
  });

  test('a first line sep=; sets the delimiter', async () => {
    const input = path.join(dir, 'sep.csv');
    await writeFile(
      input,
      `sep=;\r\ncustomerId;subscriptionId;poNumber\r\n${randomUUID()};${randomUUID()};PO-1\r\n`,
    );
    const r = await runCli(['po-numbers', input, '--rate', '0'], env());
    expect({ code: r.code, api: patches() }).toEqual({ code: 0, api: 1 });
    const [row] = await readResults(path.join(dir, 'sep.results.csv'));
    expect(row).toMatchObject({ line: '3', poNumber: 'PO-1', status: 'success' });
  });
});

describe('folders that are scanned', () => {
  test("Excel's own lock files (~$orders.xlsx) in the inbox are left alone", async () => {
    const inbox = path.join(dir, 'inbox');
    await mkdir(inbox);
    await writePoNumbers(path.join(inbox, 'orders.csv'), 2);
    await writeFile(path.join(inbox, '~$orders.xlsx'), Buffer.from('owner-file', 'utf8'));
    const old = new Date(Date.now() - 3600_000);
    const { utimes, readdir } = await import('node:fs/promises');
    for (const name of ['orders.csv', '~$orders.xlsx']) await utimes(path.join(inbox, name), old, old);
    const r = await runCli(['inbox', inbox, '--rate', '0'], env());
    expect({ code: r.code, api: patches() }).toEqual({ code: 0, api: 2 });
    expect(r.stderr).not.toMatch(/~\$orders/);
    expect((await readdir(inbox)).includes('~$orders.xlsx')).toBe(true);
  });
});
