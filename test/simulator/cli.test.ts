/** The simulator as its own process: the help names every knob, and the read knobs work from flags. */
import { describe, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CUSTOMER, GOOD_HEADERS, SUBSCRIPTION } from './http.js';

const CLI = 'dist/simulator/cli.js';

function requireBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
}

describe('the simulator command line', () => {
  test('--help names the fault and read knobs and the read calls', () => {
    requireBuilt();
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const words of [
      '--not-applied-rate',
      '--hang-after-apply-rate',
      '--late-apply-ms',
      '--read-lag-ms',
      '--seed-values',
      'readFaultPlan',
      'GET /v1/Customers',
    ]) {
      expect(help.stdout).toContain(words);
    }
  });

  test('a bad knob is a usage error naming it', () => {
    requireBuilt();
    const bad = spawnSync(process.execPath, [CLI, '--not-applied-rate', '2'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/notAppliedRate/);
    const missing = spawnSync(process.execPath, [CLI, '--seed-values', '/nonexistent/seed.json'], {
      encoding: 'utf8',
    });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--seed-values/);
  });

  test('--seed-values and --not-applied-rate act on the running process', async () => {
    requireBuilt();
    const dir = mkdtempSync(path.join(tmpdir(), 'sim-cli-'));
    const seed = path.join(dir, 'seed.json');
    writeFileSync(seed, JSON.stringify({ poNumbers: { [`${CUSTOMER}/${SUBSCRIPTION}`]: 'PO-7' } }));
    const child = spawn(process.execPath, [CLI, '--seed-values', seed, '--not-applied-rate', '1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const { url } = JSON.parse(line) as { url: string };
      const target = `${url}/v1/customers/${CUSTOMER}/subscriptions/${SUBSCRIPTION}`;
      const written = await fetch(`${target}/po-number`, {
        method: 'PATCH',
        headers: { ...GOOD_HEADERS, 'content-type': 'application/json' },
        body: '"PO-8"',
      });
      expect(written.status).toBe(204);
      const read = (await (await fetch(target, { headers: GOOD_HEADERS })).json()) as { poNumber: string };
      expect(read.poNumber).toBe('PO-7');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  test('--rate-limit-headers announces the --rate-limit in every answer; an unknown style is a usage error', async () => {
    requireBuilt();
    const bad = spawnSync(process.execPath, [CLI, '--rate-limit-headers', 'draft'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/rateLimitHeaders.*none, ietf, github/);
    const child = spawn(process.execPath, [CLI, '--rate-limit', '7', '--rate-limit-headers', 'github'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const { url } = JSON.parse(line) as { url: string };
      const answer = await fetch(`${url}/v1/customers/${CUSTOMER}/subscriptions/${SUBSCRIPTION}`, {
        headers: GOOD_HEADERS,
      });
      expect(answer.headers.get('x-ratelimit-limit')).toBe('7');
      expect(answer.headers.get('x-ratelimit-remaining')).toBe('6');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
