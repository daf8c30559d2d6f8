/**
 * Whether a file dropped in the inbox is whole yet. A copy in progress, stalled, or one that keeps
 * the source's modification time (`cp -p`, Explorer) must not be run: its last row may be cut short
 * (`PO-2026` for `PO-2026-000456`) and would be sent as it is. So a file is taken only when it was
 * not modified for `--settle-seconds`, its size and modification time stayed the same over two
 * looks a few seconds apart, and, for a CSV, it ends with a line break. The sure way to drop a
 * file is to write it elsewhere on the same filesystem and rename it into the inbox.
 */
import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** What one look at a file saw. */
export interface Look {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  /** When it was looked at (Date.now()). */
  readonly at: number;
}

/** The longest wait between the two looks, whatever `--settle-seconds` is. */
export const MAX_LOOK_GAP_SECONDS = 5;

/** The time between the two looks at a file: the settle time, at most MAX_LOOK_GAP_SECONDS. */
export function lookGapMs(settleSeconds: number): number {
  return Math.min(settleSeconds, MAX_LOOK_GAP_SECONDS) * 1000;
}

/** Look at `file`; undefined if it is gone. */
export async function lookAt(file: string): Promise<Look | undefined> {
  const info = await stat(file).catch(() => undefined);
  return info && { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, at: Date.now() };
}

/** Wait until `gapMs` after `since` (ended early, without error, when `signal` aborts). */
export async function waitForSecondLook(since: number, gapMs: number, signal?: AbortSignal): Promise<void> {
  const left = since + gapMs - Date.now();
  if (left > 0) await sleep(left, undefined, { signal }).catch(() => undefined);
}

/**
 * Why `file` is not yet to be taken, or undefined if it is: `first` is the look taken when the
 * inbox was scanned, `second` one taken now (at least the look gap later).
 */
export async function notSettled(
  file: string,
  first: Look,
  second: Look,
  settleSeconds: number,
): Promise<string | undefined> {
  const age = (second.at - second.mtimeMs) / 1000;
  if (age < settleSeconds) return `modified ${Math.round(age)} s ago; left for the next run`;
  if (second.size !== first.size || second.mtimeMs !== first.mtimeMs || second.ino !== first.ino) {
    const apart = ((second.at - first.at) / 1000).toFixed(1);
    return (
      `changed between two looks ${apart} s apart (${first.size} then ${second.size} bytes): it is still ` +
      'being written; left for the next run'
    );
  }
  if (/\.csv$/i.test(file) && !(await endsWithLineBreak(file, second.size))) {
    return (
      'does not end with a line break, so its last row may be cut short: it is still being written, ' +
      'or it needs a line break after its last row; left for the next run'
    );
  }
  return undefined;
}

/** Whether the file's last character is a line break, in UTF-8, a single-byte code or UTF-16. */
async function endsWithLineBreak(file: string, size: number): Promise<boolean> {
  if (size === 0) return false;
  const handle = await open(file, 'r');
  try {
    const tail = Buffer.alloc(Math.min(2, size));
    await handle.read(tail, 0, tail.length, size - tail.length);
    const isBreak = (byte: number | undefined) => byte === 0x0a || byte === 0x0d;
    const last = tail[tail.length - 1];
    // UTF-16: `\n` is 0a 00 little-endian, 00 0a big-endian.
    return isBreak(last) || (last === 0 && tail.length === 2 && isBreak(tail[0]));
  } finally {
    await handle.close();
  }
}
