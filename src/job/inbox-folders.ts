/**
 * The inbox's folders and the moves between them: `.work/claimed/` for files taken for a run,
 * `.work/` for their results being written, `processed/` for finished files and their results,
 * `rejected/` for malformed files with a note saying why. Every name is derived from the whole
 * file name (`a.csv` and `a.xlsx` never share one). Moved files get a UTC time stamp in front of
 * their name, and never replace another. Moves work across filesystems too (move-file.ts).
 */
import { constants } from 'node:fs';
import { access, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { moveFile } from './move-file.js';

/** The folders of an inbox. */
export interface InboxFolders {
  readonly processed: string;
  readonly rejected: string;
  readonly work: string;
  /** Files taken for a run: out of the inbox, so a new file of the same name waits its turn. */
  readonly claimed: string;
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
  const work = path.join(dir, '.work');
  const folders = {
    processed: path.join(dir, 'processed'),
    rejected: path.join(dir, 'rejected'),
    work,
    claimed: path.join(work, 'claimed'),
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

/** Where the results of the file `name` are written while it runs. */
export function workResults(folders: InboxFolders, name: string): string {
  return path.join(folders.work, `${name}.results.csv`);
}

/** The files taken by an earlier run and not finished (their run stopped part-way), in name order. */
export async function listClaimed(folders: InboxFolders): Promise<string[]> {
  const entries = await readdir(folders.claimed, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}

/**
 * Take the inbox's file `name` for a run: move it into `.work/claimed/`, so whatever appears under
 * its name meanwhile waits for the next run. Undefined if a file of that name is claimed already.
 */
export async function claim(folders: InboxFolders, dir: string, name: string): Promise<string | undefined> {
  const claimed = path.join(folders.claimed, name);
  if (await exists(claimed)) return undefined;
  await moveFile(path.join(dir, name), claimed);
  return claimed;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** A UTC time stamp for file names: 20261123-040501. */
function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/**
 * `<dir>/<stamp>-<name>`, or with `-2`, `-3`… after the stamp, such that it is free with every one
 * of `suffixes` after it (a file and the files that go beside it).
 */
async function freeName(dir: string, name: string, suffixes: readonly string[] = ['']): Promise<string> {
  const at = stamp();
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, `${at}${n === 1 ? '' : `-${n}`}-${name}`);
    const taken = await Promise.all(suffixes.map((suffix) => exists(`${candidate}${suffix}`)));
    if (!taken.includes(true)) return candidate;
  }
}

/**
 * The results of an earlier run of `name` that stopped part-way, moved out of `.work/` into
 * `processed/` (they are the record of what that run sent); returns where they went.
 */
export async function setAsideEarlier(folders: InboxFolders, name: string): Promise<string> {
  const earlier = path.basename(workResults(folders, name));
  const suffixes = (await readdir(folders.work))
    .filter((n) => n === earlier || n.startsWith(`${earlier}.partial-`))
    .map((n) => n.slice(earlier.length)) // '' or '.partial-N'
    .sort();
  const target = await freeName(folders.processed, `${name}.earlier.results.csv`, suffixes);
  for (const suffix of suffixes)
    await moveFile(path.join(folders.work, `${earlier}${suffix}`), `${target}${suffix}`);
  return target;
}

/**
 * Move a finished input `file` (named `name`) and its results `out` to `processed/`, as
 * `<stamp>-<name>` and `<stamp>-<name>.results.csv`; returns where.
 */
export async function moveToProcessed(
  folders: InboxFolders,
  name: string,
  file: string,
  out: string,
): Promise<{ movedTo: string; results: string }> {
  const movedTo = await freeName(folders.processed, name, ['', '.results.csv']);
  const results = `${movedTo}.results.csv`;
  // The input first: a failure between the two leaves the results in .work/ and the input
  // already out of the inbox, so nothing is sent twice.
  await moveFile(file, movedTo);
  await moveFile(out, results);
  return { movedTo, results };
}

/** Move a malformed `file` (named `name`) to `rejected/`, with a note beside it saying `why`; returns where. */
export async function moveToRejected(
  folders: InboxFolders,
  name: string,
  file: string,
  why: string,
): Promise<{ movedTo: string; errorFile: string }> {
  const movedTo = await freeName(folders.rejected, name, ['', '.error.txt']);
  const errorFile = `${movedTo}.error.txt`;
  await moveFile(file, movedTo);
  await writeFile(
    errorFile,
    `${name} was refused and nothing was sent.\n\n${why}\n\n` +
      'Fix the file and put it back in the inbox to process it.\n',
  );
  return { movedTo, errorFile };
}
