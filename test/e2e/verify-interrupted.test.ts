/**
 * A stop during `--verify`'s read-back: a row whose write was answered 204 but not yet read back is
 * not known to be applied, so it must not be written `success` (which `--resume` keeps for good).
 * The writes are answered 204 and never stored (the fault plan's `not-applied`), so every read-back
 * keeps reading the old value and is still going when the signal comes; the signal is sent once
 * the simulator has received the PATCHes, never after a fixed sleep.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { BIN, cleanEnv, readResults, runCli, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';

let sim: Simulator;
let dir: string;

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  await sim.close();
});

/** `count` distinct subscriptions of an open world (every well-formed id exists there). */
function keys(count: number): string[] {
  const id = (c: string, i: number): string => `${c.repeat(8)}-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return Array.from({ length: count }, (_, i) => `${id('c', i)},${id('d', i)}`);
}

/** Resolves once `ready()` holds, asking the simulator again every few milliseconds. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await sleep(10);
}

describe('a signal during the read-back of --verify', () => {
  test('rows whose read-back was cut short are not success, and --resume sends them again', async () => {
    sim = await startSimulator({
      faultPlan: { seed: 1, share: 1, maxPerTarget: 1, kinds: ['not-applied'] },
    });
    const all = keys(10);
    const file = path.join(dir, 'a.csv');
    const out = path.join(dir, 'r.csv');
    await writeFile(
      file,
      ['customerId,subscriptionId,poNumber', ...all.map((k, i) => `${k},PO-${i}`)].join('\r\n') + '\r\n',
    );
    const args = ['po-numbers', file, '--verify', '--out', out, '--rate', '0', '--concurrency', '4'];
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(simEnv(sim.url)), stdio: 'pipe' });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Four rows at once: their four writes were answered 204, and their read-backs are under way.
    await until(() => (sim.counters.byMethod.PATCH ?? 0) >= 4);
    child.kill('SIGTERM');
    expect(await exited).not.toBe(0);
    expect(sim.counters.byMethod.PATCH).toBe(4);
    expect(sim.poNumbers.size).toBe(0);
    const rows = await readResults(out);
    expect(rows).toHaveLength(10);
    expect(rows.filter((r) => r.status === 'success')).toEqual([]);
    const cut = rows.filter((r) => r.status === 'failed');
    expect(cut).toHaveLength(4);
    for (const r of cut) {
      expect(r).toMatchObject({ httpStatus: '204', errorType: 'VerifyInterrupted' });
      expect(r.errorDescription).toMatch(/not known whether it was applied/);
    }
    expect(stderr).toMatch(/interrupted/);

    // Those writes were not applied: a resume sends those rows again, and this time they land (the
    // six rows not sent before get their one unapplied write now, and are found out by the read-back).
    const resumed = await runCli([...args, '--resume'], simEnv(sim.url));
    expect(resumed.code).toBe(1);
    const after = await readResults(out);
    const cutLines = new Set(cut.map((r) => r.line));
    for (const r of after) {
      if (cutLines.has(r.line)) expect(r).toMatchObject({ status: 'success', errorType: '' });
      else expect(r).toMatchObject({ status: 'failed', errorType: 'NotApplied' });
    }
    expect(sim.poNumbers.size).toBe(4);
  });
});
