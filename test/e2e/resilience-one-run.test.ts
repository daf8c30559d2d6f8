/** One run at a time per results file end to end: the lock held, refused, and taken over from a crashed run. */
import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { BIN, runCli } from '../helpers/cli.js';
import { dir, env, sim, simulatorForEachTest, start, writtenRows } from '../helpers/e2e.js';
import { writePoNumbers } from '../helpers/generate.js';

simulatorForEachTest();

/** A lock on `out` as a crashed run leaves it: this host, a process id that has exited. */
async function writeDeadLock(out: string): Promise<void> {
  const dead = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => dead.on('close', resolve));
  await writeFile(
    `${out}.lock`,
    JSON.stringify({ pid: dead.pid, host: hostname(), started: '2026-01-01T00:00:00Z' }),
  );
}

describe('one run at a time', () => {
  test('a second run onto the same results file exits 2 while the first is alive', async () => {
    sim.configure({ latencyMs: 200 });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 40);
    const out = path.join(dir, 'out.csv');
    const first = start(['po-numbers', file, '--out', out, '--rate', '0', '--concurrency', '2']);
    while ((await writtenRows(out)) < 1) await sleep(20);
    const second = await runCli(['po-numbers', file, '--out', out, '--resume'], env());
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`is being written by another run (pid ${first.child.pid}`);
    expect((await first.done).code).toBe(0);
  });

  test('a lock left by a dead process is taken over', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 3);
    const out = path.join(dir, 'out.csv');
    await writeDeadLock(out);
    const run = await runCli(['po-numbers', file, '--out', out], env());
    expect(run.code).toBe(0);
    await expect(stat(`${out}.lock`)).rejects.toThrow();
  });

  test('of several runs finding the same dead lock at the same moment, exactly one takes it over', async () => {
    const out = path.join(dir, 'out.csv');
    await writeDeadLock(out);
    // Eight processes load the lock code and say so, then wait for this test's word to try the
    // lock at once; whoever gets it holds it until all have answered. Nothing depends on how fast
    // they start. Without the takeover guard, 3 to 7 of 8 got it.
    const lockModule = pathToFileURL(path.join(path.dirname(BIN), 'results', 'lock.js')).href;
    const script = `
      const { acquireLock } = await import(${JSON.stringify(lockModule)});
      const lines = (await import('node:readline')).createInterface({ input: process.stdin });
      const said = lines[Symbol.asyncIterator]();
      process.stdout.write('ready\\n');
      await said.next(); // go
      try {
        const lock = await acquireLock(${JSON.stringify(out)});
        process.stdout.write('took\\n');
        await said.next(); // everyone has answered
        await lock.release();
      } catch (error) {
        process.stdout.write((error.message.includes('being written by another run') ? 'refused' : error.message) + '\\n');
      }
      lines.close();`;
    const children = Array.from({ length: 8 }, () => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
      child.stdin.on('error', () => undefined); // one that was refused may have exited already
      const lines: string[] = [];
      const waiters: (() => void)[] = [];
      let buffer = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        buffer += d;
        const parts = buffer.split('\n');
        buffer = parts.pop() ?? '';
        lines.push(...parts);
        waiters.splice(0).forEach((wake) => wake());
      });
      child.stdout.on('end', () => waiters.splice(0).forEach((wake) => wake()));
      const line = async (n: number): Promise<string | undefined> => {
        while (lines.length <= n && child.exitCode === null && !child.stdout.readableEnded)
          await new Promise<void>((resolve) => waiters.push(resolve));
        return lines[n];
      };
      const closed = new Promise((resolve) => child.on('close', resolve));
      return { child, line, closed };
    });
    for (const c of children) expect(await c.line(0)).toBe('ready');
    for (const c of children) c.child.stdin.write('go\n');
    const outcomes = await Promise.all(children.map(async (c) => (await c.line(1)) ?? ''));
    for (const c of children) c.child.stdin.end('done\n');
    await Promise.all(children.map((c) => c.closed));
    expect(outcomes.sort()).toEqual([
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'took',
    ]);
    await expect(stat(`${out}.lock`)).rejects.toThrow();
    await expect(stat(`${out}.lock.takeover`)).rejects.toThrow();
  });
});
