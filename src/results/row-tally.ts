/**
 * The rows of a run by outcome, counted as the ordered output hands them to the results file. A
 * row is counted whether or not the file could take it: after a full disk, rows already applied
 * are still counted by their outcome (the log and the summary name the ones not written), and rows
 * the run never reached are `not_attempted`, so the counts always sum to the rows of the input.
 */
import { NOT_APPLIED, zeroCounts, type ResultLine, type RowStatus } from '../result.js';

/** Counts of one run's rows. */
export class RowTally {
  /** Rows by status. */
  readonly counts: Record<RowStatus, number> = zeroCounts();
  /** Of those, the rows copied from earlier results (a resume): applied, and refused for good. */
  readonly kept = { success: 0, failed: 0 };
  /** Rows failed `NotApplied` (`--verify`). */
  readonly notApplied = { count: 0 };

  /** A row was handed to the results file (written, or not because the file failed). */
  count(row: ResultLine): void {
    const { status } = row.result;
    this.counts[status]++;
    if (row.raw !== undefined && (status === 'success' || status === 'failed')) this.kept[status]++;
    if (row.result.errorType === NOT_APPLIED) this.notApplied.count++;
  }

  /** The run is over: the `rows` of the input it never handed on (it stopped early) were not attempted. */
  complete(rows: number | undefined): void {
    const counted = Object.values(this.counts).reduce((a, b) => a + b, 0);
    if (rows !== undefined && rows > counted) this.counts.not_attempted += rows - counted;
  }
}
