import { describe, expect, test } from '@jest/globals';
import { readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runInbox } from '../../src/job/inbox.js';
import { tempDir } from '../helpers/files.js';

describe('runInbox', () => {
  test("Excel's lock files are left where they are: not run, not rejected, not reported", async () => {
    const dir = await tempDir();
    const old = new Date(Date.now() - 3600_000);
    // Excel writes the lock file while the workbook or sheet is open: some old, some fresh.
    for (const [name, mtime] of [
      ['~$orders.xlsx', old],
      ['~$orders.csv', old],
      ['~$ders.xlsx', new Date()],
    ] as const) {
      await writeFile(path.join(dir, name), Buffer.from([0x0a, 0x4d, 0x61, 0x72, 0x69, 0x65]));
      await utimes(path.join(dir, name), mtime, mtime);
    }
    const reported: string[] = [];
    const summary = await runInbox(dir, {
      settleSeconds: 60,
      options: () => {
        throw new Error('no file should be run');
      },
      report: (line) => reported.push(line),
    });
    expect(summary.exitCode).toBe(0);
    expect(summary.files).toEqual([]);
    expect(reported).toEqual([`inbox ${dir}: no .csv or .xlsx file to process`]);
    expect((await readdir(dir)).sort()).toEqual([
      '.work',
      'processed',
      'rejected',
      '~$ders.xlsx',
      '~$orders.csv',
      '~$orders.xlsx',
    ]);
    expect(await readdir(path.join(dir, 'rejected'))).toEqual([]);
  });
});
