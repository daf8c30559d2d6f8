/**
 * Move a file, also onto another filesystem. A rename cannot cross filesystems (EXDEV: a
 * `processed/` that is a mount of its own); then the file is copied beside its target, flushed to
 * disk, renamed into place and only then removed from where it was, so a crash at any step leaves
 * the whole file in one place or the other, never half of it under the target's name.
 */
import { constants } from 'node:fs';
import { copyFile, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** How a file is renamed: `fs.promises.rename`, or a stand-in in tests. */
export type Rename = (from: string, to: string) => Promise<void>;

/** Move `from` to `to` (which must not exist); across filesystems by copy, flush, rename, delete. */
export async function moveFile(from: string, to: string, renameFile: Rename = rename): Promise<void> {
  try {
    await renameFile(from, to);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
  }
  const copy = path.join(path.dirname(to), `.${path.basename(to)}.${process.pid}.moving`);
  try {
    await copyFile(from, copy, constants.COPYFILE_EXCL);
    await flush(copy);
    await rename(copy, to);
  } catch (error) {
    await rm(copy, { force: true });
    throw error;
  }
  await flush(path.dirname(to)).catch(() => undefined); // the new name, on filesystems that allow it
  await rm(from);
}

/** Write what the system holds of `file` (or a folder's entries) to the disk. */
async function flush(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
