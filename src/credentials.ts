/**
 * Where the bearer token comes from. Secrets are read from the environment or from files only,
 * never from flags (they would show in `ps` and shell history), and each one read is handed to the
 * redactor at once.
 */
import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from './errors.js';
import type { Options } from './options.js';
import { redactor } from './redact.js';
import { StaticToken, type TokenProvider } from './token.js';

/** Read a secret from a file: trimmed, and with a warning if others can read it. */
export async function readSecretFile(file: string, what: string, warn: (message: string) => void): Promise<string> {
  let text: string;
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0 && process.platform !== 'win32') {
      warn(`${file} (${what}) can be read by other users (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`);
    }
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the ${what} file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const secret = text.trim();
  if (secret === '') throw new ConfigError(`The ${what} file ${file} is empty`);
  redactor.add(secret);
  return secret;
}

/** The token provider for a real run, from `--token-file` or `CLOUDCOCKPIT_TOKEN`. */
export async function tokenProvider(
  options: Options,
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): Promise<TokenProvider> {
  if (options.tokenFile !== undefined) return new StaticToken(await readSecretFile(options.tokenFile, 'bearer token', warn));
  const fromEnv = env.CLOUDCOCKPIT_TOKEN?.trim();
  if (fromEnv) {
    redactor.add(fromEnv);
    return new StaticToken(fromEnv);
  }
  throw new ConfigError(
    'No credentials: set CLOUDCOCKPIT_TOKEN or --token-file to a bearer token ' +
      '(or use --dry-run to check the file without sending anything)',
  );
}
