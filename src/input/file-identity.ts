/**
 * Which file the input is and what state it is in (device, inode, size, modification time), and a
 * watch on it: a run is told when the file it reads is written, replaced or removed.
 */
import type { BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';

/** Which file it is and what state it was in. */
export interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
}

/** The identity of a file from its stats. */
export function identityOf(stats: BigIntStats): FileIdentity {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeNs: stats.mtimeNs };
}

/** How `now` differs from `before`, in words; undefined if it does not. */
export function identityChange(before: FileIdentity, now: FileIdentity): string | undefined {
  if (now.dev !== before.dev || now.ino !== before.ino) return 'it was replaced by another file';
  if (now.size !== before.size) return `its size went from ${before.size} to ${now.size} bytes`;
  if (now.mtimeNs !== before.mtimeNs) {
    const when = new Date(Number(now.mtimeNs / 1_000_000n)).toISOString();
    return `it was written again at ${when}`;
  }
  return undefined;
}

/** The identity of `file` as it is now, or how it went missing. */
export async function currentIdentity(file: string): Promise<FileIdentity | string> {
  try {
    return identityOf(await stat(file, { bigint: true }));
  } catch (error) {
    return `it cannot be found any more (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}

/** How often a run looks at its input to notice a change. */
export const WATCH_INTERVAL_MS = 250;

/**
 * Call `onChange` (once) when `file` is no longer the file fingerprinted: another file, another
 * size, written again, gone. The bytes a run reads are checked block by block anyway; this tells
 * it that the file changed even when every byte had been read before. Returns how to stop watching.
 */
export function watchInput(
  file: string,
  identity: FileIdentity,
  onChange: (detail: string) => void,
  intervalMs = WATCH_INTERVAL_MS,
): () => void {
  let looking = false;
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    clearInterval(timer);
  };
  const look = async (): Promise<void> => {
    const now = await currentIdentity(file);
    const change = typeof now === 'string' ? now : identityChange(identity, now);
    if (change === undefined || stopped) return;
    stop();
    onChange(change);
  };
  const timer = setInterval(() => {
    if (looking || stopped) return;
    looking = true;
    void look().finally(() => (looking = false));
  }, intervalMs);
  timer.unref();
  return stop;
}
