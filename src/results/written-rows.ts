/**
 * Which rows handed to the results file are on disk. Each row's text is added with its length, so
 * each row's end in the file is known; a row is on disk once the file stream has written that far.
 * When the file fails (a full disk), the rows after the last whole one on disk are the rows not
 * recorded, and the file is cut back to that whole row so it never ends in a torn one.
 */
import type { ResultLine, UnrecordedRow } from '../result.js';

/** The rows handed to one results file, by where they end in it. */
export class WrittenRows {
  /** Bytes handed to the file so far. */
  private handedBytes = 0;
  /** Where the last row known to be on disk ends. */
  private onDisk = 0;
  /**
   * Rows handed but perhaps not on disk yet, from `first` on: where each ends, and the row if this
   * run sent it (undefined for the header, rows copied from earlier results, rows never sent).
   * Two plain arrays rather than an object per row: a dry run hands a million rows.
   */
  private ends: number[] = [];
  private sent: (UnrecordedRow | undefined)[] = [];
  private first = 0;
  /** Rows handed after the file failed: dropped. */
  private readonly dropped: UnrecordedRow[] = [];

  /** `bytes` of text go to the file: `row`'s line, or (no row) the byte-order mark and header. */
  added(row: ResultLine | undefined, bytes: number): void {
    this.handedBytes += bytes;
    this.ends.push(this.handedBytes);
    this.sent.push(row && sentRow(row));
  }

  /** The file stream has written `bytes` in all. */
  written(bytes: number): void {
    const { ends } = this;
    let i = this.first;
    while (i < ends.length && (ends[i] as number) <= bytes) this.onDisk = ends[i++] as number;
    this.first = i;
    // Drop what is on disk once it is most of the arrays, so they stay as short as the rows in flight.
    if (i > 1024 && i * 2 > ends.length) {
      this.ends = ends.slice(i);
      this.sent = this.sent.slice(i);
      this.first = 0;
    }
  }

  /** A row handed after the file failed, which cannot be written. */
  drop(row: ResultLine): void {
    const sent = sentRow(row);
    if (sent) this.dropped.push(sent);
  }

  /** Where the file ends at a whole row: what it is cut back to after a failure. */
  get wholeBytes(): number {
    return this.onDisk;
  }

  /** The rows this run sent that are not on disk, in file order (after a failure). */
  unrecorded(): UnrecordedRow[] {
    const notOnDisk = [...this.sent.slice(this.first), ...this.dropped];
    return notOnDisk.filter((row): row is UnrecordedRow => row !== undefined);
  }
}

/** A row this run sent to the API (not one copied from earlier results), as the log names it. */
function sentRow(row: ResultLine): UnrecordedRow | undefined {
  if (row.raw !== undefined || row.result.attempts === 0) return undefined;
  return { line: row.line, status: row.result.status, correlationId: row.result.correlationId ?? '' };
}
