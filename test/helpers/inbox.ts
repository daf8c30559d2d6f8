/** The nightly inbox's end-to-end helpers: files dropped into it settled, its folders listed, its arguments. */
import { randomUUID } from 'node:crypto';
import { readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** An hour ago: a file that old is settled as far as its modification time goes. */
export const anHourAgo = (): Date => new Date(Date.now() - 3600_000);

/** Write `text` to the inbox file `name` with an old modification time. */
export async function drop(inbox: string, name: string, text: string | Buffer): Promise<void> {
  await writeFile(path.join(inbox, name), text);
  await utimes(path.join(inbox, name), anHourAgo(), anHourAgo());
}

/** A PO-number CSV of `count` rows, every value starting with `prefix`, and its rows. */
export function poFile(count: number, prefix: string): { text: string; keys: string[] } {
  const rows = Array.from({ length: count }, (_, i) => [randomUUID(), randomUUID(), `${prefix}-${i}`]);
  return {
    text: ['customerId,subscriptionId,poNumber', ...rows.map((r) => r.join(','))].join('\n') + '\n',
    keys: rows.map(([c, s]) => `${c}/${s}`),
  };
}

/** The inbox's files by folder: what is waiting, claimed, in processed/ and in rejected/. */
export async function folders(
  inbox: string,
): Promise<Record<'waiting' | 'claimed' | 'processed' | 'rejected', string[]>> {
  const list = async (folder: string) => (await readdir(path.join(inbox, folder)).catch(() => [])).sort();
  // Sorted after the time prefix is taken off: sorted with it, two moves a second apart swapped.
  const moved = async (folder: string) =>
    (await list(folder)).map((n) => n.replace(/^\d{8}-\d{6}(-\d+)?-/, '')).sort();
  const waiting = (await readdir(inbox, { withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name);
  return {
    waiting: waiting.sort(),
    claimed: await list('.work/claimed'),
    processed: await moved('processed'),
    rejected: await moved('rejected'),
  };
}

/** The inbox on `inbox`, unpaced, settling for `settle` seconds (0.3 unless given), with `more`. */
export const inboxArgs = (inbox: string, more: string[] = [], settle = '0.3'): string[] => [
  'inbox',
  inbox,
  '--rate',
  '0',
  '--settle-seconds',
  settle,
  ...more,
];
