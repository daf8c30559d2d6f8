/** Temporary files for tests. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A new empty temporary folder. */
export function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'ccb-test-'));
}

/** Write `content` to a new file `name` in a new temporary folder; returns its path. */
export async function tempFile(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(await tempDir(), name);
  await writeFile(file, content);
  return file;
}
