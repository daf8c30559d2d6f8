/**
 * What a user types: every malformed option is a usage error (exit 2, one line on stderr, nothing
 * sent), and every message names the option or the environment variable the value came from.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { runCli, runInstalled, simEnv, type CliRun } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';

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

const run = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
  runCli(['po-numbers', input, '--rate', '0', ...args], simEnv(sim.url, extra));

/** The stderr lines of a run, without blank ones. */
const lines = (r: CliRun): string[] => r.stderr.split('\n').filter((l) => l.trim() !== '');

/** A usage error: exit 2, one line naming `name`, nothing sent to the API. */
function expectUsageError(r: CliRun, name: string | RegExp): void {
  expect({ code: r.code, api: sim.counters.api }).toEqual({ code: 2, api: 0 });
  expect(lines(r)).toHaveLength(1);
  expect(lines(r)[0]).toMatch(name);
  expect(r.stderr).not.toMatch(/NaN|\n\s+at /);
}

describe('a boolean flag takes no value, or exactly true or false', () => {
  test.each(['yes', '1', 'on', 'maybe', 'no', '0', 'TRUE '])(
    '--dry-run=%s is a usage error and sends nothing',
    async (value) => {
      expectUsageError(await run([`--dry-run=${value}`]), /--dry-run/);
    },
  );

  test('--strict=yes is refused instead of turning strict off', async () => {
    expectUsageError(await run(['--dry-run', '--strict=yes']), /--strict/);
  });

  test('--dry-run=true is a dry run and --dry-run=false a real run', async () => {
    const dry = await run(['--dry-run=true']);
    expect({ code: dry.code, api: sim.counters.api }).toEqual({ code: 0, api: 0 });
    const real = await run(['--dry-run=false']);
    // The ready token's check (GET /v1/Customers?pageSize=1), then the three rows.
    expect({ code: real.code, api: sim.counters.api }).toEqual({ code: 0, api: 1 + 3 });
  });

  test('--dry-run then --dry-run=false is a flag given twice with different values', async () => {
    expectUsageError(await run(['--dry-run', '--dry-run=false']), /--dry-run/);
  });

  test('the same flag twice with the same value is accepted', async () => {
    const r = await run(['--dry-run', '--dry-run']);
    expect({ code: r.code, api: sim.counters.api }).toEqual({ code: 0, api: 0 });
  });
});

describe('numeric and other valued options', () => {
  test('--rate 5 --rate 50 is refused: it would run at neither', async () => {
    expectUsageError(await run(['--rate', '5', '--rate', '50']), /--rate/);
  });

  test.each(['--rate', '--timeout', '--concurrency', '--retries', '--max-failures'])(
    '%s at the end of the line without its value is a usage error',
    async (flag) => {
      expectUsageError(await runCli(['po-numbers', input, flag], simEnv(sim.url)), new RegExp(flag));
    },
  );

  test('--timeout abc says what was given, as text', async () => {
    const r = await run(['--timeout', 'abc']);
    expectUsageError(r, /--timeout.*`abc`/);
  });

  test('a value from the environment is reported under the variable that held it', async () => {
    // Not through `run`, whose `--rate 0` would take precedence over the variable.
    const r = await runCli(['po-numbers', input, '--dry-run'], simEnv(sim.url, { CLOUDCOCKPIT_RATE: 'abc' }));
    expectUsageError(r, /CLOUDCOCKPIT_RATE.*`abc`/);
    expect(r.stderr).not.toMatch(/--rate/);
  });

  test('--max-failures 0% says that a percentage must be above 0', async () => {
    expectUsageError(await run(['--max-failures', '0%']), /--max-failures.*above 0.*`0%`/);
  });

  test('--sheet for a CSV input is a usage error instead of being ignored', async () => {
    expectUsageError(await run(['--sheet', 'Changes']), /--sheet.*CSV/);
  });

  test('a bad choice is one line that lists the choices', async () => {
    expectUsageError(await run(['--log-level', 'loud']), /--log-level.*error, warn, info, debug.*`loud`/);
  });
});

describe('commands, help and secrets', () => {
  test('an unknown command gets a did-you-mean', async () => {
    const r = await runCli(['po-number', input], simEnv(sim.url));
    expectUsageError(r, /po-number.*did you mean .*po-numbers/i);
  });

  test('-h prints the help like --help', async () => {
    const short = await runCli(['-h'], {});
    const long = await runCli(['--help'], {});
    expect(short.code).toBe(0);
    expect(short.stdout).toBe(long.stdout);
    expect(short.stdout).toMatch(/po-numbers/);
  });

  test('each command has its own help with an example', async () => {
    const r = await runCli(['po-numbers', '--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples?:/);
  });

  test.each([
    ['--client-secret', 's3cr3t-value'],
    ['--client-secret=s3cr3t-value'],
    ['--token', 's3cr3t-value'],
  ])(
    '%s is refused with the pointer to the file or the environment, and the value is not echoed',
    async (...args) => {
      const r = await run(args);
      expectUsageError(r, /--(client-secret|token)-file|CLOUDCOCKPIT_(CLIENT_SECRET|TOKEN)/);
      expect(r.stderr + r.stdout).not.toMatch(/s3cr3t/);
    },
  );
});

describe('--env-file', () => {
  test.each(['missing', 'folder'])(
    'an env file that is %s exits 2 with one line, and the summary is still written',
    async (what) => {
      const envFile = path.join(dir, 'bulk.env');
      if (what === 'folder') await mkdir(envFile);
      const summary = path.join(dir, 'summary.json');
      // Node 20 itself reads an `--env-file` anywhere on its command line, even after the script,
      // and exits 9 before our code runs when the file is missing (nodejs/node#54232): the
      // executable's `#!/usr/bin/env -S node --` line ends Node's options, so this runs it that way.
      const r = await runInstalled(
        ['po-numbers', input, '--rate', '0', '--env-file', envFile, '--summary-json', summary],
        simEnv(sim.url),
      );
      expectUsageError(r, /--env-file/);
      expect(r.stderr).not.toMatch(/^node:|ERR_/m);
      expect(r.stderr).toMatch(/it does not exist|it is a folder/);
      expect(existsSync(summary)).toBe(true);
      expect(JSON.parse(await readFile(summary, 'utf8'))).toMatchObject({ exitCode: 2 });
    },
  );
});
