import { describe, expect, test } from '@jest/globals';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadEnvFile } from '../../src/cli/env-file.js';
import { ConfigError } from '../../src/errors.js';
import { tempDir } from '../helpers/files.js';

describe('loadEnvFile', () => {
  test('adds the variables to the environment it is given; one already set keeps its value', async () => {
    const file = path.join(await tempDir(), 'bulk.env');
    await writeFile(file, 'CLOUDCOCKPIT_TENANT=from.file\nCLOUDCOCKPIT_RATE=5\n# a comment\n');
    await chmod(file, 0o600);
    const env: NodeJS.ProcessEnv = { CLOUDCOCKPIT_TENANT: 'from.environment' };
    const warnings: string[] = [];
    await loadEnvFile(file, env, (w) => warnings.push(w));
    expect(env).toEqual({ CLOUDCOCKPIT_TENANT: 'from.environment', CLOUDCOCKPIT_RATE: '5' });
    expect(warnings).toEqual([]);
  });

  test('a file others can read is loaded with a warning', async () => {
    const file = path.join(await tempDir(), 'bulk.env');
    await writeFile(file, 'X=1\n');
    await chmod(file, 0o644);
    const warnings: string[] = [];
    await loadEnvFile(file, {}, (w) => warnings.push(w));
    expect(warnings).toEqual([expect.stringContaining('can be read by other users (mode 644)')]);
  });

  test.each([
    ['missing', 'it does not exist, ENOENT'],
    ['a folder', 'it is a folder'],
  ])('a file that is %s is a ConfigError naming --env-file and why', async (what, reason) => {
    const dir = await tempDir();
    const file = path.join(dir, 'bulk.env');
    if (what === 'a folder') await mkdir(file);
    const error = await loadEnvFile(file, {}, () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `Cannot read the \`--env-file\` ${file} (${reason}); nothing was sent`,
    );
  });
});
