/**
 * What one valid row does on its key's chain (key-chains.ts), by the run's options: a plan
 * (`--plan`) reads the current value and says `change` or `unchanged`; `--skip-unchanged` reads
 * first and writes only a value that differs; `--verify` reads the write back (verify.ts); without
 * them, the row's PATCH. A later row of a key does not read again what an earlier row of the key
 * surely left (a read may lag behind the write that just landed): it compares with that value.
 * Every request of the row, reads included, carries the row's one correlation id.
 */
import { randomUUID } from 'node:crypto';
import type { ApiClient } from '../api/client.js';
import type { Change, Kind } from '../kinds.js';
import type { Options } from '../options.js';
import type { RowResult } from '../result.js';
import type { KeyChains, KeyState } from './key-chains.js';
import { sameValue, shown, verifyWrite } from './verify.js';

/** A row left unsent because the run stopped first. */
export const NOT_ATTEMPTED: RowResult = { status: 'not_attempted', attempts: 0 };

/** What a row's task works with. */
export interface RowTaskContext {
  readonly kind: Kind;
  readonly client: ApiClient;
  readonly chains: KeyChains;
  readonly options: Pick<Options, 'plan' | 'skipUnchanged' | 'verify' | 'timeoutSeconds'>;
}

/** The value before the row: read now, or what an earlier row of the key surely left (`line`). */
interface Before {
  readonly value: string | null;
  readonly attempts: number;
  readonly httpStatus?: number | undefined;
  readonly durationMs?: number | undefined;
  readonly line?: number | undefined;
}

/** Send one row on its key's chain (after the earlier rows of its key); never rejects. */
export function sendRow(ctx: RowTaskContext, change: Change, key: string, line: number): Promise<RowResult> {
  const correlationId = randomUUID();
  const task = (state: KeyState): Promise<RowResult> =>
    rowTask(ctx, change, line, correlationId, state).catch((error: unknown): RowResult => ({
      status: 'failed',
      attempts: 0,
      correlationId,
      errorType: 'InternalError',
      errorDescription: `cloudcockpit-bulk failed on this row: ${error instanceof Error ? error.message : String(error)}`,
    }));
  return ctx.chains.schedule(key, line, task, () => NOT_ATTEMPTED);
}

/** The row's task: read, compare, write, read back, as the options ask. */
async function rowTask(
  ctx: RowTaskContext,
  change: Change,
  line: number,
  correlationId: string,
  state: KeyState,
): Promise<RowResult> {
  const { kind, client, options } = ctx;
  const wanted = change.values[kind.valueColumn] ?? null;
  const waited = waitNote(state, options.timeoutSeconds);
  let before: Before | undefined;
  if (options.plan || options.skipUnchanged) {
    const read = await valueBefore(ctx, change, correlationId, state);
    if ('status' in read) {
      state.known = undefined;
      return withNote(read, waited);
    }
    before = read;
    const same = sameValue(read.value, wanted);
    if (options.plan || same) {
      state.known = { value: wanted, line };
      return withNote(compared(before, same ? 'unchanged' : 'change', correlationId, options.plan), waited);
    }
  }
  let result = await client.send(kind, change, correlationId);
  if (options.verify) result = await verifyWrite({ client, kind }, change, correlationId, result);
  state.known =
    result.status === 'success' && result.unanswered !== true ? { value: wanted, line } : undefined;
  if (before !== undefined) {
    result = {
      ...result,
      attempts: result.attempts + before.attempts,
      previousValue: before.value,
      durationMs: sum(result.durationMs, before.durationMs),
    };
  }
  return withNote(result, waited);
}

/** The value before the row, or the row's result when it could not be read. */
async function valueBefore(
  ctx: RowTaskContext,
  change: Change,
  correlationId: string,
  state: KeyState,
): Promise<Before | RowResult> {
  if (state.known !== undefined) return { value: state.known.value, attempts: 0, line: state.known.line };
  const read = await ctx.client.read(ctx.kind, change, correlationId);
  if (!read.ok) return read.result;
  return {
    value: read.value,
    attempts: read.attempts,
    httpStatus: read.httpStatus,
    durationMs: read.durationMs,
  };
}

/** A row compared with the value before it: `change` (a plan) or `unchanged`. */
function compared(
  before: Before,
  status: 'change' | 'unchanged',
  correlationId: string,
  plan: boolean,
): RowResult {
  return {
    status,
    httpStatus: before.httpStatus,
    attempts: before.attempts,
    correlationId,
    previousValue: before.value,
    durationMs: before.durationMs,
    // In a plan nothing is written: the value before a later row of a key is what the earlier one leaves.
    errorDescription:
      plan && before.line !== undefined
        ? `Compared with ${shown(before.value)}, which line ${before.line} of the same target leaves`
        : undefined,
  };
}

/** Why the row waited before it went out, once: an earlier row of its key got no answer. */
function waitNote(state: KeyState, timeoutSeconds: number): string | undefined {
  const line = state.unansweredLine;
  if (line === undefined) return undefined;
  state.unansweredLine = undefined;
  return (
    `Line ${line} of the same target got no answer and could still be applied, so this row ` +
    `waited ${timeoutSeconds} s (--timeout) before it went out, and that one cannot land after it`
  );
}

function withNote(result: RowResult, note: string | undefined): RowResult {
  if (note === undefined) return result;
  const description = result.errorDescription ? `${note}. ${result.errorDescription}` : note;
  return { ...result, errorDescription: description };
}

function sum(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
}
