import { describe, expect, test } from '@jest/globals';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { resolveOptions } from '../../src/cli/resolve-options.js';
import { processClaimed, type Inbox, type ReportLevel } from '../../src/job/inbox-file.js';
import { openFolders, workResults } from '../../src/job/inbox-folders.js';
import { tempDir } from '../helpers/files.js';

const GOOD =
  'customerId,subscriptionId,poNumber\n3fa85f64-5717-4562-b3fc-2c963f66afa6,1b4e28ba-2fa1-11d2-883f-0016d3cca427,PO-1\n';

const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

/** An inbox whose files are dry runs (nothing to send, no server), and the lines it reported. */
async function dryInbox(): Promise<{ box: Inbox; said: [string, ReportLevel | undefined][] }> {
  const dir = await tempDir();
  const said: [string, ReportLevel | undefined][] = [];
  const box: Inbox = {
    dir,
    folders: await openFolders(dir),
    settings: {
      settleSeconds: 0,
      options: (file, out) => ({
        ...resolveOptions('run', file, { out, 'dry-run': true, progress: false }, {}),
        resume: true,
      }),
      report: (line, level) => said.push([line, level]),
    },
    io: { stderr: quiet },
  };
  return { box, said };
}

/** Put `content` in the inbox's claimed folder as `name`; returns its path. */
async function claimed(box: Inbox, name: string, content: string): Promise<string> {
  const file = path.join(box.folders.claimed, name);
  await writeFile(file, content);
  return file;
}

describe('one claimed file of the inbox', () => {
  test('once run, goes to processed/ with its results, and its summary says where they are now', async () => {
    const { box } = await dryInbox();
    const taken = await processClaimed(box, 'orders.csv', await claimed(box, 'orders.csv', GOOD));
    expect(taken.stopAll).toBeUndefined();
    expect(taken.file).toMatchObject({ name: 'orders.csv', outcome: 'processed', exitCode: 0 });
    expect(taken.file.results).toBe(`${taken.file.movedTo}.results.csv`);
    expect(taken.file.summary?.resultsPath).toBe(taken.file.results);
    expect(await readFile(taken.file.movedTo ?? '', 'utf8')).toBe(GOOD);
    expect(await readdir(box.folders.claimed)).toEqual([]);
  });

  test('whose move fails stays claimed for the next run, exit 3, said at error level; the inbox goes on', async () => {
    const { box, said } = await dryInbox();
    const broken: Inbox = { ...box, folders: { ...box.folders, processed: path.join(box.dir, 'gone') } };
    const taken = await processClaimed(broken, 'orders.csv', await claimed(box, 'orders.csv', GOOD));
    expect(taken.stopAll).toBeUndefined();
    expect(taken.file).toMatchObject({ outcome: 'left', exitCode: 3 });
    expect(taken.file.message).toBe(
      'its rows were sent, but it could not be moved to processed/ (ENOENT): it stays in .work/claimed/orders.csv and is moved by the next run',
    );
    expect(said).toEqual([[`orders.csv: ${taken.file.message}`, 'error']]);
    expect(await readdir(box.folders.claimed)).toEqual(['orders.csv']);
  });

  test('that is malformed goes to rejected/ with a note saying why', async () => {
    const { box } = await dryInbox();
    const taken = await processClaimed(
      box,
      'bad.csv',
      await claimed(box, 'bad.csv', 'no,such,columns\n1,2,3\n'),
    );
    expect(taken.file).toMatchObject({ outcome: 'rejected', exitCode: 2 });
    expect((await readdir(box.folders.rejected)).map((n) => n.slice(16))).toEqual([
      'bad.csv',
      'bad.csv.error.txt',
    ]);
  });

  test('whose earlier results have other columns sets them aside and runs from the start', async () => {
    const { box, said } = await dryInbox();
    const earlier = workResults(box.folders, 'orders.csv');
    await writeFile(earlier, '\ufeffline,customerId,resellerId,internalIdentifier,status\r\n');
    const taken = await processClaimed(box, 'orders.csv', await claimed(box, 'orders.csv', GOOD));
    expect(taken.file).toMatchObject({ outcome: 'processed', exitCode: 0 });
    expect(said[0]?.[0]).toMatch(
      /^orders\.csv: the earlier results \.work\/orders\.csv\.results\.csv are not this file's \(they have other columns\): they were moved to processed\/\d{8}-\d{6}-orders\.csv\.earlier\.results\.csv/,
    );
    expect(said[0]?.[1]).toBe('warn');
  });

  test('whose earlier results cannot be set aside stays claimed, exit 3, and nothing is sent', async () => {
    const { box, said } = await dryInbox();
    await writeFile(workResults(box.folders, 'orders.csv'), '\ufeffline,customerId,resellerId\r\n');
    const broken: Inbox = { ...box, folders: { ...box.folders, processed: path.join(box.dir, 'gone') } };
    const taken = await processClaimed(broken, 'orders.csv', await claimed(box, 'orders.csv', GOOD));
    expect(taken.stopAll).toBeUndefined();
    expect(taken.file).toEqual({
      name: 'orders.csv',
      outcome: 'left',
      exitCode: 3,
      message: 'its earlier results could not be moved to processed/ (ENOENT); nothing was sent',
    });
    expect(said).toEqual([[`orders.csv: ${taken.file.message}`, 'error']]);
    expect(await readdir(box.folders.claimed)).toEqual(['orders.csv']);
  });
});
