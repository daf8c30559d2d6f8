/**
 * `--verify`, after the last row: read back the final value of every key that had several rows, so
 * "the last row wins" is checked, not assumed. To find those keys without keeping every key of a
 * long file, each key seen is kept as a 30-bit hash (a small integer V8 stores in the Set itself,
 * about 16 bytes a row); only keys seen again are kept whole, with their last row. A hash shared by
 * two keys costs one read of a key that had one row (some hundreds in a million rows), never a
 * missed one.
 */
import { randomUUID } from 'node:crypto';
import type { ApiClient } from '../api/client.js';
import type { Change, Kind } from '../kinds.js';
import { NOT_APPLIED, type RowResult, type RowStatus } from '../result.js';
import { amendResults } from '../results/amend.js';
import { neutralise } from '../results/results-writer.js';
import { redactor } from '../report/redact.js';
import type { KeyChains } from './key-chains.js';
import { NOT_ATTEMPTED } from './row-task.js';
import { readUntilSame, sameValue, shown } from './verify.js';

/** The last row of a key with several rows, and how it ended. */
interface LastRow {
  readonly line: number;
  readonly change: Change;
  status: RowResult['status'] | undefined;
}

/** A key whose final value is not its last row's. */
export interface FinalMismatch {
  /** The key's last row in the file, and the status it was written with. */
  readonly line: number;
  readonly status: RowStatus;
  readonly text: string;
}

/** What the final read-back found. */
export interface FinalCheck {
  /** Keys with several rows whose last row succeeded (or was unchanged), read back. */
  readonly checked: number;
  readonly mismatches: readonly FinalMismatch[];
  /** One sentence for the summary, or undefined when no key had several rows. */
  readonly note: string | undefined;
}

/** FNV-1a over the key, cut to 30 bits: a small integer, so a Set of them stays small. */
export function keyHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) & 0x3fffffff;
}

/** Remembers the keys with several rows and reads their final values back at the end. */
export class FinalValues {
  private readonly seen = new Set<number>();
  private readonly several = new Map<string, LastRow>();

  /** A valid row of `key` handed to its chain. */
  row(key: string, line: number, change: Change): void {
    const hash = keyHash(key);
    if (this.seen.has(hash)) this.several.set(key, { line, change, status: undefined });
    else this.seen.add(hash);
  }

  /** How a row ended (only a key's last row matters). */
  finished(key: string, line: number, result: RowResult): void {
    const last = this.several.get(key);
    if (last?.line === line) last.status = result.status;
  }

  /** Read back every key with several rows whose last row succeeded, on the key's chain. */
  async check(chains: KeyChains, client: ApiClient, kind: Kind): Promise<FinalCheck> {
    const mismatches: FinalMismatch[] = [];
    let unread = 0;
    const due = [...this.several].filter(
      ([, last]) => last.status === 'success' || last.status === 'unchanged',
    );
    await Promise.all(
      due.map(([key, last]) =>
        chains.schedule(
          key,
          last.line,
          async () => {
            const wanted = last.change.values[kind.valueColumn] ?? null;
            const read = await readUntilSame({ client, kind }, last.change, randomUUID(), wanted);
            const found = read.ok ? read.value : undefined;
            if (!read.ok) unread++;
            else if (!sameValue(found, wanted)) {
              const text = `line ${last.line}'s target holds ${shown(found)}, not ${shown(wanted)}`;
              mismatches.push({ line: last.line, status: last.status!, text });
            }
            return NOT_ATTEMPTED;
          },
          () => NOT_ATTEMPTED,
        ),
      ),
    );
    mismatches.sort((a, b) => a.line - b.line);
    const keys = `${due.length} key${due.length === 1 ? '' : 's'} with several rows`;
    const failedReads =
      unread === 0 ? '' : ` ${unread} could not be read, so their last value is not checked.`;
    const note =
      due.length === 0
        ? undefined
        : mismatches.length === 0
          ? `--verify: read back the final value of ${keys}: all${unread > 0 ? ' read' : ''} as the file's last row.`
          : `--verify: read back the final value of ${keys}: ${mismatches.length} not as the file's last row (${mismatches
              .slice(0, 5)
              .map((m) => m.text)
              .join('; ')}${mismatches.length > 5 ? '; …' : ''}).`;
    return { checked: due.length, mismatches, note: note && `${note}${failedReads}` };
  }
}

/**
 * Write what the final read-back found into the results file: each key's last row whose value did
 * not hold becomes `failed` `NotApplied`, saying what was found; `counts` follow.
 */
export async function recordFinalCheck(
  file: string,
  check: FinalCheck,
  counts: Record<RowStatus, number>,
  notApplied: { count: number },
): Promise<void> {
  if (check.mismatches.length === 0) return;
  const amendments = new Map(
    check.mismatches.map((m) => [
      m.line,
      {
        status: 'failed',
        errorType: NOT_APPLIED,
        errorDescription: neutralise(
          redactor.redact(
            `Read back after the last row (--verify): ${m.text}; a later write must have changed it`,
          ),
        ),
      },
    ]),
  );
  await amendResults(file, amendments);
  for (const m of check.mismatches) {
    counts[m.status]--;
    counts.failed++;
    notApplied.count++;
  }
}
