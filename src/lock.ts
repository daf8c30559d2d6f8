/**
 * One run at a time per results file: `<out>.lock` holds the pid and host of the run writing it.
 * A second run finds the lock and refuses (exit 2); a lock whose process is gone (kill -9, power
 * cut) is taken over.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { OutputError } from './errors.js';

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

async function holder(path: string): Promise<LockInfo | 'gone' | 'unreadable'> {
  try {
    const info = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    if (typeof info.pid !== 'number' || typeof info.host !== 'string') return 'unreadable';
    return { pid: info.pid, host: info.host, started: String(info.started) };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'unreadable';
  }
}

/** Take the lock for `out`, or throw `OutputError` naming the run that holds it. */
export async function acquireLock(out: string): Promise<Lock> {
  const path = `${out}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx');
      const info: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
      await handle.writeFile(JSON.stringify(info));
      await handle.close();
      return { path, release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new OutputError(
          `Cannot create the lock file ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        );
      }
    }
    const found = await holder(path);
    if (found === 'gone') continue;
    if (found === 'unreadable') {
      // A lock being written this instant is young; an old unreadable one is debris.
      const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
      if (age < 5000)
        throw new OutputError(`${out} is being written by another run (lock ${path} was just created)`);
    } else if (found.host !== os.hostname()) {
      throw new OutputError(
        `${out} is locked by a run on another machine (${found.host}, pid ${found.pid}, since ${found.started}). ` +
          `If that run is over, delete ${path}`,
      );
    } else if (found.pid !== process.pid && alive(found.pid)) {
      throw new OutputError(
        `${out} is being written by another run (pid ${found.pid}, since ${found.started}); wait for it to finish or stop it`,
      );
    }
    // The holder is gone (or is this very process id, reused after a crash, e.g. PID 1 in a container).
    await rm(path, { force: true });
  }
  throw new OutputError(`Cannot take the lock ${path}: other runs keep taking it`);
}
