/**
 * `cloudcockpit-bulk inbox DIR`, for the nightly sync: every .csv and .xlsx in DIR, in name order,
 * each a run of its own (kind from its header). Layout:
 *
 *   DIR/                 files waiting; one still being written is left for the next run
 *   DIR/.work/claimed/   files taken for a run: a file interrupted here is resumed by the next run
 *   DIR/.work/           their results being written, `<name>.results.csv`
 *   DIR/processed/       finished files, `<stamp>-<name>`, with `<stamp>-<name>.results.csv` beside them
 *   DIR/rejected/        malformed files, with `<stamp>-<name>.error.txt` saying why
 *
 * A file is claimed (moved into `.work/claimed/`) before its run, so one dropped under the same
 * name meanwhile waits for the next run instead of being moved away unsent. One inbox run at a
 * time (DIR/.inbox.lock). The exit code is the worst of the files' (inbox-report.ts).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { claim, INPUT, listClaimed, openFolders } from './inbox-folders.js';
import { processClaimed, type Inbox, type InboxOptions, type Taken } from './inbox-file.js';
import { describeInbox, inboxExitCode, type InboxFile, type InboxSummary } from './inbox-report.js';
import { lookAt, lookGapMs, notSettled, waitForSecondLook, type Look } from './inbox-settle.js';
import { acquireLock } from '../results/lock.js';
import type { RunIo } from './run.js';

export type { InboxOptions, ReportLevel } from './inbox-file.js';
export type { InboxFile, InboxSummary } from './inbox-report.js';

/** Process the inbox once. Throws `RunError` only when the inbox itself cannot be used. */
export async function runInbox(
  dir: string,
  inbox: InboxOptions,
  io: Partial<RunIo> = {},
): Promise<InboxSummary> {
  const box: Inbox = { dir, folders: await openFolders(dir), settings: inbox, io };
  const lock = await acquireLock(path.join(dir, '.inbox'), (message) => inbox.report(message, 'warn'));
  const takes = new Takes(io.signal);
  try {
    // Files an earlier run took and did not finish go first: they are resumed.
    for (const name of await listClaimed(box.folders))
      await takes.take(name, () => processClaimed(box, name, path.join(box.folders.claimed, name)));
    const waiting = await scanInbox(dir);
    if (waiting.length > 0 && !takes.stopping) {
      const firstLook = Math.min(...waiting.map((w) => w.look.at));
      await waitForSecondLook(firstLook, lookGapMs(inbox.settleSeconds), io.signal);
    }
    for (const { name, look } of waiting) await takes.take(name, () => takeWaiting(box, name, look));
  } finally {
    await lock.release().catch(() => undefined);
  }
  return summariseInbox(box, takes.files);
}

/** The files of one inbox run, taken one after another until one of them stops the rest. */
class Takes {
  readonly files: InboxFile[] = [];
  private stopAll: string | undefined;

  constructor(private readonly signal: AbortSignal | undefined) {}

  /** Whether the files not yet taken are left: a file stopped the inbox, or a signal did. */
  get stopping(): boolean {
    return this.stopAll !== undefined || this.signal?.aborted === true;
  }

  /** Take the file `name` by `step`, unless the inbox is stopping (undefined: nothing to report). */
  async take(name: string, step: () => Promise<Taken | undefined>): Promise<void> {
    const taken: Taken | undefined = this.stopping
      ? { file: { name, outcome: 'left', exitCode: undefined, message: this.stopAll ?? 'interrupted' } }
      : await step();
    if (taken === undefined) return;
    this.files.push(taken.file);
    this.stopAll ??= taken.stopAll;
  }
}

/**
 * Not an input: a hidden file, or the lock file Excel keeps beside a workbook or CSV file it has
 * open (`~$orders.xlsx`). Such files are left where they are and not reported.
 */
function isNotInput(name: string): boolean {
  return name.startsWith('.') || name.startsWith('~$');
}

/** The input files waiting in the inbox, in name order, each with a first look at it. */
async function scanInbox(dir: string): Promise<{ name: string; look: Look }[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && INPUT.test(e.name) && !isNotInput(e.name))
    .map((e) => e.name)
    .sort();
  const looks = await Promise.all(
    names.map(async (name) => ({ name, look: await lookAt(path.join(dir, name)) })),
  );
  return looks.filter((l): l is { name: string; look: Look } => l.look !== undefined);
}

/**
 * Take a file waiting in the inbox if it is whole (inbox-settle.ts): claim it, then run it.
 * Undefined if it was removed from the inbox meanwhile.
 */
async function takeWaiting(box: Inbox, name: string, first: Look): Promise<Taken | undefined> {
  const waiting = (message: string): Taken => ({
    file: { name, outcome: 'waiting', exitCode: undefined, message },
  });
  const file = path.join(box.dir, name);
  const second = await lookAt(file);
  if (second === undefined) return undefined;
  const why = await notSettled(file, first, second, box.settings.settleSeconds);
  if (why !== undefined) return waiting(why);
  let claimed: string | undefined;
  try {
    claimed = await claim(box.folders, box.dir, name);
  } catch (error) {
    // That file's problem only: the inbox goes on with the others.
    const message = `could not be moved into .work/claimed/ (${(error as NodeJS.ErrnoException).code ?? String(error)}); left for the next run`;
    box.settings.report(`${name}: ${message}`, 'error');
    return { file: { name, outcome: 'left', exitCode: undefined, message } };
  }
  if (claimed === undefined) {
    return waiting(
      `an earlier ${name}, whose run stopped part-way, is still in .work/claimed/ and goes first; left for the next run`,
    );
  }
  return processClaimed(box, name, claimed);
}

/** The inbox's exit code and report, told line by line. */
function summariseInbox({ dir, settings, io }: Inbox, files: readonly InboxFile[]): InboxSummary {
  // Interrupted between two files: the run was still interrupted.
  const signal = io.signal?.aborted ? String(io.signal.reason) : undefined;
  const exitCode = inboxExitCode(files, signal);
  const text = describeInbox(dir, files, exitCode);
  text.split('\n').forEach((line) => settings.report(line));
  return { exitCode, files, text };
}
