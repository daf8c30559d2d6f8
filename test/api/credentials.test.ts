import { describe, expect, test } from '@jest/globals';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readableByOthers, tokenProvider } from '../../src/api/credentials.js';
import { ClientCredentialsToken, StaticToken } from '../../src/api/token.js';
import { ConfigError } from '../../src/errors.js';
import { DEFAULT_SCOPE, DEFAULT_TOKEN_URL, type Options } from '../../src/options.js';
import { redactor } from '../../src/report/redact.js';
import { tempDir } from '../helpers/files.js';

/** The options tokenProvider reads; the rest of a run's options do not matter to it. */
const options = (fields: Partial<Options> = {}): Options =>
  ({
    tokenUrl: DEFAULT_TOKEN_URL,
    scope: DEFAULT_SCOPE,
    timeoutSeconds: 30,
    ...fields,
  }) as Options;

const ignore = () => {};

async function secretFile(content: string): Promise<string> {
  const file = path.join(await tempDir(), 'secret');
  await writeFile(file, content);
  await chmod(file, 0o600);
  return file;
}

describe('a ready bearer token', () => {
  test('is read from CLOUDCOCKPIT_TOKEN, trimmed', async () => {
    const provider = await tokenProvider(options(), { CLOUDCOCKPIT_TOKEN: '  token-value-123\n' }, ignore);
    expect(provider).toBeInstanceOf(StaticToken);
    expect(provider.peek()).toBe('token-value-123');
  });

  test('written with its "Bearer " prefix, in any case, is read without it', async () => {
    for (const written of [
      'Bearer token-value-123',
      'bearer token-value-123',
      ' BEARER \t token-value-123 \n',
    ]) {
      const provider = await tokenProvider(options(), { CLOUDCOCKPIT_TOKEN: written }, ignore);
      expect(provider.peek()).toBe('token-value-123');
    }
  });

  test('in a token file with its "Bearer " prefix is read without it, and hidden from the logs', async () => {
    const file = await secretFile('Bearer file-token-value-456\n');
    const provider = await tokenProvider(options({ tokenFile: file }), {}, ignore);
    expect(provider.peek()).toBe('file-token-value-456');
    expect(redactor.redact('sent file-token-value-456')).toBe('sent [redacted]');
  });

  test('that is only the word Bearer is no token at all', async () => {
    const error = await tokenProvider(options(), { CLOUDCOCKPIT_TOKEN: 'Bearer ' }, ignore).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe('CLOUDCOCKPIT_TOKEN holds only the word Bearer, no token');
    const file = await secretFile('Bearer\n');
    await expect(tokenProvider(options({ tokenFile: file }), {}, ignore)).rejects.toThrow(
      `The bearer token file ${file} holds only the word Bearer, no token`,
    );
  });

  test('a token that merely begins with the letters of Bearer is kept whole', async () => {
    const provider = await tokenProvider(options(), { CLOUDCOCKPIT_TOKEN: 'BearerlessToken123' }, ignore);
    expect(provider.peek()).toBe('BearerlessToken123');
  });
});

describe('client credentials', () => {
  test('a client secret from the environment with a client id gives client credentials', async () => {
    const provider = await tokenProvider(
      options({ clientId: 'id' }),
      { CLOUDCOCKPIT_CLIENT_SECRET: 'secret-value-789' },
      ignore,
    );
    expect(provider).toBeInstanceOf(ClientCredentialsToken);
  });

  test('a ready token wins over a client secret, with a warning', async () => {
    const warnings: string[] = [];
    const provider = await tokenProvider(
      options({ clientId: 'id' }),
      { CLOUDCOCKPIT_TOKEN: 'token-value-123', CLOUDCOCKPIT_CLIENT_SECRET: 'secret-value-789' },
      (m) => warnings.push(m),
    );
    expect(provider).toBeInstanceOf(StaticToken);
    expect(warnings).toEqual([
      'Both a ready bearer token and a client secret are set; using the ready token, which cannot be renewed',
    ]);
  });
});

describe('readableByOthers', () => {
  test('warns of a file others can read, naming its mode', () => {
    expect(readableByOthers(0o100600, 'f')).toBeUndefined();
    if (process.platform !== 'win32')
      expect(readableByOthers(0o100644, 'f')).toBe('f can be read by other users (mode 644); chmod 600 it');
  });
});
