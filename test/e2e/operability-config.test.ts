/** Configuration files end to end: --config below flags and environment, secrets refused, and --env-file. */
import { describe, expect, test } from '@jest/globals';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readResults, runCli } from '../helpers/cli.js';
import { dir, sim, simulatorForEachTest } from '../helpers/e2e.js';
import { writePoNumbers } from '../helpers/generate.js';

simulatorForEachTest();

describe('configuration files', () => {
  test('--config supplies settings below flags and environment, and refuses secrets', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 3);
    const config = path.join(dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        tenant: 'portal.cloudcockpit.com',
        'base-url': sim.url,
        rate: 0,
        out: path.join(dir, 'from-config.csv'),
      }),
    );
    const run = await runCli(['po-numbers', file, '--config', config], {
      CLOUDCOCKPIT_TOKEN: 'sim-static-token',
    });
    expect(run.code).toBe(0);
    expect(await readResults(path.join(dir, 'from-config.csv'))).toHaveLength(3);
    const flagWins = await runCli(
      ['po-numbers', file, '--config', config, '--out', path.join(dir, 'flag.csv')],
      {
        CLOUDCOCKPIT_TOKEN: 'sim-static-token',
      },
    );
    expect(flagWins.code).toBe(0);
    expect(await readResults(path.join(dir, 'flag.csv'))).toHaveLength(3);

    await writeFile(config, JSON.stringify({ tenant: 'x', 'client-secret': 'oops-a-secret' }));
    const refused = await runCli(['po-numbers', file, '--config', config], {});
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('secrets are not accepted in a config file');
    expect(refused.stderr).not.toContain('oops-a-secret');
    await writeFile(config, JSON.stringify({ concurency: 3 }));
    expect((await runCli(['po-numbers', file, '--config', config], {})).stderr).toContain(
      'unknown key "concurency"',
    );
  });

  test('--env-file loads the environment (the real one wins) and warns when others can read it', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 2);
    const envFile = path.join(dir, 'cloudcockpit.env');
    await writeFile(
      envFile,
      `CLOUDCOCKPIT_TENANT=portal.cloudcockpit.com\nCLOUDCOCKPIT_BASE_URL=${sim.url}\nCLOUDCOCKPIT_TOKEN=sim-static-token\n`,
    );
    await chmod(envFile, 0o600);
    const run = await runCli(['po-numbers', file, '--env-file', envFile], {});
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('can be read by other users');
    await chmod(envFile, 0o644);
    const wrongTenant = await runCli(
      ['po-numbers', file, '--env-file', envFile, '--out', path.join(dir, 'b.csv')],
      {
        CLOUDCOCKPIT_TENANT: 'wrong.example.com',
      },
    );
    expect(wrongTenant.stderr).toContain('can be read by other users (mode 644)');
    expect(wrongTenant.code).toBe(1); // the real environment's (wrong) tenant won: the API refused it
  });
});
