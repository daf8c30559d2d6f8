import { describe, expect, jest, test } from '@jest/globals';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OutputError } from '../../src/errors.js';
import { acquireLock } from '../../src/results/lock.js';
import { ownerHere, STALE_MS } from '../../src/results/lock-owner.js';
import { tempDir } from '../helpers/files.js';

describe('acquireLock', () => {
  test('takes a free lock, holding this process, and releases it', async () => {
    const out = path.join(await tempDir(), 'r.csv');
    const lock = await acquireLock(out);
    expect(lock.path).toBe(`${out}.lock`);
    expect(JSON.parse(await readFile(lock.path, 'utf8'))).toMatchObject({
      pid: process.pid,
      host: os.hostname(),
    });
    expect(lock.tookOver).toBe(false);
    await lock.release();
    await expect(readFile(lock.path)).rejects.toThrow();
  });

  test('refuses a lock held by a live run, naming it', async () => {
    const out = path.join(await tempDir(), 'r.csv');
    // The parent of this process is alive and is not this process.
    await writeFile(
      `${out}.lock`,
      JSON.stringify({ pid: process.ppid, host: os.hostname(), started: 'then' }),
    );
    await expect(acquireLock(out)).rejects.toThrow(
      `${out} is being written by another run (pid ${process.ppid}, since then)`,
    );
  });

  test('a folder where the lock cannot be made is named, with --out as the way out', async () => {
    const out = path.join(await tempDir(), 'gone', 'r.csv');
    const refused = acquireLock(out);
    await expect(refused).rejects.toThrow(OutputError);
    await expect(refused).rejects.toThrow(
      `Cannot create the lock file ${out}.lock: the folder ${path.dirname(out)} does not exist (ENOENT); ` +
        'nothing was sent. Create it, or write the results elsewhere with --out',
    );
  });

  /** Write a lock for `out` as another run would, `ageMs` after its last refresh. */
  async function lockAs(out: string, owner: object, ageMs = 0): Promise<void> {
    await writeFile(`${out}.lock`, JSON.stringify(owner));
    const at = new Date(Date.now() - ageMs);
    await utimes(`${out}.lock`, at, at);
  }

  test('a lock whose process id now belongs to another process is taken over, and the takeover logged', async () => {
    const out = path.join(await tempDir(), 'r.csv');
    // The parent of this process is alive, but it is not the process that took this lock.
    await lockAs(out, { ...ownerHere(), pid: process.ppid, startTicks: '1', started: 'last night' });
    const said: string[] = [];
    const lock = await acquireLock(out, (line) => said.push(line));
    expect(JSON.parse(await readFile(lock.path, 'utf8'))).toMatchObject({ pid: process.pid });
    // The run that left it ended without releasing it: its results may be cut short.
    expect(lock.tookOver).toBe(true);
    expect(said).toEqual([
      `took over the lock ${out}.lock (held by pid ${process.ppid} on ${os.hostname()} since last night): ` +
        `process id ${process.ppid} now belongs to another process`,
    ]);
    await lock.release();
  });

  test("last night's lock of a container started afresh under a new name is taken over", async () => {
    const out = path.join(await tempDir(), 'r.csv');
    await lockAs(
      out,
      { ...ownerHere(), host: 'c0ffee1234ab', pid: process.pid, startTicks: '1' },
      20 * 3600_000,
    );
    const lock = await acquireLock(out);
    expect(JSON.parse(await readFile(lock.path, 'utf8'))).toMatchObject({ host: os.hostname() });
    await lock.release();
  });

  test('a lock of a machine restarted since is taken over; one of a live run refreshing it elsewhere is not', async () => {
    const out = path.join(await tempDir(), 'r.csv');
    await lockAs(out, { ...ownerHere(), bootId: 'an-earlier-boot', pid: process.ppid });
    const said: string[] = [];
    await (await acquireLock(out, (line) => said.push(line))).release();
    expect(said[0]).toMatch(/: this machine has restarted since$/);

    await lockAs(
      out,
      { ...ownerHere(), bootId: 'another-boot', host: 'backup-node', started: 'then' },
      40_000,
    );
    await expect(acquireLock(out)).rejects.toThrow(
      `${out} is locked by a run on another machine (backup-node, pid ${process.pid}, since then); ` +
        `it was refreshed 40 s ago. If that run is over, delete ${out}.lock`,
    );
    await lockAs(out, { ...ownerHere(), bootId: 'another-boot', host: 'backup-node' }, STALE_MS + 60_000);
    await (await acquireLock(out)).release();
  });

  test('a run in another container of this machine keeps its lock while it refreshes it', async () => {
    const out = path.join(await tempDir(), 'r.csv');
    const neighbour = { ...ownerHere(), pidNamespace: 'pid:[1]', pid: 7, started: 'then' };
    await lockAs(out, neighbour, 1000);
    await expect(acquireLock(out)).rejects.toThrow(
      `${out} is being written by another run (pid 7 in another container on this machine, since then)`,
    );
    await lockAs(out, neighbour, STALE_MS + 1000);
    await (await acquireLock(out)).release();
  });

  test('releasing leaves a lock another run has taken over since, and says so', async () => {
    const out = path.join(await tempDir(), 'r.csv');
    const said: string[] = [];
    const lock = await acquireLock(out, (line) => said.push(line));
    const theirs = JSON.stringify({ ...ownerHere(), pid: process.ppid });
    await writeFile(lock.path, theirs);
    await lock.release();
    expect(await readFile(lock.path, 'utf8')).toBe(theirs);
    expect(said).toEqual([
      `the lock ${out}.lock is no longer this run's (another run took it over): it is left in place`,
    ]);
  });

  test('a held lock is refreshed, so runs that cannot look its process up see it alive', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance', 'Date'] });
    try {
      const out = path.join(await tempDir(), 'r.csv');
      const lock = await acquireLock(out);
      const old = new Date(Date.now() - 3600_000);
      await utimes(lock.path, old, old);
      jest.advanceTimersByTime(30_000);
      jest.useRealTimers();
      for (let i = 0; i < 50 && Date.now() - (await stat(lock.path)).mtimeMs > 60_000; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(Date.now() - (await stat(lock.path)).mtimeMs).toBeLessThan(60_000);
      await lock.release();
    } finally {
      jest.useRealTimers();
    }
  });
});
