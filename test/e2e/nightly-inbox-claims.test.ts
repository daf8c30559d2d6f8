/**
 * The nightly inbox end to end (issue 15): each file claimed before its run, so a file replaced
 * meanwhile waits for the next; and only whole files taken (a copy still growing, a CSV cut short).
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../helpers/cli.js';
import { dir, env, patches, sim, simulatorForEachTest, start } from '../helpers/e2e.js';
import { tempDir } from '../helpers/files.js';
import { anHourAgo, drop, folders, inboxArgs, poFile } from '../helpers/inbox.js';

simulatorForEachTest();

describe('the inbox claims each file before its run', () => {
  test('a file replaced during its run is not moved away unsent: the new one waits for the next run', async () => {
    sim.configure({ latencyMs: 150 });
    const inbox = await tempDir();
    const first = poFile(8, 'PO-FIRST');
    await drop(inbox, 'orders.csv', first.text);
    const { done } = start(inboxArgs(inbox, ['--concurrency', '1']));
    while (sim.requests.length < 2) await sleep(20);
    // The new file is written elsewhere and renamed in, as the README says to.
    const second = poFile(3, 'PO-SECOND');
    await writeFile(path.join(dir, 'orders.csv'), second.text);
    await utimes(path.join(dir, 'orders.csv'), anHourAgo(), anHourAgo());
    await rename(path.join(dir, 'orders.csv'), path.join(inbox, 'orders.csv'));
    const { code } = await done;
    expect(code).toBe(0);
    expect(await folders(inbox)).toEqual({
      waiting: ['orders.csv'],
      claimed: [],
      processed: ['orders.csv', 'orders.csv.results.csv'],
      rejected: [],
    });
    const processed =
      (await readdir(path.join(inbox, 'processed'))).find((n) => n.endsWith('-orders.csv')) ?? '';
    expect(await readFile(path.join(inbox, 'processed', processed), 'utf8')).toBe(first.text);
    expect(await readFile(path.join(inbox, 'orders.csv'), 'utf8')).toBe(second.text);
    expect(second.keys.some((k) => sim.poNumbers.has(k))).toBe(false);

    const next = await runCli(inboxArgs(inbox), env());
    expect(next.code).toBe(0);
    expect(second.keys.map((k) => sim.poNumbers.get(k))).toEqual([
      'PO-SECOND-0',
      'PO-SECOND-1',
      'PO-SECOND-2',
    ]);
    expect((await folders(inbox)).waiting).toEqual([]);
  });
});

describe('the inbox takes only whole files', () => {
  test('a copy that keeps an old modification time while it grows (cp -p, Explorer) is left for the next run', async () => {
    const inbox = await tempDir();
    const file = path.join(inbox, 'orders.csv');
    // The copy: 40 bytes every 50 ms, the source's old time put back after each, for as long as
    // the inbox runs, of a file far too long to finish meanwhile (about 100 KB at 800 bytes/s);
    // each piece ends in the middle of a line, as a copy does. With 3 s between the two looks, only
    // a 3 s stall of this test process could make them see one size.
    const growing = poFile(1000, 'PO-2026-000456').text;
    let copied = 60;
    let inboxDone = false;
    await drop(inbox, 'orders.csv', growing.slice(0, copied));
    const copying = (async () => {
      while (!inboxDone) {
        await sleep(50);
        copied += 40;
        await writeFile(file, growing.slice(0, copied));
        await utimes(file, anHourAgo(), anHourAgo());
      }
    })();
    // A second look that falls between a piece's write and its old time being put back sees a
    // fresh file and says so: also left, for the other reason. Run again until the sizes decide.
    const reasons: string[] = [];
    for (let i = 0; i < 3 && !reasons.some((r) => r.includes('two looks')); i++) {
      const run = await runCli(inboxArgs(inbox, [], '3'), env());
      expect(run.code).toBe(0);
      expect(patches()).toBe(0);
      reasons.push(/orders\.csv: waiting; (.*)/.exec(run.stderr)?.[1] ?? run.stderr);
    }
    inboxDone = true;
    await copying;
    expect(reasons.at(-1)).toMatch(
      /^changed between two looks \d\.\d s apart \(\d+ then \d+ bytes\): it is still being written/,
    );
    expect(reasons.slice(0, -1).every((r) => /^modified -?\d+ s ago/.test(r))).toBe(true);
    // The copy completes.
    const { text } = poFile(100, 'PO-2026-000456');
    await drop(inbox, 'orders.csv', text);
    const after = await runCli(inboxArgs(inbox), env());
    expect(after.code).toBe(0);
    expect(patches()).toBe(100);
    expect([...sim.poNumbers.values()].every((v) => v?.startsWith('PO-2026-000456-'))).toBe(true);
  });

  test('a CSV that does not end with a line break (a copy cut short) is left for the next run', async () => {
    const inbox = await tempDir();
    const { text } = poFile(3, 'PO-2026-000456');
    await drop(inbox, 'orders.csv', text.slice(0, -10));
    const run = await runCli(inboxArgs(inbox), env());
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      'orders.csv: waiting; does not end with a line break, so its last row may be cut short',
    );
    expect(patches()).toBe(0);
    expect((await folders(inbox)).waiting).toEqual(['orders.csv']);
  });

  test('a stop while the inbox waits for its second look ends it at once', async () => {
    const inbox = await tempDir();
    await drop(inbox, 'orders.csv', poFile(3, 'PO').text);
    const { child, done } = start(inboxArgs(inbox, [], '30'));
    // The inbox holds its lock from before its first look until it ends.
    const lock = path.join(inbox, '.inbox.lock');
    while (!existsSync(lock) && child.exitCode === null) await sleep(20);
    // The first look comes after the lock is taken, so the second is due 5 s (the longest gap)
    // after the lock's time at the earliest: the process must be gone before then. That is the
    // claim itself, not a guess at how fast a stop is (it was "under 3 s after the signal").
    const secondLookDue = (await stat(lock)).mtimeMs + 5000;
    await sleep(200);
    child.kill('SIGTERM');
    const { code, stderr } = await done;
    const exitedAt = Date.now();
    expect(code).toBe(143);
    expect(exitedAt).toBeLessThan(secondLookDue);
    expect(stderr).toContain('orders.csv: left; interrupted');
    expect(patches()).toBe(0);
  });
});
