/**
 * What an inbox run did, file by file, and the exit code that follows: the worst of its files',
 * except that it never says "nothing was sent" (2) once a file sent something (product contract).
 */
import path from 'node:path';
import { interruptExitCode, type RunSummary } from '../report/summary.js';

/** What happened to one file of the inbox. */
export interface InboxFile {
  readonly name: string;
  readonly outcome: 'processed' | 'rejected' | 'left' | 'waiting';
  /** The file's exit code (`left` and `waiting` files not run: undefined). */
  readonly exitCode: number | undefined;
  /** Where the file is now, and its results or error file. */
  readonly movedTo?: string;
  readonly results?: string;
  readonly summary?: RunSummary;
  readonly message?: string;
}

/** What an inbox run did. */
export interface InboxSummary {
  readonly exitCode: number;
  readonly files: readonly InboxFile[];
  readonly text: string;
}

/**
 * The inbox's exit code: the worst of its files', 128 + the signal's number if `signal` stopped it.
 * Once any file sent something, a file that sent nothing because it was refused counts as 1 (some
 * rows are not applied), and one that stopped the inbox (a refused secret) as 3 (aborted part-way).
 */
export function inboxExitCode(files: readonly InboxFile[], signal: string | undefined): number {
  const sent = files.some((f) => (f.summary?.sent ?? 0) > 0);
  const codes = files.map((f) => {
    if (f.exitCode !== 2 || !sent) return f.exitCode ?? 0;
    return f.outcome === 'rejected' ? 1 : 3;
  });
  const worst = Math.max(0, ...codes);
  return signal === undefined ? worst : Math.max(worst, interruptExitCode(signal));
}

/** One line for a file: what became of it, where it went, its counts and why. */
function describeFile(dir: string, f: InboxFile): string {
  const counts = f.summary
    ? Object.entries(f.summary.counts)
        .filter(([, n]) => n > 0)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ')
    : '';
  const code = f.exitCode === undefined ? '' : ` (exit ${f.exitCode})`;
  const where = f.movedTo ? ` -> ${path.relative(dir, f.movedTo)}` : '';
  const why = f.message && f.outcome !== 'processed' ? `; ${f.message}` : '';
  return `  ${f.name}: ${f.outcome}${code}${where}${counts ? `; ${counts}` : ''}${why}`;
}

/** The inbox's report: a line of totals and the exit code, then one line per file. */
export function describeInbox(dir: string, files: readonly InboxFile[], exitCode: number): string {
  if (files.length === 0) return `inbox ${dir}: no .csv or .xlsx file to process`;
  const by = (o: InboxFile['outcome']) => files.filter((f) => f.outcome === o).length;
  return [
    `inbox ${dir}: ${by('processed')} processed, ${by('rejected')} rejected, ${by('left')} left, ${by('waiting')} waiting; exit ${exitCode}`,
    ...files.map((f) => describeFile(dir, f)),
  ].join('\n');
}
