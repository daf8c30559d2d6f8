/**
 * A write that got no answer may be applied by the server at any time later, even after the key's
 * next row, however long that row waited: key-chains.ts holds it one `--timeout`, which narrows the
 * window but cannot close it. So the last row of every key that had such a write before it is sent
 * again at the end of the run (on the key's chain, so after any hold), when the late write has had
 * the whole run to land, and its row in the results is amended to say so (final-check.ts). Even that
 * cannot outrun a server that applies a request minutes later: `--verify`, and a later `--plan`,
 * are how to check. Only keys with a write that got no answer are remembered.
 */
import { randomUUID } from 'node:crypto';
import type { Change } from '../kinds.js';
import type { RowResult, RowStatus } from '../result.js';
import { withResent, type FinalCheck, type FinalValues, type Resent } from './final-check.js';
import { NOT_ATTEMPTED, type RowTaskContext } from './row-task.js';
import { verifyWrite } from './verify.js';

/** A key that had a write with no answer, and the key's last row after it. */
interface AtRisk {
  readonly unansweredLine: number;
  last: { readonly line: number; readonly change: Change; readonly result: RowResult } | undefined;
}

/** Statuses of a last row whose value a late write could override: the row wrote it, or found it. */
const OVERRIDABLE: ReadonlySet<RowStatus> = new Set(['success', 'unchanged']);

/** Remembers the keys with a write that got no answer, and sends their last rows again at the end. */
export class LateWrites {
  private readonly atRisk = new Map<string, AtRisk>();

  /** A row of `key` finished (the rows of a key finish in file order, on its chain). */
  finished(key: string, line: number, change: Change, result: RowResult): void {
    const risk = this.atRisk.get(key);
    if (risk !== undefined) risk.last = { line, change, result };
    else if (result.unanswered === true) this.atRisk.set(key, { unansweredLine: line, last: undefined });
  }

  /** The keys whose last row is to be sent again: a write with no answer before it, and it wrote or found its value. */
  due(): { readonly key: string; readonly unansweredLine: number; readonly line: number }[] {
    return [...this.atRisk]
      .filter(([, risk]) => risk.last && OVERRIDABLE.has(risk.last.result.status))
      .map(([key, risk]) => ({ key, unansweredLine: risk.unansweredLine, line: risk.last!.line }));
  }

  /** Send again the last row of every key that had a write with no answer before it; rows skipped by a stop are left out. */
  async resend(ctx: RowTaskContext): Promise<Resent[]> {
    const due = this.due().map((d) => [d.key, this.atRisk.get(d.key)!] as const);
    this.atRisk.clear();
    const resent = await Promise.all(
      due.map(async ([key, risk]): Promise<Resent> => {
        const last = risk.last!;
        const result = await ctx.chains.schedule(
          key,
          last.line,
          () => sendAgain(ctx, risk.unansweredLine, last),
          () => NOT_ATTEMPTED,
        );
        return { key, line: last.line, was: last.result.status, result };
      }),
    );
    return resent.filter((r) => r.result.status !== 'not_attempted').sort((a, b) => a.line - b.line);
  }
}

/** The row's write once more (read back with `--verify`), its result saying why it was sent again. */
async function sendAgain(
  ctx: RowTaskContext,
  unansweredLine: number,
  last: NonNullable<AtRisk['last']>,
): Promise<RowResult> {
  const { client, kind, options } = ctx;
  const correlationId = randomUUID();
  let result = await client.send(kind, last.change, correlationId);
  if (options.verify) result = await verifyWrite({ client, kind }, last.change, correlationId, result);
  const note =
    `Sent again at the end of the run: line ${unansweredLine} of the same target got no answer, and ` +
    'the server could have applied it after this row; a request it applies later still would ' +
    'override this one (check with --verify, or a later --plan)';
  return {
    ...result,
    attempts: result.attempts + last.result.attempts,
    previousValue: last.result.previousValue,
    errorDescription: result.errorDescription ? `${note}. ${result.errorDescription}` : note,
  };
}

/** After the last row: send the rows at risk again, then (`--verify`) read the final values back. */
export async function afterLastRow(
  ctx: RowTaskContext,
  late: LateWrites,
  finalValues: FinalValues | undefined,
): Promise<FinalCheck | undefined> {
  const resent = await late.resend(ctx);
  for (const r of resent) finalValues?.finished(r.key, r.line, r.result);
  const check = finalValues && (await finalValues.check(ctx.chains, ctx.client, ctx.kind));
  return withResent(check, resent);
}
