/** Which file the input is and what state it is in, and the watch that tells a run it changed. */
import { describe, expect, test } from '@jest/globals';
import { appendFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { identityChange, identityOf, watchInput } from '../../src/input/file-identity.js';
import { tempDir } from '../helpers/files.js';

async function identityNow(file: string) {
  return identityOf(await stat(file, { bigint: true }));
}

describe('identityChange', () => {
  test('says how a file differs: another file, another size, written again; nothing if it does not', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'in.csv');
    await writeFile(file, 'a,b\n');
    const before = await identityNow(file);
    expect(identityChange(before, before)).toBeUndefined();
    expect(identityChange(before, { ...before, mtimeNs: before.mtimeNs + 1_000_000n })).toMatch(
      /^it was written again at \d{4}-\d\d-\d\dT/,
    );
    expect(identityChange(before, { ...before, size: 9n })).toBe('its size went from 4 to 9 bytes');
    expect(identityChange(before, { ...before, ino: before.ino + 1n })).toBe(
      'it was replaced by another file',
    );
  });
});

describe('watchInput', () => {
  test('tells once that the file changed, and nothing after it is stopped', async () => {
    const file = path.join(await tempDir(), 'in.csv');
    await writeFile(file, 'a,b\n');
    const identity = await identityNow(file);
    const seen: string[] = [];
    const stop = watchInput(file, identity, (how) => seen.push(how), 10);
    await new Promise((r) => setTimeout(r, 40));
    expect(seen).toEqual([]);
    await appendFile(file, 'c,d\n');
    await new Promise((r) => setTimeout(r, 60));
    stop();
    expect(seen).toEqual(['its size went from 4 to 8 bytes']);
  });

  test('a file removed counts as changed', async () => {
    const file = path.join(await tempDir(), 'in.csv');
    await writeFile(file, 'a,b\n');
    const identity = await identityNow(file);
    const seen: string[] = [];
    const stop = watchInput(file, identity, (how) => seen.push(how), 10);
    await rename(file, `${file}.moved`);
    await new Promise((r) => setTimeout(r, 60));
    stop();
    expect(seen).toEqual(['it cannot be found any more (ENOENT)']);
  });
});
