import { describe, expect, test } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readConfigFile } from '../../src/cli/config-file.js';
import { ConfigError } from '../../src/errors.js';
import { tempDir } from '../helpers/files.js';

async function config(text: string): Promise<string> {
  const file = path.join(await tempDir(), 'bulk.json');
  await writeFile(file, text);
  return file;
}

const refusal = (file: string): Promise<Error> =>
  readConfigFile(file).then(
    () => new Error('no error'),
    (e: unknown) => e as Error,
  );

describe('readConfigFile', () => {
  test('a JSON object keyed by flag names gives those flags, with or without a byte-order mark', async () => {
    const file = await config(
      '\ufeff{"tenant": "portal.example.com", "rate": 5, "dry-run": true, "max-failures": "10%"}',
    );
    expect(await readConfigFile(file)).toEqual({
      tenant: 'portal.example.com',
      rate: 5,
      'dry-run': true,
      'max-failures': '10%',
    });
  });

  test('a number may be written as a string, as people do', async () => {
    expect(await readConfigFile(await config('{"rate": "5"}'))).toEqual({ rate: '5' });
  });

  test.each([
    ['a secret', '{"client-secret": "x"}', /secrets are not accepted.*CLOUDCOCKPIT_CLIENT_SECRET/],
    ['an unknown key', '{"tenantt": "x"}', /unknown key "tenantt"/],
    ['a key that makes no sense there', '{"env-file": "x"}', /unknown key "env-file"/],
    ['a value of the wrong type', '{"dry-run": "yes"}', /"dry-run": expected a boolean, got "yes"/],
    ['something other than an object', '[1, 2]', /must hold a JSON object/],
    ['text that is not JSON', '{tenant: x}', /is not valid JSON/],
  ])('%s is a ConfigError naming the file', async (_what, text, message) => {
    const file = await config(text);
    const error = await refusal(file);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(file);
    expect(error.message).toMatch(message);
  });

  test('a missing file is a ConfigError naming it', async () => {
    const file = path.join(await tempDir(), 'missing.json');
    const error = await refusal(file);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(`Cannot read the config file ${file} (ENOENT)`);
  });
});
