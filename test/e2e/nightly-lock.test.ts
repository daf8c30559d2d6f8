/** The nightly job's lock end to end (issue 15): a lock left before a reboot taken over, one that cannot be judged refused. */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { dir, env, patches, simulatorForEachTest } from '../helpers/e2e.js';
import { writePoNumbers } from '../helpers/generate.js';

simulatorForEachTest();

describe('the lock', () => {
  test('a lock left before a reboot, its process id now another live process, is taken over and the takeover logged', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 3);
    const out = path.join(dir, 'out.csv');
    // This test's own process is alive on this host: only the boot id says the lock is older.
    await writeFile(
      `${out}.lock`,
      JSON.stringify({
        pid: process.pid,
        host: hostname(),
        started: 'before the reboot',
        bootId: 'an-earlier-boot',
      }),
    );
    const log = path.join(dir, 'run.log');
    const run = await runCli(['po-numbers', file, '--out', out, '--rate', '0', '--log-file', log], env());
    expect(run.code).toBe(0);
    const said = `took over the lock ${out}.lock (held by pid ${process.pid} on ${hostname()} since before the reboot): this machine has restarted since`;
    expect(run.stderr).toContain(said);
    expect(await readFile(log, 'utf8')).toContain(said);
    await expect(stat(`${out}.lock`)).rejects.toThrow();
  });

  test('a lock that cannot be judged (another machine, refreshed lately) says how to remove it by hand', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 3);
    const out = path.join(dir, 'out.csv');
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    await writeFile(
      `${out}.lock`,
      JSON.stringify({ pid: 4242, host: 'batch-02', started: 'then', bootId: `${bootId}-not` }),
    );
    const run = await runCli(['po-numbers', file, '--out', out, '--rate', '0'], env());
    expect(run.code).toBe(2);
    // Refreshed moments ago (the lock was written just before the run started).
    expect(run.stderr).toContain(
      `${out} is locked by a run on another machine (batch-02, pid 4242, since then); it was refreshed `,
    );
    expect(run.stderr).toMatch(/it was refreshed \d+ s ago\. If that run is over, delete /);
    expect(run.stderr).toContain(`delete ${out}.lock`);
    expect(patches()).toBe(0);
  });
});
