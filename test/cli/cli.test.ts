import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';
import { runMain } from './in-process.js';

let sim: Simulator;
let dir: string;
let input: string;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  sim.reset();
  dir = await tempDir();
  input = path.join(dir, 'orders.csv');
  await writePoNumbers(input, 3);
});

describe('main, called in this process', () => {
  test('runs a file against the API of the environment it is given and resolves to the exit code', async () => {
    const r = await runMain(['po-numbers', input, '--rate', '0', '--no-progress'], simEnv(sim.url));
    // The ready token's check (a GET), then the three rows.
    expect({ code: r.code, api: sim.counters.api }).toEqual({ code: 0, api: 1 + 3 });
    expect(r.stderr).toContain('3 success');
  });

  test('a usage error is one line on the stderr it is given', async () => {
    const r = await runMain(['po-numbers', input, '--dry-run=yes'], simEnv(sim.url));
    expect({ code: r.code, lines: r.lines.length, api: sim.counters.api }).toEqual({
      code: 2,
      lines: 1,
      api: 0,
    });
  });

  test('a summary named like the default results file names it as that, not as `--out`', async () => {
    const results = path.join(dir, 'orders.results.csv');
    const r = await runMain(['po-numbers', input, '--summary-json', results], simEnv(sim.url));
    expect({ code: r.code, api: sim.counters.api }).toEqual({ code: 2, api: 0 });
    expect(r.lines).toEqual([
      `cloudcockpit-bulk: \`--summary-json\` ${results} is the same file as the default results file ` +
        `(no \`--out\` given) ${results}; nothing was sent. Give \`--summary-json\` a path of its own`,
    ]);
    const given = await runMain(
      ['po-numbers', input, '--out', results, '--summary-json', results],
      simEnv(sim.url),
    );
    expect(given.stderr).toContain('is the same file as the results file (`--out`)');
  });

  test.each(['missing', 'a folder'])(
    'an --env-file that is %s exits 2 with one line naming --env-file, and the summary is written',
    async (what) => {
      const envFile = path.join(dir, 'bulk.env');
      if (what === 'a folder') await mkdir(envFile);
      const summary = path.join(dir, 'summary.json');
      const r = await runMain(
        ['po-numbers', input, '--env-file', envFile, '--summary-json', summary],
        simEnv(sim.url),
      );
      expect({ code: r.code, api: sim.counters.api }).toEqual({ code: 2, api: 0 });
      expect(r.lines).toEqual([expect.stringMatching(/^cloudcockpit-bulk: Cannot read the `--env-file` /)]);
      expect(JSON.parse(await readFile(summary, 'utf8'))).toMatchObject({ exitCode: 2 });
    },
  );

  test('an --env-file sets variables in the environment main was given, below the real ones', async () => {
    const envFile = path.join(dir, 'bulk.env');
    const { writeFile, chmod } = await import('node:fs/promises');
    await writeFile(envFile, `CLOUDCOCKPIT_BASE_URL=${sim.url}\nCLOUDCOCKPIT_TENANT=wrong.example.com\n`);
    await chmod(envFile, 0o600);
    const { CLOUDCOCKPIT_BASE_URL: _, ...env } = simEnv(sim.url);
    const r = await runMain(['po-numbers', input, '--rate', '0', '--env-file', envFile], env);
    // The ready token's check (a GET), then the three rows.
    expect({ code: r.code, api: sim.counters.api }).toEqual({ code: 0, api: 1 + 3 });
    expect(process.env.CLOUDCOCKPIT_BASE_URL).toBeUndefined();
  });
});
