import { describe, expect, test } from '@jest/globals';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { resolveOptions } from '../../src/cli/resolve-options.js';
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

  test('a file an earlier run claimed goes first; one of the same name dropped since follows it', async () => {
    const dir = await tempDir();
    const rows = (po: string) =>
      `customerId,subscriptionId,poNumber\n3fa85f64-5717-4562-b3fc-2c963f66afa6,1b4e28ba-2fa1-11d2-883f-0016d3cca427,${po}\n`;
    await mkdir(path.join(dir, '.work', 'claimed'), { recursive: true });
    await writeFile(path.join(dir, '.work', 'claimed', 'orders.csv'), rows('PO-EARLIER'));
    await writeFile(path.join(dir, 'orders.csv'), rows('PO-LATER'));
    const old = new Date(Date.now() - 3600_000);
    await utimes(path.join(dir, 'orders.csv'), old, old);
    const run = () =>
      runInbox(
        dir,
        {
          settleSeconds: 0,
          options: (file, out) => resolveOptions('run', file, { out, 'dry-run': true, progress: false }, {}),
          report: () => undefined,
        },
        { stderr: new Writable({ write: (_chunk, _encoding, done) => done() }) },
      );
    const first = await run();
    expect(first.files.map((f) => [f.name, f.outcome])).toEqual([
      ['orders.csv', 'processed'],
      ['orders.csv', 'processed'],
    ]);
    const [earlier, later] = first.files.map((f) => f.movedTo ?? '');
    expect(await readFile(earlier ?? '', 'utf8')).toContain('PO-EARLIER');
    expect(await readFile(later ?? '', 'utf8')).toContain('PO-LATER');
  });
});
