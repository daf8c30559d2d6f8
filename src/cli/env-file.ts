/**
 * `--env-file FILE`: environment variables in Node's .env format, for a cron job that keeps its
 * settings (and its secret) in a file of its own. Read here rather than by `process.loadEnvFile`,
 * so a missing or unreadable file is our one-line usage error naming `--env-file`, and so the
 * variables go into the environment `main` was given, which is not always the process's.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseEnv } from 'node:util';
import { readableByOthers } from '../api/credentials.js';
import { ConfigError } from '../errors.js';

const WORDS: Record<string, string> = {
  ENOENT: 'it does not exist',
  ENOTDIR: 'a folder on its path does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** Why a file could not be read, in words and the system's short code (`ENOENT`), never a stack. */
function why(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) return String(error);
  return WORDS[code] ? `${WORDS[code]}, ${code}` : code;
}

/**
 * Load `file` into `env`; a variable already set keeps its value (the real environment wins).
 * `warn` is told when others can read the file. Throws `ConfigError` (exit 2) naming `--env-file`.
 */
export async function loadEnvFile(
  file: string,
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): Promise<void> {
  const refuse = (reason: string) =>
    new ConfigError(`Cannot read the \`--env-file\` ${file} (${reason}); nothing was sent`);
  const info = await stat(file).catch((error: unknown) => {
    throw refuse(why(error));
  });
  if (info.isDirectory()) throw refuse('it is a folder');
  if (!info.isFile()) throw refuse('it is not a regular file');
  const warning = readableByOthers(info.mode, file);
  if (warning) warn(warning);
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw refuse(why(error));
  });
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] === undefined && value !== undefined) env[name] = value;
  }
}
