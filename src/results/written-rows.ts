/**
 * Which rows handed to the results file are on disk. The stringifier produces one chunk per
 * record (the byte-order mark and the header first), so each row's end in the file is known; a
 * row is on disk once the file stream has written that far. When the file fails (a full disk),
 * the rows after the last whole one on disk are the rows not recorded, and the file is cut back
 * to that whole row so it never ends in a torn one.
 */
import type { ResultLine, UnrecordedRow } from '../result.js';

/** The rows handed to one results file, by where they end in it. */
export class WrittenRows {
  /** Bytes the stringifier has produced so far. */
  private produced = 0;
  /** Where the last row known to be on disk ends. */
  private onDisk = 0;
  /** Rows handed to the stringifier whose bytes have not come out yet (the BOM and header first). */
  private readonly awaiting: (UnrecordedRow | undefined)[] = [undefined, undefined];
  /** Rows produced but perhaps not on disk yet, with where each ends. */
  private readonly pending: { end: number; row: UnrecordedRow | undefined }[] = [];
  /** Rows handed after the file failed: dropped. */
  private readonly dropped: UnrecordedRow[] = [];

  /** A row goes to the stringifier. */
  handed(row: ResultLine): void {
    this.awaiting.push(sentRow(row));
  }

  /** The stringifier produced the next record's `bytes`. */
  produce(bytes: number): void {
    this.produced += bytes;
    this.pending.push({ end: this.produced, row: this.awaiting.shift() });
  }

  /** The file stream has written `bytes` in all. */
  written(bytes: number): void {
    while (this.pending.length > 0 && this.pending[0]!.end <= bytes) this.onDisk = this.pending.shift()!.end;
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
    const notOnDisk = [...this.pending.map((p) => p.row), ...this.awaiting, ...this.dropped];
    return notOnDisk.filter((row): row is UnrecordedRow => row !== undefined);
  }
}

/** A row this run sent to the API (not one copied from earlier results), as the log names it. */
function sentRow(row: ResultLine): UnrecordedRow | undefined {
  if (row.raw !== undefined || row.result.attempts === 0) return undefined;
  return { line: row.line, status: row.result.status, correlationId: row.result.correlationId ?? '' };
}
