/**
 * What becomes of one data row, decided from plain facts: kept from an earlier run, sent, sent
 * again, invalid, only checked (a dry run), or not attempted (the run is stopping). The row loop
 * (rows.ts) reads the row, asks here, and carries the decision out.
 *
 * The one rule that needs memory is the resume's: a row the earlier results hold as `success` is
 * kept, unless an earlier row of the same key was handed to the API in this run. Then the later
 * row must be applied again after it, or the last row in the file would not win.
 */
import type { Change } from '../kinds.js';
import type { RowProblem } from '../input/validate.js';

/** A valid row's change with its key (rows with the same key target the same thing), or its problems. */
export type KeyedValidation =
  { readonly change: Change; readonly key: string } | { readonly problems: readonly RowProblem[] };

/** What is known about one row when its turn comes. */
export interface RowFacts {
  /** The cells of this line's earlier `success` (a resumed run), or undefined if it has none. */
  readonly held: readonly string[] | undefined;
  readonly validation: KeyedValidation;
  /** False in a dry run: nothing is sent. */
  readonly sending: boolean;
  /** The run is stopping: nothing new starts. */
  readonly stopping: boolean;
}

/** Send the row (`resend`: its line was a success already, but an earlier row of its key was sent). */
export interface SendDecision {
  readonly action: 'send' | 'resend';
  readonly change: Change;
  readonly key: string;
}

/** What to do with one row. */
export type RowDecision =
  /** Copy the earlier success as it is written. */
  | { readonly action: 'keep'; readonly cells: readonly string[] }
  /** Write it `invalid`; never sent. */
  | { readonly action: 'invalid'; readonly problems: readonly RowProblem[] }
  /** A dry run: write it `valid`. */
  | { readonly action: 'check' }
  | SendDecision
  /** The run is stopping: write it `not_attempted`. */
  | { readonly action: 'not_attempted'; readonly key: string };

/**
 * Decide one row. `handed` holds the keys of the rows handed to the API earlier in this resumed
 * run (sent, or not attempted because the run was stopping).
 */
export function decideRow(row: RowFacts, handed: ReadonlySet<string>): RowDecision {
  const { held, validation } = row;
  const key = 'key' in validation ? validation.key : undefined;
  // An earlier success is kept even if the row is invalid now (say, run again without
  // --allow-clear): the earlier run applied it.
  if (held && !(key !== undefined && handed.has(key))) return { action: 'keep', cells: held };
  if ('problems' in validation) return { action: 'invalid', problems: validation.problems };
  if (!row.sending) return { action: 'check' };
  if (row.stopping) return { action: 'not_attempted', key: validation.key };
  return { action: held ? 'resend' : 'send', change: validation.change, key: validation.key };
}

/** Whether the row is to be sent. */
export function isSend(decision: RowDecision): decision is SendDecision {
  return decision.action === 'send' || decision.action === 'resend';
}

/** Whether a decision hands the row's key to the API, so that later rows of the key are not kept. */
function handsKey(decision: RowDecision): decision is Extract<RowDecision, { key: string }> {
  return 'key' in decision;
}

/** Decides the rows of one run in input order, remembering which keys were handed to the API. */
export class RowDecisions {
  /** Kept in a resumed run only: it sends just the rows not applied before, so the set stays small. */
  private readonly handed = new Set<string>();

  /** `resumed`: the run continues earlier results, so rows may be held as success. */
  constructor(private readonly resumed: boolean) {}

  /** The decision for the next row. */
  next(row: RowFacts): RowDecision {
    const decision = decideRow(row, this.handed);
    // A row left not attempted marks its key too, as it always has, so a later row of the key is
    // not attempted either rather than kept. Both are safe: the next resume sends the earlier row,
    // and then the later one again after it.
    if (this.resumed && handsKey(decision)) this.handed.add(decision.key);
    return decision;
  }
}
