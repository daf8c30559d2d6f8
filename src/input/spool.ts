/**
 * The input is read twice (preflight, then the run), so what cannot be read twice (standard input,
 * a named pipe, a device such as /dev/stdin) is first copied to a private temporary file, removed
 * again when the run ends.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { unreadable } from './read-errors.js';

/** A temporary copy of a stream, and how to remove it. */
export interface Spooled {
  readonly path: string;
  remove(): Promise<void>;
}

/** Copy `input` to a new file in a private temporary folder. */
export async function spool(input: Readable): Promise<Spooled> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudcockpit-bulk-'));
  const file = path.join(dir, 'stdin.csv');
  try {
    await pipeline(input, createWriteStream(file, { mode: 0o600 }));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { path: file, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Names of this process's standard input. Opened by name, a pipe works but a socket (what Node
 * gives a child process for its stdin) fails with ENXIO, so these are read as `-` is.
 */
const STANDARD_INPUT = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/**
 * The copy to read instead of `file` when it cannot be read twice: `-` and the other names of
 * standard input, and anything that is not a regular file (a named pipe, a device). Undefined for
 * a regular file, and for a path that is missing or a folder (reading it says why).
 */
export async function spoolUnlessFile(
  file: string,
  stdin: Readable,
  displayName: string,
): Promise<Spooled | undefined> {
  if (file === '-' || STANDARD_INPUT.has(path.resolve(file))) return spool(stdin);
  const stats = await stat(file).catch(() => undefined);
  if (stats === undefined || stats.isFile() || stats.isDirectory()) return undefined;
  try {
    return await spool(createReadStream(file));
  } catch (error) {
    throw unreadable(displayName, error);
  }
}
