/**
 * `cloudcockpit-bulk inbox DIR`, for the nightly sync: every .csv and .xlsx in DIR, in name order,
 * each a run of its own (kind from its header). Layout:
 *
 *   DIR/            files waiting; one modified in the last minute is left (it may still be copying)
 *   DIR/processed/  finished files, `<stamp>-<name>`, with `<stamp>-<name>.results.csv` beside them
 *   DIR/rejected/   malformed files, with `<stamp>-<name>.error.txt` saying why
 *   DIR/.work/      results being written; a file interrupted here is resumed by the next run
 *
 * One inbox run at a time (DIR/.inbox.lock). The exit code is the worst of the files'.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { RunError } from '../errors.js';
import {
  INPUT,
  moveToProcessed,
  moveToRejected,
  openFolders,
  setAsideEarlier,
  type InboxFolders,
} from './inbox-folders.js';
import { acquireLock } from '../results/lock.js';
import type { Options } from '../options.js';
import { ResumeMismatchError } from '../results/resume.js';
import { run, type RunIo } from './run.js';
import { interruptExitCode, type RunSummary } from '../report/summary.js';

/** What happened to one file of the inbox. */
export interface InboxFile {
  readonly name: string;
  readonly outcome: 'processed' | 'rejected' | 'left' | 'waiting';
  /** The file's exit code (`left` and `waiting` files: undefined). */
  readonly exitCode: number | undefined;
  /** Where the file is now, and its results or error file. */
  readonly movedTo?: string;
  readonly results?: string;
  readonly summary?: RunSummary;
  readonly message?: string;
}

/** What an inbox run did. */
export interface InboxSummary {
  readonly exitCode: number;
  readonly files: readonly InboxFile[];
  readonly text: string;
}

/** What the inbox needs besides the directory. */
export interface InboxOptions {
  /** Files modified more recently than this are left for the next run. @default 60 */
  readonly settleSeconds: number;
  /** The options for one file's run (with `file` and `out` filled in by the inbox). */
  readonly options: (file: string, out: string) => Options;
  /** Told each line of the inbox's own report. */
  readonly report: (line: string) => void;
}

/** An open inbox: its directory, its folders, and what each file's run is given. */
interface Inbox {
  readonly dir: string;
  readonly folders: InboxFolders;
  readonly settings: InboxOptions;
  readonly io: Partial<RunIo>;
}

/** What became of one file, and why the files after it are not started, if they are not. */
interface Taken {
  readonly file: InboxFile;
  readonly stopAll?: string | undefined;
}

/** Process the inbox once. Throws `RunError` only when the inbox itself cannot be used. */
export async function runInbox(
  dir: string,
  inbox: InboxOptions,
  io: Partial<RunIo> = {},
): Promise<InboxSummary> {
  const box = await openInbox(dir, inbox, io);
  const lock = await acquireLock(path.join(dir, '.inbox'), (message) => inbox.report(message));
  const files: InboxFile[] = [];
  try {
    let stopAll: string | undefined;
    for (const name of await scanInbox(dir)) {
      const taken = await takeFile(box, name, stopAll);
      files.push(taken.file);
      stopAll ??= taken.stopAll;
    }
  } finally {
    await lock.release().catch(() => undefined);
  }
  return summariseInbox(box, files);
}

/** Open the inbox at `dir`: its folders, made and checked, and what each file's run is given. */
async function openInbox(dir: string, settings: InboxOptions, io: Partial<RunIo>): Promise<Inbox> {
  return { dir, folders: await openFolders(dir), settings, io };
}

/**
 * Not an input: a hidden file, or the lock file Excel keeps beside a workbook or CSV file it has
 * open (`~$orders.xlsx`). Such files are left where they are and not reported.
 */
function isNotInput(name: string): boolean {
  return name.startsWith('.') || name.startsWith('~$');
}

/** The input files waiting in the inbox, in name order. */
async function scanInbox(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && INPUT.test(e.name) && !isNotInput(e.name))
    .map((e) => e.name)
    .sort();
}

/**
 * Run one file unless the inbox is stopping or the file may still be copying, then move it to
 * `processed/` or `rejected/`, or leave it to be resumed by the next run.
 */
async function takeFile(box: Inbox, name: string, stopAll: string | undefined): Promise<Taken> {
  const file = path.join(box.dir, name);
  if (stopAll !== undefined || box.io.signal?.aborted) {
    return { file: { name, outcome: 'left', exitCode: undefined, message: stopAll ?? 'interrupted' } };
  }
  const age = (Date.now() - (await stat(file)).mtimeMs) / 1000;
  if (age < box.settings.settleSeconds) {
    const message = `modified ${Math.round(age)} s ago; left for the next run`;
    return { file: { name, outcome: 'waiting', exitCode: undefined, message } };
  }
  const base = name.replace(INPUT, '');
  const out = path.join(box.folders.work, `${base}.results.csv`);
  try {
    const summary = await runOrStartOver(box, name, base, file, out);
    if (summary.exitCode === 0 || summary.exitCode === 1) {
      return { file: await moveProcessed(box, name, file, out, summary) };
    }
    // Stopped part-way: the file stays, and the next run resumes it from .work/.
    const left: InboxFile = {
      name,
      outcome: 'left',
      exitCode: summary.exitCode,
      summary,
      message: summary.stoppedBecause,
    };
    if (summary.stopCause === 'max-failures') return { file: left };
    return { file: left, stopAll: `not started: ${summary.stoppedBecause ?? 'the run stopped'}` };
  } catch (error) {
    if (!(error instanceof RunError)) throw error;
    if (error.code === 'INPUT') return { file: await rejectFile(box, name, file, error) };
    // Not the file's fault (credentials, configuration): the rest would fail the same way.
    return {
      file: { name, outcome: 'left', exitCode: error.exitCode, message: error.message },
      stopAll: `not started: ${error.message}`,
    };
  }
}

/**
 * Run one file. A file left by a run that stopped part-way is resumed; if it was replaced by a
 * different file of the same name since, the earlier results are set aside and the new file runs
 * from the start.
 */
async function runOrStartOver(
  { dir, folders, settings, io }: Inbox,
  name: string,
  base: string,
  file: string,
  out: string,
): Promise<RunSummary> {
  try {
    return await run(settings.options(file, out), io);
  } catch (error) {
    if (!(error instanceof ResumeMismatchError)) throw error;
    const setAside = await setAsideEarlier(folders, base);
    settings.report(
      `${name} changed since its run that stopped part-way: that run's results were moved to ` +
        `${path.relative(dir, setAside)}, and the file is processed from the start`,
    );
    return run(settings.options(file, out), io);
  }
}

/** Move a finished file and its results to `processed/`. */
async function moveProcessed(
  { folders }: Inbox,
  name: string,
  file: string,
  out: string,
  summary: RunSummary,
): Promise<InboxFile> {
  const { movedTo, results } = await moveToProcessed(folders, name, file, out);
  return { name, outcome: 'processed', exitCode: summary.exitCode, movedTo, results, summary };
}

/** Move a malformed file to `rejected/`, with a note beside it saying why. */
async function rejectFile(
  { folders }: Inbox,
  name: string,
  file: string,
  error: RunError,
): Promise<InboxFile> {
  const { movedTo, errorFile } = await moveToRejected(folders, name, file, error.message);
  return {
    name,
    outcome: 'rejected',
    exitCode: error.exitCode,
    movedTo,
    results: errorFile,
    message: error.message,
  };
}

/** The inbox's exit code (the worst of its files') and report, told line by line. */
function summariseInbox({ dir, settings, io }: Inbox, files: readonly InboxFile[]): InboxSummary {
  const worst = files.reduce((w, f) => Math.max(w, f.exitCode ?? 0), 0);
  // Interrupted between two files: the run was still interrupted.
  const reason = io.signal?.aborted ? String(io.signal.reason) : undefined;
  const exitCode = reason === undefined ? worst : Math.max(worst, interruptExitCode(reason));
  const text = describeInbox(dir, files, exitCode);
  text.split('\n').forEach((line) => settings.report(line));
  return { exitCode, files, text };
}

function describeInbox(dir: string, files: readonly InboxFile[], exitCode: number): string {
  if (files.length === 0) return `inbox ${dir}: no .csv or .xlsx file to process`;
  const lines = files.map((f) => {
    const counts = f.summary
      ? Object.entries(f.summary.counts)
          .filter(([, n]) => n > 0)
          .map(([s, n]) => `${n} ${s}`)
          .join(', ')
      : '';
    const where = f.movedTo ? ` -> ${path.relative(dir, f.movedTo)}` : '';
    return `  ${f.name}: ${f.outcome}${f.exitCode === undefined ? '' : ` (exit ${f.exitCode})`}${where}${counts ? `; ${counts}` : ''}${f.message && f.outcome !== 'processed' ? `; ${f.message}` : ''}`;
  });
  const by = (o: InboxFile['outcome']) => files.filter((f) => f.outcome === o).length;
  return [
    `inbox ${dir}: ${by('processed')} processed, ${by('rejected')} rejected, ${by('left')} left, ${by('waiting')} waiting; exit ${exitCode}`,
    ...lines,
  ].join('\n');
}
