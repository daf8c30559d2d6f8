/**
 * What becomes of one data row, decided from plain facts: kept from an earlier run, sent, sent
 * again, invalid, only checked (a dry run), or not attempted (the run is stopping). The row loop
 * (rows.ts) reads the row, asks here, and carries the decision out.
 *
 * The one rule that needs memory is the resume's: a row the earlier results hold as `success` is
 * kept, unless an earlier row of the same key was applied after it: handed to the API in this
 * run, or applied by a later run than this row's (one whose partial file holds it, when this row's
 * record is older). Then the later row must be applied again after it, or the last row in the file
 * would not win. A row refused for good (400, 403, 404) keeps its outcome and applies nothing.
 */
import type { Change } from '../kinds.js';
import type { HeaderMap } from '../input/header.js';
import {
  describeProblems,
  validateRecord,
  type RowProblem,
  type ValidateOptions,
} from '../input/validate.js';
import { flattenErrors, type RowResult } from '../result.js';
import type { Held } from '../results/resume.js';
import { NOT_ATTEMPTED } from './row-task.js';

/** A valid row's change with its key (rows with the same key target the same thing), or its problems. */
export type KeyedValidation =
  { readonly change: Change; readonly key: string } | { readonly problems: readonly RowProblem[] };

/** Validate a data row's `cells` and key its change. */
export function keyedValidation(
  header: HeaderMap,
  cells: readonly string[],
  options: ValidateOptions,
): KeyedValidation {
  const validation = validateRecord(header, cells, options);
  return 'change' in validation
    ? { change: validation.change, key: header.kind.key(validation.change) }
    : validation;
}

/** What is known about one row when its turn comes. */
export interface RowFacts {
  /** This line's earlier success or refusal for good (a resumed run), or undefined if it has none. */
  readonly held: Held | undefined;
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
  /** Copy the earlier result as it is written; `result` is what it counts as. */
  | { readonly action: 'keep'; readonly cells: readonly string[]; readonly result: RowResult }
  /** Write it `invalid`; never sent. */
  | { readonly action: 'invalid'; readonly problems: readonly RowProblem[] }
  /** A dry run: write it `valid`. */
  | { readonly action: 'check' }
  | SendDecision
  /** The run is stopping: write it `not_attempted`. */
  | { readonly action: 'not_attempted'; readonly key: string };

/** A dry run's decision: one object for every row (a dry run of a million rows allocated one each). */
const CHECK: RowDecision = { action: 'check' };

/** What a row only checked counts as. */
const VALID: RowResult = { status: 'valid', attempts: 0 };

/** The `origin` of a key handed to the API in this run: later than every earlier run's. */
export const THIS_RUN = Number.POSITIVE_INFINITY;

/**
 * Decide one row. `applied` holds, by key, the latest run that applied an earlier row of the key
 * as a source number (`Held.origin`), `THIS_RUN` for the keys of rows handed to the API earlier in
 * this resumed run (sent, or not attempted because the run was stopping). A key absent from it had
 * no earlier row applied after the first run's.
 */
export function decideRow(row: RowFacts, applied: ReadonlyMap<string, number>): RowDecision {
  const { held, validation } = row;
  const key = 'key' in validation ? validation.key : undefined;
  // An earlier result is kept even if the row is invalid now (say, run again without
  // --allow-clear): the earlier run applied it, or the API refused it.
  if (held && (held.status === 'failed' || key === undefined || (applied.get(key) ?? 0) <= held.origin))
    return { action: 'keep', cells: held.cells, result: heldResult(held) };
  if ('problems' in validation) return { action: 'invalid', problems: validation.problems };
  if (!row.sending) return CHECK;
  if (row.stopping) return { action: 'not_attempted', key: validation.key };
  return { action: held ? 'resend' : 'send', change: validation.change, key: validation.key };
}

/** What a kept row counts as: its earlier status and attempts (the cells are copied as written). */
function heldResult(held: Held): RowResult {
  return { status: held.status, attempts: held.attempts };
}

/** Whether the row is to be sent. */
export function isSend(decision: RowDecision): decision is SendDecision {
  return decision.action === 'send' || decision.action === 'resend';
}

/** Whether a decision hands the row's key to the API, so that later rows of the key are not kept. */
function handsKey(decision: RowDecision): decision is Extract<RowDecision, { key: string }> {
  return 'key' in decision;
}

/**
 * What a resume will keep if it runs to its end, decided row by row as the run will decide them:
 * a success whose key an earlier row must be applied again before is sent again, not kept.
 */
export class KeptCount {
  private readonly decisions = new RowDecisions(true);
  /** Rows kept as applied. */
  kept = 0;
  /** Rows kept as refused for good. */
  refused = 0;

  constructor(
    private readonly header: HeaderMap,
    private readonly options: ValidateOptions,
  ) {}

  /** The next data row's `cells`, and what the earlier results hold for it. */
  row(cells: readonly string[], held: Held | undefined): void {
    const validation = keyedValidation(this.header, cells, this.options);
    const decision = this.decisions.next({ held, validation, sending: true, stopping: false });
    if (decision.action !== 'keep') return;
    if (held?.status === 'failed') this.refused++;
    else this.kept++;
  }
}

/** Decides the rows of one run in input order, remembering which run last applied each key. */
export class RowDecisions {
  /**
   * Kept in a resumed run only, and only for keys applied after the first run: a resume sends
   * just the rows not applied before, so the map stays small.
   */
  private readonly applied = new Map<string, number>();

  /** `resumed`: the run continues earlier results, so rows may be held. */
  constructor(private readonly resumed: boolean) {}

  /** The decision for the next row. */
  next(row: RowFacts): RowDecision {
    const decision = decideRow(row, this.applied);
    if (!this.resumed) return decision;
    // A row left not attempted marks its key too, as it always has, so a later row of the key is
    // not attempted either rather than kept. Both are safe: the next resume sends the earlier row,
    // and then the later one again after it.
    if (handsKey(decision)) this.applied.set(decision.key, THIS_RUN);
    else if (decision.action === 'keep' && row.held?.status === 'success' && 'key' in row.validation) {
      const { key } = row.validation;
      const origin = row.held.origin;
      if (origin > (this.applied.get(key) ?? 0)) this.applied.set(key, origin);
    }
    return decision;
  }
}

/** The result of a row that is not sent. */
export function settledResult(decision: Exclude<RowDecision, SendDecision>): RowResult {
  switch (decision.action) {
    case 'keep':
      return decision.result;
    case 'invalid':
      return invalid(decision.problems);
    case 'check':
      return VALID;
    case 'not_attempted':
      return NOT_ATTEMPTED;
  }
}

function invalid(problems: Parameters<typeof describeProblems>[0]): RowResult {
  return {
    status: 'invalid',
    attempts: 0,
    errorType: 'ValidationError',
    errorDescription: describeProblems(problems),
    errorDetails: flattenErrors(problems),
  };
}
