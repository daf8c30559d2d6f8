/** Output files end to end: a results, log or summary file that cannot be written refused before anything is sent, and summary-json from a config file. */
import { describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { dir, env, sim, simulatorForEachTest } from '../helpers/e2e.js';
import { writePoNumbers } from '../helpers/generate.js';

simulatorForEachTest();

// /dev/full refuses every write with ENOSPC, as a full disk does (Linux; elsewhere skipped).
const onFullDisk = existsSync('/dev/full') ? test : test.skip;

describe('a results file that cannot be written', () => {
  onFullDisk(
    'a full disk stops the run: exit 3, what to do, nothing more sent, the lock released',
    async () => {
      sim.configure({ latencyMs: 20 });
      const file = path.join(dir, 'in.csv');
      await writePoNumbers(file, 200);
      const out = path.join(dir, 'full.results.csv');
      await symlink('/dev/full', out);
      const run = await runCli(['po-numbers', file, '--out', out, '--overwrite', '--rate', '0'], env());
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('the results file cannot be written (ENOSPC');
      expect(run.stderr).toContain('run the same command with --resume');
      expect(run.stderr).not.toContain('unexpected');
      // The header could not be written: the run stops within the first answers, not after 200 rows.
      expect(sim.counters.api).toBeLessThan(200);
      expect(await readdir(dir)).not.toContain('full.results.csv.lock');
    },
  );
});

describe('the log and summary files', () => {
  test('one that cannot be written is refused before anything is sent', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 3);
    const inFile = path.join(file, 'log.json'); // below a file, so not a folder that can exist
    for (const [flag, target, words] of [
      ['--log-file', dir, `Cannot write the log file ${dir} (EISDIR); nothing was sent`],
      ['--log-file', inFile, `Cannot write the log file ${inFile} (ENOTDIR); nothing was sent`],
      ['--summary-json', dir, `Cannot write the summary file ${dir} (it is a folder); nothing was sent`],
    ] as const) {
      const run = await runCli(['po-numbers', file, '--rate', '0', flag, target], env());
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(words);
    }
    expect(sim.counters.api).toBe(0);
  });

  onFullDisk(
    'a log file that stops taking lines is dropped with a warning; the run and stderr go on',
    async () => {
      const file = path.join(dir, 'in.csv');
      await writePoNumbers(file, 20);
      const run = await runCli(
        ['po-numbers', file, '--rate', '0', '--log-file', '/dev/full', '--log-level', 'debug'],
        env(),
      );
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('warning: the log file /dev/full cannot be written (ENOSPC');
      expect(run.stderr).toContain('20 rows: 20 success');
      expect(run.stderr.match(/^debug: line \d+: success/gm)).toHaveLength(20);
    },
  );

  test('summary-json in a config file is written like the flag', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 3);
    const summaryFile = path.join(dir, 'from-config.json');
    const config = path.join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ 'summary-json': summaryFile }));
    const run = await runCli(['po-numbers', file, '--rate', '0', '--config', config], env());
    expect(run.code).toBe(0);
    expect(JSON.parse(await readFile(summaryFile, 'utf8'))).toMatchObject({ exitCode: 0, rows: 3 });
  });
});
