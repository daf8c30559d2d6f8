/**
 * One file of the inbox once it is claimed (in `.work/claimed/`): its run, resumed when an earlier
 * run of it stopped part-way and started over when the earlier results are not this file's; then
 * its move to `processed/` or `rejected/`, or left where it is for the next run to resume. What
 * goes wrong with one file (a failed move) is that file's problem: the inbox goes on with the rest.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, RunError } from '../errors.js';
import {
  moveToProcessed,
  moveToRejected,
  setAsideEarlier,
  workResults,
  type InboxFolders,
} from './inbox-folders.js';
import type { InboxFile } from './inbox-report.js';
import type { Options } from '../options.js';
import { ResumeMismatchError } from '../results/resume.js';
import { run, type RunIo } from './run.js';
import type { RunSummary } from '../report/summary.js';

/** How important a line of the inbox's report is. */
export type ReportLevel = 'info' | 'warn' | 'error';

/** What the inbox needs besides the directory. */
export interface InboxOptions {
  /**
   * Files modified more recently than this are left for the next run; the two looks that check a
   * file's size stays the same are this far apart, at most 5 s. @default 60
   */
  readonly settleSeconds: number;
  /** The options for one file's run (with `file` and `out` filled in by the inbox). */
  readonly options: (file: string, out: string) => Options;
  /** Told each line of the inbox's own report, with how important it is (info by default). */
  readonly report: (line: string, level?: ReportLevel) => void;
}

/** An open inbox: its directory, its folders, and what each file's run is given. */
export interface Inbox {
  readonly dir: string;
  readonly folders: InboxFolders;
  readonly settings: InboxOptions;
  readonly io: Partial<RunIo>;
}

/** What became of one file, and why the files after it are not started, if they are not. */
export interface Taken {
  readonly file: InboxFile;
  readonly stopAll?: string | undefined;
}

/**
 * Run the claimed file `claimed` (named `name`), then move it to `processed/` or `rejected/`, or
 * leave it to be resumed by the next run.
 */
export async function processClaimed(box: Inbox, name: string, claimed: string): Promise<Taken> {
  const out = workResults(box.folders, name);
  try {
    const summary = await runOrStartOver(box, name, claimed, out);
    if (summary.exitCode === 0 || summary.exitCode === 1) {
      return { file: await moveProcessed(box, name, claimed, out, summary) };
    }
    // Stopped part-way: the file stays claimed, and the next run resumes it.
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
    if (error instanceof SetAsideError) {
      // Nothing was sent: the file stays claimed and the next run tries again.
      const message = `its earlier results could not be moved to processed/ (${whyOf(error.cause)}); nothing was sent`;
      box.settings.report(`${name}: ${message}`, 'error');
      return { file: { name, outcome: 'left', exitCode: 3, message } };
    }
    if (!(error instanceof RunError)) throw error;
    if (error.code === 'INPUT') return { file: await rejectFile(box, name, claimed, error) };
    // Not the file's fault (credentials, configuration): the rest would fail the same way.
    box.settings.report(`${name}: ${error.message}`, 'error');
    return {
      file: { name, outcome: 'left', exitCode: error.exitCode, message: error.message },
      stopAll: `not started: ${error.message}`,
    };
  }
}

/**
 * Run one file. A file left by a run that stopped part-way is resumed; if the earlier results are
 * not this file's (it was replaced, or they have other columns), they are set aside and the file
 * runs from the start.
 */
async function runOrStartOver(
  { dir, folders, settings, io }: Inbox,
  name: string,
  claimed: string,
  out: string,
): Promise<RunSummary> {
  try {
    // Earlier results that are not this file's are set aside here, into processed/, finished or not.
    return await run(settings.options(claimed, out), { ...io, keepFinished: false });
  } catch (error) {
    const replaced = error instanceof ResumeMismatchError;
    if (!replaced && !isAboutEarlierResults(error, out)) throw error;
    const setAside = path.relative(
      dir,
      await setAsideEarlier(folders, name).catch((cause: unknown) => {
        throw new SetAsideError(cause);
      }),
    );
    settings.report(
      replaced
        ? `${name} changed since its run that stopped part-way: that run's results were moved to ` +
            `${setAside}, and the file is processed from the start`
        : `${name}: the earlier results ${path.relative(dir, out)} are not this file's (they have other ` +
            `columns): they were moved to ${setAside}, and the file is processed from the start`,
      'warn',
    );
    return run(settings.options(claimed, out), io);
  }
}

/** The earlier results that are not this file's could not be set aside: that file's problem only. */
class SetAsideError extends Error {
  constructor(cause: unknown) {
    super('the earlier results could not be set aside', { cause });
    this.name = 'SetAsideError';
  }
}

/** Whether `error` is about the earlier results `out` (or a partial file of it), not the input. */
function isAboutEarlierResults(error: unknown, out: string): boolean {
  return error instanceof InputError && (error.file === out || error.file.startsWith(`${out}.partial-`));
}

/**
 * Move a finished file and its results to `processed/`. A move that fails leaves the file for the
 * next run (which finds every row done and moves it), said at error level.
 */
async function moveProcessed(
  { dir, folders, settings }: Inbox,
  name: string,
  claimed: string,
  out: string,
  summary: RunSummary,
): Promise<InboxFile> {
  try {
    const { movedTo, results } = await moveToProcessed(folders, name, claimed, out);
    const moved = { ...summary, resultsPath: results };
    return { name, outcome: 'processed', exitCode: summary.exitCode, movedTo, results, summary: moved };
  } catch (error) {
    const stays = (await stat(claimed).then(
      () => true,
      () => false,
    ))
      ? `it stays in ${path.relative(dir, claimed)} and is moved by the next run`
      : `it is in processed/, its results stay in ${path.relative(dir, out)}`;
    const message = `its rows were sent, but it could not be moved to processed/ (${whyOf(error)}): ${stays}`;
    settings.report(`${name}: ${message}`, 'error');
    return { name, outcome: 'left', exitCode: 3, results: out, summary, message };
  }
}

/** Move a malformed file to `rejected/`, with a note beside it saying why. */
async function rejectFile(
  { dir, folders, settings }: Inbox,
  name: string,
  claimed: string,
  error: RunError,
): Promise<InboxFile> {
  try {
    const { movedTo, errorFile } = await moveToRejected(folders, name, claimed, error.message);
    return {
      name,
      outcome: 'rejected',
      exitCode: error.exitCode,
      movedTo,
      results: errorFile,
      message: error.message,
    };
  } catch (moveError) {
    const message =
      `${error.message}; it could not be moved to rejected/ (${whyOf(moveError)}): it stays in ` +
      `${path.relative(dir, claimed)}`;
    settings.report(`${name}: ${message}`, 'error');
    return { name, outcome: 'left', exitCode: error.exitCode, message };
  }
}

/** The code of a failed file operation (ENOSPC…), or its message. */
function whyOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
}
