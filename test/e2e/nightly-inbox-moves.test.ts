/**
 * The nightly inbox's moves end to end (issue 15): across filesystems, a name's results kept apart
 * by the whole file name, and stale results of another kind set aside.
 */
import { describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXCEL_FIXTURES } from '../helpers/excel-fixtures.js';
import { readResults, runCli } from '../helpers/cli.js';
import { dir, env, patches, simulatorForEachTest } from '../helpers/e2e.js';
import { tempDir } from '../helpers/files.js';
import { drop, folders, inboxArgs, poFile } from '../helpers/inbox.js';

simulatorForEachTest();

/** Whether /dev/shm (a tmpfs on Linux) is another filesystem than the temporary folder. */
const onSecondFilesystem =
  existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev ? test : test.skip;

describe('the inbox moves', () => {
  onSecondFilesystem(
    'processed/ on another filesystem: every file is moved there (copy, flush, rename, delete)',
    async () => {
      const inbox = await tempDir();
      const elsewhere = await mkdtemp('/dev/shm/ccb-test-');
      try {
        await symlink(elsewhere, path.join(inbox, 'processed'));
        await drop(inbox, 'a.csv', poFile(2, 'PO-A').text);
        await drop(inbox, 'b.csv', poFile(2, 'PO-B').text);
        const run = await runCli(inboxArgs(inbox), env());
        expect(run.stderr).not.toContain('unexpected');
        expect(run.code).toBe(0);
        expect(await folders(inbox)).toEqual({
          waiting: [],
          claimed: [],
          processed: ['a.csv', 'a.csv.results.csv', 'b.csv', 'b.csv.results.csv'],
          rejected: [],
        });
        expect(patches()).toBe(4);
      } finally {
        await rm(elsewhere, { recursive: true, force: true });
      }
    },
  );

  test('a.csv and a.xlsx each keep their own results: every name comes from the whole file name', async () => {
    const inbox = await tempDir();
    const csv = poFile(2, 'PO-CSV');
    await drop(inbox, 'orders.csv', csv.text);
    await drop(inbox, 'orders.xlsx', await readFile(path.join(EXCEL_FIXTURES, 'po-numbers.xlsx')));
    const run = await runCli(inboxArgs(inbox), env());
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('2 processed, 0 rejected, 0 left, 0 waiting; exit 0');
    const { processed } = await folders(inbox);
    expect(processed).toEqual([
      'orders.csv',
      'orders.csv.results.csv',
      'orders.xlsx',
      'orders.xlsx.results.csv',
    ]);
    const results = async (ending: string) => {
      const name = (await readdir(path.join(inbox, 'processed'))).find((n) => n.endsWith(ending)) ?? '';
      return (await readResults(path.join(inbox, 'processed', name))).map((r) => r.poNumber);
    };
    expect(await results('-orders.csv.results.csv')).toEqual(['PO-CSV-0', 'PO-CSV-1']);
    expect(await results('-orders.xlsx.results.csv')).toHaveLength(7);
  });

  test('stale results in .work/ with other columns are set aside; the good file is processed, not rejected', async () => {
    const inbox = await tempDir();
    await mkdir(path.join(inbox, '.work'), { recursive: true });
    // What an earlier orders.csv of the other kind left when its run stopped part-way.
    const stale = path.join(inbox, '.work', 'orders.csv.results.csv');
    const earlier = path.join(dir, 'earlier.csv');
    await writeFile(earlier, `customerId,resellerId,internalIdentifier\n${randomUUID()},,ERP-1\n`);
    expect((await runCli(['internal-identifiers', earlier, '--out', stale, '--rate', '0'], env())).code).toBe(
      0,
    );
    await drop(inbox, 'orders.csv', poFile(2, 'PO-NEW').text);
    const run = await runCli(inboxArgs(inbox), env());
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      "orders.csv: the earlier results .work/orders.csv.results.csv are not this file's (they have other columns): they were moved to processed/",
    );
    expect(await folders(inbox)).toEqual({
      waiting: [],
      claimed: [],
      processed: ['orders.csv', 'orders.csv.earlier.results.csv', 'orders.csv.results.csv'],
      rejected: [],
    });
  });
});
