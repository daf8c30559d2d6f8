/**
 * Rows finish in any order; the results file must list them in input order. This buffer holds the
 * finished rows that are ahead of the oldest unfinished one and writes each as soon as every row
 * before it is written. The run never lets more than a window of rows be unwritten, which bounds
 * this buffer.
 */
import type { ResultLine } from './result.js';
import type { ResultsWriter } from './results-writer.js';

/** Writes finished rows in sequence order. */
export class OrderedOutput {
  private readonly finished = new Map<number, ResultLine>();
  private nextSeq = 0;
  private chain: Promise<void> = Promise.resolve();
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
    this.finished.set(seq, row);
    if (seq !== this.nextSeq) return;
    this.chain = this.chain.then(() => this.drain());
  }

  private async drain(): Promise<void> {
    for (
      let row = this.finished.get(this.nextSeq);
      row !== undefined;
      row = this.finished.get(this.nextSeq)
    ) {
      this.finished.delete(this.nextSeq);
      await this.writer.write(row);
      this.nextSeq++;
      this.onWrite(row);
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter?.resolve();
    }
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

  /** Resolves when every finished row has been written. */
  async flushed(): Promise<void> {
    await this.chain;
  }
}
