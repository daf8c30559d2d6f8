/**
 * `--verify`: after a write, read the value back. A 204 whose value is read back is `success`; one
 * whose value is not there is `failed` with the error type `NotApplied` and both values. A write
 * whose outcome is unknown (no answer came: a timeout, a connection lost after sending) is settled
 * by the same read instead of guessed. Reads may lag behind writes (a replica that has not caught
 * up), so a value that differs is read again a few times, a little later each time, before the row
 * is called not applied.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../api/client.js';
import type { Change, Kind } from '../kinds.js';
import { NOT_APPLIED, type ReadResult, type RowResult } from '../result.js';

/** The waits before each read again of a value that differs: 3 s in all, then it is not applied. */
export const REREAD_DELAYS_MS: readonly number[] = [200, 800, 2_000];

/** Whether two values are the same once cleared ones (null, `""`) are taken as one. */
export function sameValue(a: string | null | undefined, b: string | null | undefined): boolean {
  return (a ?? '') === (b ?? '');
}

/** A value as a person reads it in a description: quoted, or `(cleared)`. */
export function shown(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '(cleared)' : JSON.stringify(value);
}

/** What reading back needs: the client and the kind. */
export interface ReadBack {
  readonly client: ApiClient;
  readonly kind: Kind;
}

/**
 * Read the target's value until it equals `wanted` or the re-reads are spent; the last read, with
 * the requests of every read counted in `attempts`.
 */
export async function readUntilSame(
  ctx: ReadBack,
  change: Change,
  correlationId: string,
  wanted: string | null,
): Promise<ReadResult> {
  let attempts = 0;
  let read: ReadResult | undefined;
  for (const delay of [0, ...REREAD_DELAYS_MS]) {
    if (delay > 0) await sleep(delay);
    read = await ctx.client.read(ctx.kind, change, correlationId);
    attempts += read.ok ? read.attempts : read.result.attempts;
    if (!read.ok || sameValue(read.value, wanted)) break;
  }
  const last = read!;
  return last.ok ? { ...last, attempts } : { ok: false, result: { ...last.result, attempts } };
}

/** Whether a failed write ended with no answer after it went out: it may have landed. */
function outcomeUnknown(sent: RowResult): boolean {
  return sent.unanswered === true && (sent.errorType === 'Timeout' || sent.errorType === 'NetworkError');
}

/**
 * The row's result once its write (`sent`, with `previousValue` if read before) is read back: only
 * a 204 and a write whose outcome is unknown are read; any other result is kept as it is.
 */
export async function verifyWrite(
  ctx: ReadBack,
  change: Change,
  correlationId: string,
  sent: RowResult,
): Promise<RowResult> {
  const unknown = outcomeUnknown(sent);
  if (sent.status !== 'success' && !unknown) return sent;
  const wanted = change.values[ctx.kind.valueColumn] ?? null;
  const read = await readUntilSame(ctx, change, correlationId, wanted);
  const base = { ...sent, attempts: sent.attempts + (read.ok ? read.attempts : read.result.attempts) };
  if (!read.ok) {
    if (read.result.status === 'not_attempted') return base;
    const why = read.result.errorDescription ?? read.result.errorType ?? 'it failed';
    return {
      ...base,
      status: 'failed',
      errorType: unknown ? sent.errorType : read.result.errorType,
      errorDescription: unknown
        ? `${sent.errorDescription ?? ''}; reading it back failed too: ${why}`
        : `The API answered HTTP ${sent.httpStatus ?? 204}, but reading the value back failed: ${why}`,
      errorDetails: read.result.errorDetails,
      stopRun: read.result.stopRun,
    };
  }
  if (sameValue(read.value, wanted)) {
    if (!unknown) return base;
    return {
      ...base,
      status: 'success',
      errorType: undefined,
      errorDetails: undefined,
      errorDescription: `${sent.errorDescription ?? 'No answer came'}; read back, the value had landed`,
    };
  }
  const found = `reading it back ${REREAD_DELAYS_MS.length + 1} times over ${sumSeconds()} s gives ${shown(read.value)}, not ${shown(wanted)}`;
  if (unknown) return { ...base, errorDescription: `${sent.errorDescription ?? ''}; ${found}` };
  return {
    ...base,
    status: 'failed',
    errorType: NOT_APPLIED,
    // Nothing was read before the write: the value still there is the one before it.
    previousValue: sent.previousValue ?? read.value,
    errorDescription: `The API answered HTTP ${sent.httpStatus ?? 204} but did not apply it: ${found}`,
  };
}

function sumSeconds(): string {
  return String(REREAD_DELAYS_MS.reduce((a, b) => a + b, 0) / 1000);
}
