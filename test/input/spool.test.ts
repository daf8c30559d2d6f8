/** What cannot be read twice is copied first: standard input, named pipes, devices. */
import { describe, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { spool, spoolUnlessFile } from '../../src/input/spool.js';
import { tempDir } from '../helpers/files.js';

describe('spool', () => {
  test('copies a stream to a private file, removed again', async () => {
    const copy = await spool(Readable.from([Buffer.from('a,b\n')]));
    expect(await readFile(copy.path, 'utf8')).toBe('a,b\n');
    expect((await stat(copy.path)).mode & 0o777).toBe(0o600);
    await copy.remove();
    await expect(stat(copy.path)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('spoolUnlessFile', () => {
  test('a regular file, a folder or a missing path is read as it is', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'in.csv');
    await writeFile(file, 'a\n');
    const stdin = Readable.from([]);
    for (const name of [file, dir, path.join(dir, 'missing.csv')])
      expect(await spoolUnlessFile(name, stdin, name)).toBeUndefined();
  });

  test('-, /dev/stdin and a named pipe are copied', async () => {
    for (const name of ['-', '/dev/stdin', '/dev/fd/0']) {
      const copy = await spoolUnlessFile(name, Readable.from([Buffer.from('from stdin\n')]), name);
      expect(await readFile(copy!.path, 'utf8')).toBe('from stdin\n');
      await copy!.remove();
    }
    const fifo = path.join(await tempDir(), 'in.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', `printf 'through a pipe\\n' > '${fifo}'`]);
    const copy = await spoolUnlessFile(fifo, Readable.from([]), fifo);
    writer.kill();
    expect(await readFile(copy!.path, 'utf8')).toBe('through a pipe\n');
    await copy!.remove();
  });
});
