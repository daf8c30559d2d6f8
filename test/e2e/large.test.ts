/**
 * The foundation's acceptance run: 5,000 rows of each kind against a server answering in 20 ms,
 * at --concurrency 16 --rate 0. Every row succeeds, the results are the input in input order,
 * and every request carries the tenant, the token, a unique correlation id and the exact body.
 * Also: every file in samples/ goes through the real CLI, so the examples never go stale.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { sampleWorld } from '../../src/simulator/world.js';
import { readResults, runCli, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writeInternalIdentifiers, writePoNumbers, type GeneratedRow } from '../helpers/generate.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SAMPLES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../samples');
let sim: Simulator;
let dir: string;

beforeEach(async () => {
  sim = await startSimulator({ latencyMs: 20 });
  dir = await tempDir();
});

afterEach(async () => {
  await sim.close();
});

const env = (): NodeJS.ProcessEnv => simEnv(sim.url);

async function bigRun(
  kind: 'po-numbers' | 'internal-identifiers',
  write: (f: string, n: number) => Promise<GeneratedRow[]>,
) {
  const file = path.join(dir, 'in.csv');
  const generated = await write(file, 5000);
  const out = path.join(dir, 'out.csv');
  const run = await runCli([kind, file, '--concurrency', '16', '--rate', '0', '--out', out], env());
  expect(run.code).toBe(0);
  const rows = await readResults(out);
  expect(rows).toHaveLength(5000);
  expect(rows.every((r) => r.status === 'success' && r.attempts === '1')).toBe(true);
  expect(rows.map((r) => Number(r.line))).toEqual(generated.map((_, i) => i + 2));
  const ids = new Set(rows.map((r) => r.correlationId));
  expect(ids.size).toBe(5000);
  const api = sim.requests.filter((r) => r.method === 'PATCH');
  expect(api).toHaveLength(5000);
  for (const request of api) {
    expect(request.tenant).toBe('portal.cloudcockpit.com');
    expect(request.authorization).toBe('Bearer sim-static-token');
    expect(request.contentType).toBe('application/json');
    expect(request.correlationId).toMatch(UUID);
    expect(ids.has(request.correlationId ?? '')).toBe(true);
  }
  expect(sim.maxInFlight).toBeLessThanOrEqual(16);
  return { rows, generated, api };
}

describe('5,000 rows of each kind at 20 ms, concurrency 16, no rate limit', () => {
  test('PO numbers: all success, input order, exact string bodies', async () => {
    const { rows, generated, api } = await bigRun('po-numbers', writePoNumbers);
    expect(rows.map((r) => r.subscriptionId)).toEqual(generated.map((g) => g.second));
    const bodyByPath = new Map(api.map((r) => [r.path, r.body]));
    generated.forEach((g, i) =>
      expect(bodyByPath.get(`/v1/customers/${g.customerId}/subscriptions/${g.second}/po-number`)).toBe(
        JSON.stringify(`PO-${i}`),
      ),
    );
  });

  test('internal identifiers: all success, input order, bodies with exactly the two keys', async () => {
    const { rows, generated, api } = await bigRun('internal-identifiers', writeInternalIdentifiers);
    expect(rows.map((r) => r.customerId)).toEqual(generated.map((g) => g.customerId));
    const byCorrelation = new Map(api.map((r) => [r.correlationId, r]));
    rows.forEach((row, i) => {
      const request = byCorrelation.get(row.correlationId);
      expect(request?.path).toBe(`/v1/Customers/${generated[i]?.customerId}/internal-identifier`);
      expect(JSON.parse(request?.body ?? '')).toStrictEqual({
        internalIdentifier: `ERP-${i}`,
        resellerId: generated[i]?.second === '' ? null : generated[i]?.second,
      });
    });
  });
});

describe('samples', () => {
  test('every file in samples/ runs through the CLI and ends with exit 0 or 1', async () => {
    sim.configure({ world: sampleWorld(), latencyMs: 0 });
    const files = (await readdir(SAMPLES)).filter((f) => /\.(csv|xlsx)$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const name of files) {
      const out = path.join(dir, `${name}.results.csv`);
      const run = await runCli(['run', path.join(SAMPLES, name), '--out', out, '--rate', '0'], env());
      expect({ name, code: run.code }).toEqual({ name, code: expect.any(Number) });
      expect([0, 1]).toContain(run.code);
      expect((await readResults(out)).length).toBeGreaterThan(0);
    }
  });
});
