/**
 * One run at a time per results file: `<out>.lock` says which run writes it (lock-owner.ts). A
 * second run finds the lock and refuses (exit 2); a lock whose run is gone (kill -9, power cut, a
 * reboot, last night's container) is taken over, by one run only even when several find it at
 * once, and the takeover is logged. While held, the lock file's time is refreshed, so a run that
 * cannot look the owner up (another container, another machine) can still tell it is alive.
 */
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { OutputError } from '../errors.js';
import { cannotCreate } from './cannot-create.js';
import { judgeOwner, ownerHere, parseOwner, REFRESH_MS, type LockOwner } from './lock-owner.js';

/** A held lock. */
export interface Lock {
  readonly path: string;
  /** Whether it was taken over from a run that ended without releasing it (a crash, a kill). */
  readonly tookOver: boolean;
  /** Remove the lock if it is still this run's; one that another run took over is left to it. */
  release(): Promise<void>;
}

/** Told of what the lock did that a person should know: a takeover, a lock lost. */
export type LockLog = (message: string) => void;

/** What a lock file held when read: its text (undefined if it could not be read) and meaning. */
interface Found {
  readonly raw: string | undefined;
  readonly owner: LockOwner | undefined;
  /** How long ago the lock file was last modified (refreshed by its holder). */
  readonly ageMs: number;
}

async function holder(path: string): Promise<Found | 'gone'> {
  try {
    const [raw, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { raw, owner: parseOwner(raw), ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return { raw: undefined, owner: undefined, ageMs: 0 };
  }
}

/** Create the lock file holding `text`; false if it exists. */
async function create(path: string, text: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw cannotCreate('the lock file', path, error);
  }
  try {
    await handle.writeFile(text);
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

/** An unreadable lock younger than this is one being written this instant. */
const BEING_WRITTEN_MS = 5000;

/** Throws if `found` is a run that may still be writing `out`; else returns why the lock is stale. */
function refuseIfHeld(out: string, path: string, found: Found): string {
  const { owner } = found;
  if (owner === undefined) {
    if (found.ageMs < BEING_WRITTEN_MS)
      throw new OutputError(`${out} is being written by another run (lock ${path} was just created)`);
    return `it could not be read and is ${Math.round(found.ageMs / 1000)} s old`;
  }
  const verdict = judgeOwner(owner, found.ageMs);
  if (verdict.state === 'gone') return verdict.why;
  if (verdict.state === 'unknown') {
    throw new OutputError(
      `${out} is locked by a run on another machine (${owner.host}, pid ${owner.pid}, since ${owner.started}); ${verdict.why}. ` +
        `If that run is over, delete ${path}`,
    );
  }
  const where = verdict.where === 'container' ? ' in another container on this machine' : '';
  throw new OutputError(
    `${out} is being written by another run (pid ${owner.pid}${where}, since ${owner.started}); wait for it to finish or stop it`,
  );
}

/** A takeover lasts milliseconds: a guard older than this was left by a run that crashed in one. */
const TAKEOVER_GUARD_STALE_MS = 10_000;

/**
 * Remove the stale lock that read as `raw`, if it still does; true if this run removed it. Runs
 * that find the same stale lock at the same moment (a cron job and a person after a crash) must
 * not each remove it: the second removal would delete the first run's new lock, and both would
 * write the file. So a removal happens only while holding `<lock>.takeover`, created exclusively,
 * and only if the lock still holds what was judged stale; a new lock cannot appear meanwhile, as
 * it is created exclusively too.
 */
async function removeStale(path: string, raw: string | undefined): Promise<boolean> {
  const guard = `${path}.takeover`;
  try {
    await (await open(guard, 'wx')).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cannotCreate('the lock file', guard, error);
    const age = Date.now() - (await stat(guard).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > TAKEOVER_GUARD_STALE_MS) await rm(guard, { force: true });
    else await sleep(25); // another run is taking over: see what it leaves
    return false;
  }
  try {
    const now = await holder(path);
    if (now === 'gone' || now.raw !== raw) return false;
    await rm(path, { force: true });
    return true;
  } finally {
    await rm(guard, { force: true });
  }
}

/** Who held a stale lock, for the takeover's log line. */
function heldBy(found: Found): string {
  const { owner } = found;
  return owner ? ` (held by pid ${owner.pid} on ${owner.host} since ${owner.started})` : '';
}

/**
 * Take the lock for `out`, or throw `OutputError` naming the run that holds it. `log` is told of
 * every takeover of a stale lock, and of a lock found taken over when it is released.
 */
export async function acquireLock(out: string, log: LockLog = () => undefined): Promise<Lock> {
  const path = `${out}.lock`;
  const text = JSON.stringify(ownerHere());
  let tookOver = false;
  for (let attempt = 0; attempt < 40; attempt++) {
    if (await create(path, text)) return held(path, text, log, tookOver);
    const found = await holder(path);
    if (found === 'gone') continue;
    const why = refuseIfHeld(out, path, found);
    if (await removeStale(path, found.raw)) {
      tookOver = true;
      log(`took over the lock ${path}${heldBy(found)}: ${why}`);
    }
  }
  throw new OutputError(`Cannot take the lock ${path}: other runs keep taking it`);
}

/** The lock at `path`, written as `text`: refreshed while held, removed on release if still ours. */
function held(path: string, text: string, log: LockLog, tookOver: boolean): Lock {
  const refresh = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => undefined);
  }, REFRESH_MS);
  refresh.unref();
  return {
    path,
    tookOver,
    async release() {
      clearInterval(refresh);
      const now = await holder(path);
      if (now === 'gone') return;
      if (now.raw !== text) {
        log(`the lock ${path} is no longer this run's (another run took it over): it is left in place`);
        return;
      }
      await rm(path, { force: true });
    },
  };
}
