/**
 * What happened to one row: a value, never an exception. The results file has one per input row.
 */

/**
 * The status column: `valid` only in a dry run, `change` only in a plan (`--plan`), `unchanged`
 * (already at its value, nothing written) in a plan or with `--skip-unchanged`.
 */
export type RowStatus = 'success' | 'failed' | 'invalid' | 'not_attempted' | 'valid' | 'change' | 'unchanged';

/** Every status, in the order the summary lists them. */
export const ROW_STATUSES: readonly RowStatus[] = [
  'success',
  'change',
  'unchanged',
  'failed',
  'invalid',
  'not_attempted',
  'valid',
];

/** A count of zero for every status. */
export function zeroCounts(): Record<RowStatus, number> {
  return Object.fromEntries(ROW_STATUSES.map((s) => [s, 0])) as Record<RowStatus, number>;
}

/** The error type of a write answered 204 whose value the read-back (`--verify`) did not find. */
export const NOT_APPLIED = 'NotApplied';

/** The outcome of one row. */
export interface RowResult {
  readonly status: RowStatus;
  /** The last HTTP status received, if any. */
  readonly httpStatus?: number | undefined;
  /** How many requests were sent for this row. */
  readonly attempts: number;
  /** The `X-Correlation-Id` sent on every attempt of this row. */
  readonly correlationId?: string | undefined;
  readonly errorType?: string | undefined;
  readonly errorDescription?: string | undefined;
  /** `propertyName: first; second | other: …`, from the API's `errors[]` or our validation. */
  readonly errorDetails?: string | undefined;
  /** The code of the network error that ended the row (`ECONNREFUSED`, `ENOTFOUND`, `EPROTO`…), to tell causes apart; not written. */
  readonly errorCode?: string | undefined;
  /** Milliseconds from the first attempt's start to the outcome (for the summary; not written). */
  readonly durationMs?: number | undefined;
  /** Set when this outcome means the whole run must stop (the token was refused). */
  readonly stopRun?: string | undefined;
  /**
   * The value read before the change (`--plan`, `--skip-unchanged`, `--verify`): null when it was
   * cleared (the API's null or `""`), undefined when nothing was read. Written as `previousValue`.
   */
  readonly previousValue?: string | null | undefined;
  /**
   * Some attempt of this row's write went out and got no answer (a timeout, a connection lost after
   * sending): the server may still apply it later, after the key's next row. Not written.
   */
  readonly unanswered?: boolean | undefined;
}

/** What reading a row's current value gave: the value, or why it could not be read. */
export type ReadResult = ValueRead | FailedRead;

/** A read that found the value. */
export interface ValueRead {
  readonly ok: true;
  /** The current value; null when cleared (the API's null or `""` alike) or never set. */
  readonly value: string | null;
  /** The HTTP status of the answer (a 2xx). */
  readonly httpStatus: number;
  /** How many requests were sent for this read. */
  readonly attempts: number;
  /** The `X-Correlation-Id` sent on every attempt of this read. */
  readonly correlationId: string;
  /** Milliseconds from the first attempt's start to the answer. */
  readonly durationMs?: number | undefined;
}

/**
 * A read that could not find the value. `result` is what the row reports for it, with the API's
 * words: `failed` (a refusal such as 404 or 403, retries spent, no answer, or `UnexpectedAnswer`
 * for a 2xx without the value), or `not_attempted` when a stop or a missing token kept it from
 * going out; `stopRun` is set when the run must stop, as for a write.
 */
export interface FailedRead {
  readonly ok: false;
  readonly result: RowResult;
}

/** A row sent to the API whose result could not be written to the results file (a full disk). */
export interface UnrecordedRow {
  readonly line: number;
  readonly status: RowStatus;
  readonly correlationId: string;
}

/** One line of the results file: where the row was, its input cells, and what happened. */
export interface ResultLine {
  readonly line: number;
  /** The kind's three input cells, as written in the input. */
  readonly cells: readonly [string, string, string];
  /** Extra input cells, carried only with `--keep-columns`. */
  readonly extras: readonly string[];
  readonly result: RowResult;
  /** A row kept from an earlier run (`--resume`): its cells, copied unchanged. */
  readonly raw?: readonly string[] | undefined;
}

/** A list of `{propertyName, description[]}` flattened as `name: first; second | other: …`. */
export function flattenErrors(
  errors:
    | readonly { propertyName?: string | null; description?: readonly string[] | string | null }[]
    | null
    | undefined,
): string | undefined {
  if (!errors || errors.length === 0) return undefined;
  const parts = errors.map((e) => {
    const descriptions = Array.isArray(e.description) ? e.description : e.description ? [e.description] : [];
    const text = descriptions.filter((d) => typeof d === 'string' && d !== '').join('; ');
    return e.propertyName ? `${e.propertyName}: ${text}` : text;
  });
  return parts.filter((p) => p !== '').join(' | ') || undefined;
}
