/**
 * Where the bearer token comes from. Secrets are read from the environment or from files only,
 * never from flags (they would show in `ps` and shell history), and each one read is handed to the
 * redactor at once.
 */
import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import type { Options } from '../options.js';
import { redactor } from '../report/redact.js';
import type { Agents } from 'got';
import { ClientCredentialsToken, StaticToken, type TokenProvider } from './token.js';

/** A warning if a file holding secrets (`label` names it) can be read by other users, else undefined. */
export function readableByOthers(mode: number, label: string): string | undefined {
  if ((mode & 0o077) === 0 || process.platform === 'win32') return undefined;
  return `${label} can be read by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it`;
}

/** Read a secret from a file: trimmed, and with a warning if others can read it. */
export async function readSecretFile(
  file: string,
  what: string,
  warn: (message: string) => void,
): Promise<string> {
  let text: string;
  try {
    const warning = readableByOthers((await stat(file)).mode, `${file} (${what})`);
    if (warning) warn(warning);
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Cannot read the ${what} file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const secret = text.trim();
  if (secret === '') throw new ConfigError(`The ${what} file ${file} is empty`);
  redactor.add(secret);
  return secret;
}

/** A `Bearer ` prefix copied along with a token (from a header or a curl line), any case. */
const BEARER_PREFIX = /^bearer(\s+|$)/i;

/** The ready token from `--token-file` or `CLOUDCOCKPIT_TOKEN`, without a `Bearer ` prefix; undefined if none is set. */
async function readyToken(
  options: Options,
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): Promise<string | undefined> {
  const file = options.tokenFile;
  const written =
    file !== undefined
      ? await readSecretFile(file, 'bearer token', warn)
      : env.CLOUDCOCKPIT_TOKEN?.trim() || undefined;
  if (written === undefined) return undefined;
  const token = written.replace(BEARER_PREFIX, '').trim();
  if (token === '') {
    const where = file !== undefined ? `The bearer token file ${file}` : 'CLOUDCOCKPIT_TOKEN';
    throw new ConfigError(`${where} holds only the word Bearer, no token`);
  }
  return token;
}

/** The token provider for a real run: a ready token if one is given, else client credentials. */
export async function tokenProvider(
  options: Options,
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
  agent?: Agents,
): Promise<TokenProvider> {
  const secretFromEnv = env.CLOUDCOCKPIT_CLIENT_SECRET?.trim() || undefined;
  const hasClientCredentials = options.clientSecretFile !== undefined || secretFromEnv !== undefined;
  const ready = await readyToken(options, env, warn);
  if (ready !== undefined) {
    redactor.add(ready);
    if (hasClientCredentials)
      warn(
        'Both a ready bearer token and a client secret are set; using the ready token, which cannot be renewed',
      );
    return new StaticToken(ready);
  }
  if (hasClientCredentials) {
    if (options.clientId === undefined) {
      throw new ConfigError(
        'A client secret is set but no client id: set CLOUDCOCKPIT_CLIENT_ID or --client-id',
      );
    }
    const clientSecret =
      options.clientSecretFile !== undefined
        ? await readSecretFile(options.clientSecretFile, 'client secret', warn)
        : (secretFromEnv as string);
    redactor.add(clientSecret);
    return new ClientCredentialsToken({
      tokenUrl: options.tokenUrl,
      clientId: options.clientId,
      clientSecret,
      scope: options.scope,
      timeoutMs: options.timeoutSeconds * 1000,
      agent,
    });
  }
  throw new ConfigError(
    'No credentials: set CLOUDCOCKPIT_CLIENT_ID with CLOUDCOCKPIT_CLIENT_SECRET (or --client-secret-file), ' +
      'or a ready bearer token in CLOUDCOCKPIT_TOKEN (or --token-file). Use --dry-run to check a file without them',
  );
}
