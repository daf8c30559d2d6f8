/**
 * The inbox's folders and the moves between them: `processed/` for finished files and their
 * results, `rejected/` for malformed files with a note saying why, `.work/` for results being
 * written. Moved files get a UTC time stamp in front of their name, and never replace another.
 */
import { constants } from 'node:fs';
import { access, mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';

/** The folders of an inbox. */
export interface InboxFolders {
  readonly processed: string;
  readonly rejected: string;
  readonly work: string;
}

/** An input file's name: `.csv` or `.xlsx`, in any case. */
export const INPUT = /\.(csv|xlsx)$/i;

/**
 * Check that `dir` is a directory and make its folders, all writable, before any file is taken:
 * files are moved in and out of them after their rows are sent, too late to find out then.
 */
export async function openFolders(dir: string): Promise<InboxFolders> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new ConfigError(`The inbox ${dir} is not a directory`);
  const folders = {
    processed: path.join(dir, 'processed'),
    rejected: path.join(dir, 'rejected'),
    work: path.join(dir, '.work'),
  };
  for (const folder of [dir, ...Object.values(folders)]) await makeWritable(folder);
  return folders;
}

/** Make `folder` if it is missing; throw `ConfigError` (exit 2) if it cannot be written to. */
async function makeWritable(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
    await access(folder, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(
      `The inbox folder ${folder} is not writable (${code}); nothing was sent. The inbox moves each ` +
        'file it takes into processed/ or rejected/: run it as a user who can write to the inbox and its folders',
    );
  }
}

/** A UTC time stamp for file names: 20261123-040501. */
function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** `<dir>/<name>`, or with `-2`, `-3`… after its time stamp if that is taken. */
async function freeName(dir: string, name: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, n === 1 ? name : name.replace(/^(\d{8}-\d{6})/, `$1-${n}`));
    const taken = await stat(candidate).then(
      () => true,
      () => false,
    );
    if (!taken) return candidate;
  }
}

/**
 * The results of an earlier run of `base` that stopped part-way, moved out of `.work/` into
 * `processed/` (they are the record of what that run sent); returns where they went.
 */
export async function setAsideEarlier(folders: InboxFolders, base: string): Promise<string> {
  const earlier = `${base}.results.csv`;
  const names = (await readdir(folders.work)).filter(
    (n) => n === earlier || n.startsWith(`${earlier}.partial-`),
  );
  const target = await freeName(folders.processed, `${stamp()}-${base}.earlier.results.csv`);
  for (const n of names.sort()) {
    const suffix = n.slice(earlier.length); // '' or '.partial-N'
    await rename(path.join(folders.work, n), `${target}${suffix}`);
  }
  return target;
}

/** Move a finished input `file` (named `name`) and its results `out` to `processed/`; returns where. */
export async function moveToProcessed(
  folders: InboxFolders,
  name: string,
  file: string,
  out: string,
): Promise<{ movedTo: string; results: string }> {
  const movedTo = await freeName(folders.processed, `${stamp()}-${name}`);
  const results = movedTo.replace(INPUT, '.results.csv');
  // The input first: a crash between the two leaves the results in .work/ and the input
  // already out of the inbox, so nothing is sent twice.
  await rename(file, movedTo);
  await rename(out, results);
  return { movedTo, results };
}

/** Move a malformed `file` to `rejected/`, with a note beside it saying `why`; returns where. */
export async function moveToRejected(
  folders: InboxFolders,
  name: string,
  file: string,
  why: string,
): Promise<{ movedTo: string; errorFile: string }> {
  const movedTo = await freeName(folders.rejected, `${stamp()}-${name}`);
  const errorFile = `${movedTo}.error.txt`;
  await rename(file, movedTo);
  await writeFile(
    errorFile,
    `${name} was refused and nothing was sent.\n\n${why}\n\n` +
      'Fix the file and put it back in the inbox to process it.\n',
  );
  return { movedTo, errorFile };
}
