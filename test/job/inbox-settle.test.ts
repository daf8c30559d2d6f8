import { describe, expect, test } from '@jest/globals';
import { utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lookAt, lookGapMs, notSettled, waitForSecondLook, type Look } from '../../src/job/inbox-settle.js';
import { tempDir } from '../helpers/files.js';

/** A file `name` holding `content`, last modified an hour ago, and a look at it. */
async function oldFile(name: string, content: string | Buffer): Promise<{ file: string; look: Look }> {
  const file = path.join(await tempDir(), name);
  await writeFile(file, content);
  const old = new Date(Date.now() - 3600_000);
  await utimes(file, old, old);
  return { file, look: (await lookAt(file)) as Look };
}

describe('whether an inbox file is whole', () => {
  test('the two looks are the settle time apart, at most 5 s', () => {
    expect(lookGapMs(0.5)).toBe(500);
    expect(lookGapMs(60)).toBe(5000);
    expect(lookGapMs(0)).toBe(0);
  });

  test('an old file that did not change between the looks and ends with a line break is taken', async () => {
    const { file, look } = await oldFile('a.csv', 'customerId,subscriptionId,poNumber\r\n1,2,3\r\n');
    expect(await notSettled(file, look, { ...look, at: look.at + 1000 }, 60)).toBeUndefined();
  });

  test('a file modified within the settle time waits', async () => {
    const { file, look } = await oldFile('a.csv', 'x\n');
    const fresh = { ...look, mtimeMs: look.at - 20_000 };
    expect(await notSettled(file, fresh, fresh, 60)).toBe('modified 20 s ago; left for the next run');
  });

  test('an old file whose size changed between the looks is still being copied, and waits', async () => {
    const { file, look } = await oldFile('a.csv', 'x\n');
    const later = { ...look, size: look.size + 100, at: look.at + 2000 };
    expect(await notSettled(file, look, later, 60)).toBe(
      `changed between two looks 2.0 s apart (${look.size} then ${look.size + 100} bytes): it is still being written; left for the next run`,
    );
    // Replaced by another file of the same size and time: not the file first seen.
    expect(await notSettled(file, look, { ...look, ino: look.ino + 1 }, 60)).toMatch(/^changed between/);
  });

  test('a CSV without a final line break (or empty) waits; a workbook needs none', async () => {
    const cut = await oldFile('a.csv', 'customerId,subscriptionId,poNumber\n1,2,PO-2026');
    expect(await notSettled(cut.file, cut.look, cut.look, 1)).toMatch(/^does not end with a line break/);
    const empty = await oldFile('b.csv', '');
    expect(await notSettled(empty.file, empty.look, empty.look, 1)).toMatch(
      /^does not end with a line break/,
    );
    const mac = await oldFile('c.CSV', 'a\rb\r');
    expect(await notSettled(mac.file, mac.look, mac.look, 1)).toBeUndefined();
    const workbook = await oldFile('d.xlsx', Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    expect(await notSettled(workbook.file, workbook.look, workbook.look, 1)).toBeUndefined();
  });

  test('a UTF-16 CSV ends with a line break in either byte order', async () => {
    const le = await oldFile('le.csv', Buffer.from('a\tb\r\n', 'utf16le'));
    expect(await notSettled(le.file, le.look, le.look, 1)).toBeUndefined();
    const be = await oldFile('be.csv', Buffer.from('a\tb\n', 'utf16le').swap16());
    expect(await notSettled(be.file, be.look, be.look, 1)).toBeUndefined();
    const cut = await oldFile('cut.csv', Buffer.from('a\tb', 'utf16le'));
    expect(await notSettled(cut.file, cut.look, cut.look, 1)).toMatch(/^does not end with a line break/);
  });

  test('the wait for the second look ends early when the run is stopped', async () => {
    const stop = new AbortController();
    // A gap of ten minutes, far past jest's timeout: a wait the stop did not end fails the test by
    // timing out, however loaded the machine (it was: less than 1 s for a 10 s gap).
    let ended = false;
    const waiting = waitForSecondLook(Date.now(), 600_000, stop.signal).then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ended).toBe(false);
    stop.abort('SIGTERM');
    await waiting;
    expect(ended).toBe(true);
  });
});
