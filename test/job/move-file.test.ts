import { describe, expect, test } from '@jest/globals';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { moveFile } from '../../src/job/move-file.js';
import { tempDir } from '../helpers/files.js';

/** Whether /dev/shm (a tmpfs on Linux) is another filesystem than the temporary folder. */
const secondFilesystem =
  existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(os.tmpdir()).dev ? test : test.skip;

const crossDevice = (): Promise<void> =>
  Promise.reject(Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' }));

describe('moveFile', () => {
  test('renames a file within a filesystem', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.csv'), 'rows\n');
    await moveFile(path.join(dir, 'a.csv'), path.join(dir, 'b.csv'));
    expect(await readdir(dir)).toEqual(['b.csv']);
  });

  secondFilesystem(
    'onto another filesystem (a real one) copies, flushes, renames into place and deletes the source',
    async () => {
      const dir = await tempDir();
      const other = await mkdtemp('/dev/shm/ccb-test-');
      try {
        await writeFile(path.join(dir, 'a.csv'), 'rows\n');
        await moveFile(path.join(dir, 'a.csv'), path.join(other, 'a.csv'));
        expect(await readdir(dir)).toEqual([]);
        expect(await readdir(other)).toEqual(['a.csv']);
        expect(await readFile(path.join(other, 'a.csv'), 'utf8')).toBe('rows\n');
      } finally {
        await rm(other, { recursive: true, force: true });
      }
    },
  );

  test('when the rename says EXDEV, moves by copy whatever the filesystems', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.csv'), 'rows\n');
    await moveFile(path.join(dir, 'a.csv'), path.join(dir, 'b.csv'), crossDevice);
    expect(await readdir(dir)).toEqual(['b.csv']);
    expect(await readFile(path.join(dir, 'b.csv'), 'utf8')).toBe('rows\n');
  });

  test('a copy that fails leaves the source where it was and nothing at the target', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'a.csv'), 'rows\n');
    const target = path.join(dir, 'missing-folder', 'b.csv');
    await expect(moveFile(path.join(dir, 'a.csv'), target, crossDevice)).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual(['a.csv']);
  });

  test('any other rename error is the caller’s to handle', async () => {
    const dir = await tempDir();
    await expect(moveFile(path.join(dir, 'none.csv'), path.join(dir, 'b.csv'))).rejects.toThrow(/ENOENT/);
  });
});
