import { describe, expect, test } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OutputError } from '../../src/errors.js';
import { acquireLock } from '../../src/results/lock.js';
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
});
