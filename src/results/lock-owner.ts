/**
 * Who holds a lock, and whether that run is still there. A process id alone does not say: after a
 * reboot, or in a container started afresh each night, the id comes back for another process. On
 * Linux three things tell a process apart for certain: the boot it runs in (the kernel's boot id),
 * its process id, and its start time (clock ticks since boot, field 22 of /proc/<pid>/stat). The
 * pid namespace says whether that id means the same process here: a container on the same machine
 * has its own ids. Where the owner cannot be looked at (another container, another machine), the
 * lock file's modification time, refreshed by its holder while it runs, says whether it is alive.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

/** What a lock file holds about the run that holds it. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** When the lock was taken (ISO time). */
  readonly started: string;
  /** The kernel's boot id (Linux); absent in locks written elsewhere or by earlier versions. */
  readonly bootId?: string | undefined;
  /** The process's start time in clock ticks since boot (Linux). */
  readonly startTicks?: string | undefined;
  /** The pid namespace the process id belongs to (Linux), e.g. `pid:[4026531836]`. */
  readonly pidNamespace?: string | undefined;
}

/** The holder refreshes its lock file's modification time this often while it holds it. */
export const REFRESH_MS = 30_000;
/** A lock not refreshed for this long was left by a run that is gone. */
export const STALE_MS = 5 * 60_000;

/** What this process can see of the machine and of other processes. */
export interface Vantage {
  readonly pid: number;
  readonly host: string;
  readonly bootId: string | undefined;
  readonly pidNamespace: string | undefined;
  /**
   * The start time of process `pid` here: undefined if there is no such process, null if it
   * cannot be read (no /proc).
   */
  startTicksOf(pid: number): string | undefined | null;
  /** Whether a process `pid` exists here (signal 0). */
  exists(pid: number): boolean;
}

/** Whether a lock's owner is still running, is gone (and why), or cannot be judged from here. */
export type Verdict =
  | { readonly state: 'alive'; readonly where: 'here' | 'container' }
  | { readonly state: 'gone'; readonly why: string }
  | { readonly state: 'unknown'; readonly why: string };

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat, counted after the command name, which may hold spaces and ')'. */
export function startTicksIn(stat: string): string | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

/** What this process sees: the real machine's boot id, namespaces and processes. */
export function realVantage(): Vantage {
  let pidNamespace: string | undefined;
  try {
    pidNamespace = readlinkSync('/proc/self/ns/pid');
  } catch {
    pidNamespace = undefined;
  }
  return {
    pid: process.pid,
    host: os.hostname(),
    bootId: readText('/proc/sys/kernel/random/boot_id'),
    pidNamespace,
    startTicksOf(pid) {
      try {
        return startTicksIn(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : null;
      }
    },
    exists(pid) {
      try {
        process.kill(pid, 0);
        return true;
      } catch (error) {
        // EPERM: the process exists but belongs to someone else.
        return (error as NodeJS.ErrnoException).code === 'EPERM';
      }
    },
  };
}

/** The owner record for this process, to write into a lock it takes. */
export function ownerHere(here: Vantage = realVantage()): LockOwner {
  return {
    pid: here.pid,
    host: here.host,
    started: new Date().toISOString(),
    bootId: here.bootId,
    startTicks: here.startTicksOf(here.pid) ?? undefined,
    pidNamespace: here.pidNamespace,
  };
}

/**
 * Whether `owner` still runs. `refreshedMsAgo` is how long ago its lock file was last modified
 * (the holder refreshes it every REFRESH_MS), used only where the process cannot be looked at.
 */
export function judgeOwner(owner: LockOwner, refreshedMsAgo: number, here: Vantage = realVantage()): Verdict {
  if (owner.bootId === undefined || here.bootId === undefined) return judgeByHost(owner, here);
  if (owner.bootId !== here.bootId) {
    if (owner.host === here.host) return { state: 'gone', why: 'this machine has restarted since' };
    // Another machine, or this one restarted under a new name (a container): its refreshes tell.
    if (refreshedMsAgo > STALE_MS) return { state: 'gone', why: notRefreshed(refreshedMsAgo) };
    return { state: 'unknown', why: `it was refreshed ${Math.round(refreshedMsAgo / 1000)} s ago` };
  }
  if (owner.pidNamespace !== here.pidNamespace) {
    // Another container on this machine: its process ids are not ours to look up.
    if (refreshedMsAgo > STALE_MS) return { state: 'gone', why: notRefreshed(refreshedMsAgo) };
    return { state: 'alive', where: 'container' };
  }
  const ticks = here.startTicksOf(owner.pid);
  if (ticks === null) return here.exists(owner.pid) ? { state: 'alive', where: 'here' } : notRunning(owner);
  if (ticks === undefined) return notRunning(owner);
  if (owner.startTicks !== undefined && ticks !== owner.startTicks) {
    return { state: 'gone', why: `process id ${owner.pid} now belongs to another process` };
  }
  return { state: 'alive', where: 'here' };
}

/** A lock without a boot id (written elsewhere or by an earlier version): the host and pid tell. */
function judgeByHost(owner: LockOwner, here: Vantage): Verdict {
  if (owner.host !== here.host) return { state: 'unknown', why: 'it cannot be checked from here' };
  // This very process id, reused after a crash (PID 1 in a container).
  if (owner.pid === here.pid) return { state: 'gone', why: `process id ${owner.pid} is this run's now` };
  return here.exists(owner.pid) ? { state: 'alive', where: 'here' } : notRunning(owner);
}

function notRunning(owner: LockOwner): Verdict {
  return { state: 'gone', why: `process ${owner.pid} is no longer running` };
}

function notRefreshed(ms: number): string {
  return `it has not been refreshed for ${Math.round(ms / 60_000)} min`;
}

/** Read an owner record from a lock file's text; undefined if it is not one. */
export function parseOwner(raw: string): LockOwner | undefined {
  try {
    const info = JSON.parse(raw) as Record<string, unknown>;
    if (typeof info.pid !== 'number' || typeof info.host !== 'string') return undefined;
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    return {
      pid: info.pid,
      host: info.host,
      started: String(info.started),
      bootId: text(info.bootId),
      startTicks: text(info.startTicks),
      pidNamespace: text(info.pidNamespace),
    };
  } catch {
    return undefined;
  }
}
