import { describe, expect, test } from '@jest/globals';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../src/errors.js';
import {
  moveToProcessed,
  moveToRejected,
  openFolders,
  setAsideEarlier,
} from '../../src/job/inbox-folders.js';
import { tempDir } from '../helpers/files.js';

const STAMPED = /^\d{8}-\d{6}(-\d+)?-/;

describe('the inbox folders', () => {
  test('are made when missing, and an inbox that is not a directory is refused', async () => {
    const dir = await tempDir();
    const folders = await openFolders(dir);
    expect(folders).toEqual({
      processed: path.join(dir, 'processed'),
      rejected: path.join(dir, 'rejected'),
      work: path.join(dir, '.work'),
      claimed: path.join(dir, '.work', 'claimed'),
    });
    expect((await readdir(dir)).sort()).toEqual(['.work', 'processed', 'rejected']);
    await writeFile(path.join(dir, 'file.csv'), '');
    await expect(openFolders(path.join(dir, 'file.csv'))).rejects.toThrow('is not a directory');
  });

  test('a folder that cannot be made is refused before any file is taken, naming it', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'processed'), 'a file where the folder should be');
    const refused = openFolders(dir);
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(refused).rejects.toThrow(
      `The inbox folder ${path.join(dir, 'processed')} is not writable (EEXIST); nothing was sent`,
    );
  });

  test('a finished file and its results move to processed/ under one time stamp, never over another', async () => {
    const dir = await tempDir();
    const folders = await openFolders(dir);
    const moves = [];
    for (let i = 0; i < 2; i++) {
      await writeFile(path.join(dir, 'orders.csv'), `input ${i}`);
      await writeFile(path.join(folders.work, 'orders.csv.results.csv'), `results ${i}`);
      moves.push(
        await moveToProcessed(
          folders,
          'orders.csv',
          path.join(dir, 'orders.csv'),
          path.join(folders.work, 'orders.csv.results.csv'),
        ),
      );
    }
    const [first, second] = moves;
    expect(path.basename(first?.movedTo ?? '')).toMatch(STAMPED);
    // Named after the whole file name: orders.csv and orders.xlsx never share a results file.
    expect(first?.results).toBe(`${first?.movedTo}.results.csv`);
    expect(second?.movedTo).not.toBe(first?.movedTo);
    expect(await readFile(second?.movedTo ?? '', 'utf8')).toBe('input 1');
    expect(await readFile(second?.results ?? '', 'utf8')).toBe('results 1');
    expect(await readdir(folders.work)).toEqual(['claimed']);
  });

  test('a rejected file moves to rejected/ with a note saying why and what to do', async () => {
    const dir = await tempDir();
    const folders = await openFolders(dir);
    await writeFile(path.join(dir, 'bad.xlsx'), 'not a workbook');
    const { movedTo, errorFile } = await moveToRejected(
      folders,
      'bad.xlsx',
      path.join(dir, 'bad.xlsx'),
      'bad.xlsx: not a workbook',
    );
    expect(path.dirname(movedTo)).toBe(folders.rejected);
    expect(errorFile).toBe(`${movedTo}.error.txt`);
    expect(await readFile(errorFile, 'utf8')).toBe(
      'bad.xlsx was refused and nothing was sent.\n\nbad.xlsx: not a workbook\n\n' +
        'Fix the file and put it back in the inbox to process it.\n',
    );
  });

  test("an earlier run's results, partial files too, are set aside in processed/ together", async () => {
    const dir = await tempDir();
    const folders = await openFolders(dir);
    for (const name of [
      'orders.csv.results.csv',
      'orders.csv.results.csv.partial-1',
      'orders.xlsx.results.csv',
    ])
      await writeFile(path.join(folders.work, name), name);
    const target = await setAsideEarlier(folders, 'orders.csv');
    expect(path.basename(target)).toMatch(/^\d{8}-\d{6}-orders\.csv\.earlier\.results\.csv$/);
    expect((await readdir(folders.processed)).sort()).toEqual([
      path.basename(target),
      `${path.basename(target)}.partial-1`,
    ]);
    expect((await readdir(folders.work)).sort()).toEqual(['claimed', 'orders.xlsx.results.csv']);
  });
});
