/**
 * The row number of every data row, kept small: a row's number is stored only where it is not one
 * more than the row before (after blank rows), so most files need a single entry. A run that can
 * no longer read its input still knows from this the row of each row it writes as not attempted.
 */
export class RowLines {
  /** Pairs (index of a data row, its row number), where the numbering jumps. */
  private readonly jumps: number[] = [];
  private count = 0;
  private last = 0;

  /** The next data row is at row `line`. */
  add(line: number): void {
    if (this.count === 0 || line !== this.last + 1) this.jumps.push(this.count, line);
    this.last = line;
    this.count++;
  }

  /** How many data rows there are. */
  get size(): number {
    return this.count;
  }

  /** The row number of data row `index` (counted from 0); undefined past the last one. */
  lineOf(index: number): number | undefined {
    if (index < 0 || index >= this.count) return undefined;
    const { jumps } = this;
    let low = 0;
    let high = jumps.length / 2 - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((jumps[2 * mid] as number) <= index) low = mid;
      else high = mid - 1;
    }
    return (jumps[2 * low + 1] as number) + index - (jumps[2 * low] as number);
  }
}
