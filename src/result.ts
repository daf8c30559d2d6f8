/**
 * What happened to one row: a value, never an exception. The results file has one per input row.
 */

/** The status column. */
export type RowStatus = 'success' | 'failed' | 'invalid' | 'not_attempted' | 'valid';

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
  /** Milliseconds from the first attempt's start to the outcome (for the summary; not written). */
  readonly durationMs?: number | undefined;
  /** Set when this outcome means the whole run must stop (the token was refused). */
  readonly stopRun?: string | undefined;
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
