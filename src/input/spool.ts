/**
 * Standard input is read twice (preflight, then the run), so it is first copied to a private
 * temporary file, removed again when the run ends.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';

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
