/**
 * The words for a file the run could not create beside its results (the results file, its lock):
 * nothing has been sent yet, so the message says why in terms of the folder, and what to do.
 */
import path from 'node:path';
import { OutputError } from '../errors.js';

/** The folder cannot be written to: permissions, a read-only mount. */
const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * Why `file` (`what`: "the lock file", "the results file") could not be created, as an
 * `OutputError` (exit 2). A folder that is not writable or does not exist is named, with the way
 * out: another `--out`.
 */
export function cannotCreate(what: string, file: string, error: unknown): OutputError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const folder = path.dirname(file);
  const start = `Cannot create ${what} ${file}`;
  if (code !== undefined && UNWRITABLE.has(code)) {
    return new OutputError(
      `${start}: the folder ${folder} is not writable (${code}); nothing was sent. ` +
        'Write the results to a folder you can write to, with --out',
    );
  }
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new OutputError(
      `${start}: the folder ${folder} does not exist (${code}); nothing was sent. ` +
        'Create it, or write the results elsewhere with --out',
    );
  }
  return new OutputError(`${start} (${code ?? String(error)}); nothing was sent`);
}
