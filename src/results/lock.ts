/**
 * One run at a time per results file: `<out>.lock` holds the pid and host of the run writing it.
 * A second run finds the lock and refuses (exit 2); a lock whose process is gone (kill -9, power
 * cut) is taken over, by one run only even when several find it at once.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { OutputError } from '../errors.js';
import { cannotCreate } from './cannot-create.js';

/** What a lock file holds. */
interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

/** A held lock. */
export interface Lock {
  readonly path: string;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a lock file held when read: its text (undefined if it could not be read) and meaning. */
interface Found {
  readonly raw: string | undefined;
  readonly info: LockInfo | undefined;
}

async function holder(path: string): Promise<Found | 'gone'> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : { raw: undefined, info: undefined };
  }
  try {
    const info = JSON.parse(raw) as Partial<LockInfo>;
    if (typeof info.pid !== 'number' || typeof info.host !== 'string') return { raw, info: undefined };
    return { raw, info: { pid: info.pid, host: info.host, started: String(info.started) } };
  } catch {
    return { raw, info: undefined };
  }
}

/** Create the lock file; false if it exists. */
async function create(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw cannotCreate('the lock file', path, error);
  }
  const info: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  try {
    await handle.writeFile(JSON.stringify(info));
  } catch (error) {
    // A full disk still has room for an empty file: take it away again, so no run finds it.
    await handle.close().catch(() => undefined);
    await rm(path, { force: true });
    throw new OutputError(
      `Cannot write the lock file ${path} (${(error as Error).message}); nothing was sent. Free some space (or fix the cause) and run again`,
    );
  }
  await handle.close();
  return true;
}

/** Throws if `found` is a run that may still be writing `out`; returns if the lock is stale. */
async function refuseIfHeld(out: string, path: string, found: Found): Promise<void> {
  const { info } = found;
  if (info === undefined) {
    // A lock being written this instant is young; an old unreadable one is debris.
    const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
    if (age < 5000)
      throw new OutputError(`${out} is being written by another run (lock ${path} was just created)`);
  } else if (info.host !== os.hostname()) {
    throw new OutputError(
      `${out} is locked by a run on another machine (${info.host}, pid ${info.pid}, since ${info.started}). ` +
        `If that run is over, delete ${path}`,
    );
  } else if (info.pid !== process.pid && alive(info.pid)) {
    throw new OutputError(
      `${out} is being written by another run (pid ${info.pid}, since ${info.started}); wait for it to finish or stop it`,
    );
  }
  // The holder is gone (or is this very process id, reused after a crash, e.g. PID 1 in a container).
}

/** A takeover lasts milliseconds: a guard older than this was left by a run that crashed in one. */
const TAKEOVER_GUARD_STALE_MS = 10_000;

/**
 * Remove the stale lock that read as `raw`, if it still does. Runs that find the same stale lock
 * at the same moment (a cron job and a person after a crash) must not each remove it: the second
 * removal would delete the first run's new lock, and both would write the file. So a removal
 * happens only while holding `<lock>.takeover`, created exclusively, and only if the lock still
 * holds what was judged stale; a new lock cannot appear meanwhile, as it is created exclusively too.
 */
async function removeStale(path: string, raw: string | undefined): Promise<void> {
  const guard = `${path}.takeover`;
  try {
    await (await open(guard, 'wx')).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotCreate('the lock file', guard, error);
    const age = Date.now() - (await stat(guard).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > TAKEOVER_GUARD_STALE_MS) await rm(guard, { force: true });
    else await sleep(25); // another run is taking over: see what it leaves
    return;
  }
  try {
    const now = await holder(path);
    if (now !== 'gone' && now.raw === raw) await rm(path, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

/** Take the lock for `out`, or throw `OutputError` naming the run that holds it. */
export async function acquireLock(out: string): Promise<Lock> {
  const path = `${out}.lock`;
  for (let attempt = 0; attempt < 40; attempt++) {
    if (await create(path)) return { path, release: () => rm(path, { force: true }) };
    const found = await holder(path);
    if (found === 'gone') continue;
    await refuseIfHeld(out, path, found);
    await removeStale(path, found.raw);
  }
  throw new OutputError(`Cannot take the lock ${path}: other runs keep taking it`);
}
