/**
 * Runs from the page's server: the same results file as the CLI for the same input, a cancel that
 * ends the run as SIGTERM ends the CLI's, one run at a time, the CLI's lock respected, and no
 * credential in any answer.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { acquireLock } from '../../src/results/lock.js';
import type { Snapshot } from '../../src/server/live.js';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { workbookRows } from '../helpers/zip.js';
import { runCli, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { until, type PageClient } from '../helpers/web.js';
import { SIM_CLIENT_SECRET, setUp, type Setup } from './server-setup.js';

let setup: Setup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

/** A PO-number file of `valid` good rows and, every fifth row, an invalid one. */
function poFile(valid: number): string {
  const rows = Array.from({ length: valid }, (_, i) =>
    i % 5 === 4 ? `${randomUUID()},not-a-uuid,PO-${i}` : `${randomUUID()},${randomUUID()},PO-${i}`,
  );
  return (
    ['Customer ID,Subscription ID,PO Number,Note', ...rows.map((r) => `${r},note ${r.length}`)].join('\r\n') +
    '\r\n'
  );
}

/** Upload `content`, run it, and resolve to the run's id. */
async function uploadAndRun(client: PageClient, content: string, name = 'orders.csv'): Promise<string> {
  const report = (await (await client.upload(name, content)).json()) as { id: string };
  const started = await client.post('/api/runs', { id: report.id });
  expect(started.status).toBe(202);
  return report.id;
}

/** Wait for run `id` to end; resolves to its last snapshot. */
async function ended(client: PageClient, id: string): Promise<Snapshot> {
  let snapshot: Snapshot | undefined;
  await until(async () => {
    snapshot = (await (await client.get(`/api/runs/${id}`)).json()) as Snapshot;
    return snapshot.summary !== undefined;
  }, 60_000);
  return snapshot as Snapshot;
}

/** A results file's rows without the correlation ids (fresh per run). */
function comparable(text: string): Record<string, string>[] {
  const rows = parse(text, { columns: true, bom: true }) as Record<string, string>[];
  return rows.map(({ correlationId: _ignored, ...rest }) => rest);
}

describe('a run from the page', () => {
  test('writes the results file the CLI writes for the same input, and the rows to fix in the input’s columns', async () => {
    setup = await setUp();
    const content = poFile(40);
    const id = await uploadAndRun(setup.client, content);
    const snapshot = await ended(setup.client, id);
    expect(snapshot.summary).toMatchObject({ exitCode: 1, counts: { success: 32, invalid: 8 } });
    const fromPage = await (await setup.client.get(`/api/runs/${id}/results.csv`)).text();
    const dir = await tempDir();
    const input = path.join(dir, 'orders.csv');
    await writeFile(input, content);
    const cli = await runCli(['run', input, '--rate', '0'], simEnv(setup.sim.url));
    expect(cli.code).toBe(1);
    const fromCli = await readFile(path.join(dir, 'orders.results.csv'), 'utf8');
    expect(comparable(fromPage)).toEqual(comparable(fromCli));
    const attention = await setup.client.get(`/api/runs/${id}/attention.xlsx`);
    expect(attention.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const [header, ...fix] = (await workbookRows(Buffer.from(await attention.arrayBuffer()))).ours;
    expect(header).toEqual(['Customer ID', 'Subscription ID', 'PO Number', 'Note']);
    expect(fix.map((r) => r[1])).toEqual(Array(8).fill('not-a-uuid'));
  });

  test('cancel ends it as SIGTERM ends the CLI’s: rows in flight finish, the rest are not_attempted', async () => {
    setup = await setUp({ flags: { rate: 20, concurrency: 2 } });
    const id = await uploadAndRun(setup.client, poFile(400).replace(/not-a-uuid/g, randomUUID()));
    const client = setup.client;
    await until(
      async () => ((await (await client.get(`/api/runs/${id}`)).json()) as { done: number }).done > 0,
    );
    expect((await client.post(`/api/runs/${id}/cancel`)).status).toBe(202);
    const snapshot = await ended(client, id);
    expect(snapshot.summary).toMatchObject({ exitCode: 143, cancelled: true, counts: { failed: 0 } });
    expect(snapshot.summary?.counts.not_attempted).toBeGreaterThan(0);
    const rows = comparable(await (await client.get(`/api/runs/${id}/results.csv`)).text());
    expect(rows).toHaveLength(400);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['success', 'not_attempted']));
    const past = (await (await client.get('/api/runs')).json()) as {
      runs: { id: string; resumable: boolean }[];
    };
    expect(past.runs.find((r) => r.id === id)?.resumable).toBe(true);
  });

  test('a second run is refused while one goes', async () => {
    setup = await setUp({ flags: { rate: 20 } });
    const first = await uploadAndRun(setup.client, poFile(200));
    const second = (await (await setup.client.upload('other.csv', poFile(5))).json()) as { id: string };
    const refused = await setup.client.post('/api/runs', { id: second.id });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toMatch(/"orders\.csv" is running/);
    await setup.client.post(`/api/runs/${first}/cancel`);
    await ended(setup.client, first);
  });

  test('a run whose results file a CLI run holds is refused by the same lock, and nothing is sent', async () => {
    setup = await setUp();
    const report = (await (await setup.client.upload('orders.csv', poFile(5))).json()) as { id: string };
    const results = path.join(setup.dataDir, 'jobs', report.id, 'results.csv');
    // The lock a CLI run writing that file holds: taken here, by the CLI's own code.
    const lock = await acquireLock(results);
    try {
      const before = setup.sim.counters.api;
      await setup.client.post('/api/runs', { id: report.id });
      const snapshot = await ended(setup.client, report.id);
      expect(snapshot.summary?.exitCode).toBe(2);
      expect(snapshot.summary?.stoppedBecause).toMatch(/being written by another run/);
      expect(setup.sim.counters.api).toBe(before);
    } finally {
      await lock.release();
    }
  });

  test('no answer carries the client secret or a token, whatever was asked', async () => {
    setup = await setUp({ credentials: true });
    const id = await uploadAndRun(setup.client, poFile(10));
    await ended(setup.client, id);
    const paths = [
      '/api/config',
      '/api/runs',
      `/api/runs/${id}`,
      `/api/runs/${id}/events`,
      `/api/runs/${id}/results.csv`,
      '/',
    ];
    expect(setup.sim.issuedTokens).toBeGreaterThan(0);
    for (const p of paths) {
      const text = await (await setup.client.get(p)).text();
      expect([p, text.includes(SIM_CLIENT_SECRET), /eyJ[A-Za-z0-9_-]{6,}/.test(text)]).toEqual([
        p,
        false,
        false,
      ]);
    }
  });
});
