/**
 * Rows finish in any order; the results file must list them in input order. This buffer holds the
 * finished rows that are ahead of the oldest unfinished one and writes each as soon as every row
 * before it is written. The run never lets more than a window of rows be unwritten, which bounds
 * this buffer.
 */
import type { ResultLine } from '../result.js';
import type { ResultsWriter } from './results-writer.js';

/** Writes finished rows in sequence order. */
export class OrderedOutput {
  private readonly finished = new Map<number, ResultLine>();
  private nextSeq = 0;
  /** Set while the file stream asks for a pause; resolves when writing may go on. */
  private paused: Promise<void> | undefined;
  private waiter: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(
    private readonly writer: ResultsWriter,
    private readonly onWrite: (row: ResultLine) => void = () => undefined,
  ) {}

  /** Rows written so far. */
  get written(): number {
    return this.nextSeq;
  }

  /** Row number `seq` (0-based, in input order) has finished. */
  finish(seq: number, row: ResultLine): void {
    // The row next in order is written at once, without the map: in a dry run every row is.
    if (seq === this.nextSeq && this.paused === undefined) {
      if (this.writeNext(row)) this.drain();
    } else this.finished.set(seq, row);
  }

  /** Write every finished row that is next in order, synchronously, until the stream asks for a pause. */
  private drain(): void {
    for (
      let row = this.finished.get(this.nextSeq);
      row !== undefined;
      row = this.finished.get(this.nextSeq)
    ) {
      this.finished.delete(this.nextSeq);
      if (!this.writeNext(row)) return;
    }
  }

  /** Write `row`, the next in order; false when the stream asks for a pause (then the drain resumes later). */
  private writeNext(row: ResultLine): boolean {
    this.nextSeq++;
    const more = this.writer.write(row);
    this.onWrite(row);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve();
    if (more) return true;
    this.paused = this.writer.drained().then(() => {
      this.paused = undefined;
      this.drain();
    });
    return false;
  }

  /** Resolves after the next row is written. */
  nextWrite(): Promise<void> {
    if (!this.waiter) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.waiter = { promise, resolve };
    }
    return this.waiter.promise;
  }

  /** Resolves when every finished row has been handed to the file stream. */
  async flushed(): Promise<void> {
    while (this.paused) await this.paused;
  }
}
