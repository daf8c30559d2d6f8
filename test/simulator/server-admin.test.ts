/** The simulator's configuration checks, its /_sim admin endpoints, and the standalone process. */
import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { startSimulator } from '../../src/simulator/server.js';
import { SAMPLE_WORLD } from '../../src/simulator/world.js';
import { patch, poNumberUrl, start } from './http.js';

describe('configuration and admin endpoints', () => {
  test('configure() rejects a bad option with a message naming it', async () => {
    const s = await start();
    expect(() => s.configure({ failureRate: 2 })).toThrow(
      'Expected `failureRate` to be a number from 0 to 1',
    );
    await expect(startSimulator({ rateLimit: -1 })).rejects.toThrow('`rateLimit`');
  });

  test('GET /_sim/stats reports counters and admin calls are not counted', async () => {
    const s = await start();
    await patch(poNumberUrl(s), '"PO-1"');
    const stats = (await (await fetch(`${s.url}/_sim/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ api: 1, byStatus: { 204: 1 }, maxInFlight: 1, maxConcurrentPerKey: 1 });
    expect(s.counters.api).toBe(1);
  });

  test('POST /_sim/config applies options and refuses bad ones', async () => {
    const s = await start();
    const applied = await fetch(`${s.url}/_sim/config`, { method: 'POST', body: '{"failureRate":1}' });
    expect(applied.status).toBe(200);
    expect((await patch(poNumberUrl(s), '"PO-1"')).status).toBe(500);
    const refused = await fetch(`${s.url}/_sim/config`, { method: 'POST', body: '{"dropRate":"often"}' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/dropRate/);
  });

  test('POST /_sim/reset clears counters and stored values but keeps the options', async () => {
    const s = await start({ latencyMs: 1 });
    await patch(poNumberUrl(s), '"PO-1"');
    expect((await fetch(`${s.url}/_sim/reset`, { method: 'POST' })).status).toBe(204);
    expect(s.counters.api).toBe(0);
    expect(s.poNumbers.size).toBe(0);
    expect(s.requests).toHaveLength(0);
    expect(s.options.latencyMs).toBe(1);
  });
});

describe('the standalone process', () => {
  test('prints its URLs as one JSON line, serves admin calls, and exits 0 on SIGTERM', async () => {
    const cli = 'dist/simulator/cli.js';
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
    const child = spawn(process.execPath, [cli, '--world', 'sample', '--rate-limit', '1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const { url, tokenUrl } = JSON.parse(line) as { url: string; tokenUrl: string };
      expect(tokenUrl).toBe(`${url}/4e806121-ff28-4286-ab4e-3be0a08f9ce0/oauth2/v2.0/token`);
      const { contoso } = SAMPLE_WORLD.customers;
      const target = `${url}/v1/customers/${contoso.id}/subscriptions/${contoso.subscriptions.azurePlan}/po-number`;
      const statuses = [(await patch(target, '"PO-1"')).status, (await patch(target, '"PO-2"')).status];
      expect(statuses).toEqual([204, 429]);
      const stats = (await (await fetch(`${url}/_sim/stats`)).json()) as { api: number };
      expect(stats.api).toBe(2);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
