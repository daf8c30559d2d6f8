/**
 * Faults decided by a plan keyed by (seed, target, attempt of that target), not by arrival order:
 * the same rows get the same faults however the requests interleave, so a test can know from the
 * plan alone how many attempts each row takes and how many answers of each kind the server gives.
 */
import { createHash } from 'node:crypto';
import { createRandom } from './rng.js';

/**
 * What one planned attempt gets: a 500 with an error body, a dropped socket, no answer, or a 429;
 * for a write also `not-applied` (a 204 that stores nothing) or `hang-after-apply` (the value is
 * stored, the answer never comes). The two write faults act only on a call that would succeed:
 * any other answer (400, 403, 404) goes out as it would have.
 */
export type Fault = 'error' | 'drop' | 'hang' | 'throttle' | WriteFault;

/** The faults only a write can have: they are about whether its value lands. */
export type WriteFault = 'not-applied' | 'hang-after-apply';

/** The fault kinds a plan for reads can draw from. */
export const READ_FAULTS: readonly Fault[] = ['error', 'drop', 'hang', 'throttle'];

/** The fault kinds a plan for writes can draw from. */
export const FAULTS: readonly Fault[] = [...READ_FAULTS, 'not-applied', 'hang-after-apply'];

/** Which targets get faults, how many, and of which kinds. */
export interface FaultPlan {
  /** Seeds the draw for every target. */
  readonly seed: number;
  /** The share (0..1) of targets whose first attempts fail. */
  readonly share: number;
  /** A faulty target fails its first 1 to `maxPerTarget` attempts, then succeeds. */
  readonly maxPerTarget: number;
  /** The kinds drawn from, each attempt's kind drawn evenly. */
  readonly kinds: readonly Fault[];
}

/** Whether `value` is a well-formed FaultPlan drawing from `allowed`; what was expected when it is not. */
export function checkFaultPlan(value: unknown, allowed: readonly Fault[] = FAULTS): string | undefined {
  const plan = value as Partial<FaultPlan> | null;
  const ok =
    typeof plan === 'object' &&
    plan !== null &&
    Number.isInteger(plan.seed) &&
    typeof plan.share === 'number' &&
    plan.share >= 0 &&
    plan.share <= 1 &&
    Number.isInteger(plan.maxPerTarget) &&
    (plan.maxPerTarget ?? 0) >= 1 &&
    Array.isArray(plan.kinds) &&
    plan.kinds.length > 0 &&
    plan.kinds.every((k) => allowed.includes(k));
  return ok
    ? undefined
    : `{ seed: integer, share: 0..1, maxPerTarget: integer from 1, kinds: [${allowed.join('|')}] }`;
}

/**
 * The faults planned for one target (the simulator's per-key string, e.g. `${customerId}/${subscriptionId}`
 * in lower case), in attempt order: attempt n gets `plannedFaults(plan, key)[n]`, or none past the end.
 */
export function plannedFaults(plan: FaultPlan, key: string): Fault[] {
  const digest = createHash('sha256').update(`${plan.seed}:${key}`).digest();
  const random = createRandom(digest.readUInt32LE(0));
  if (random() >= plan.share) return [];
  const count = 1 + Math.floor(random() * plan.maxPerTarget);
  return Array.from({ length: count }, () => plan.kinds[Math.floor(random() * plan.kinds.length)]!);
}

/** Counts the attempts each target has had under the current plan and tells the next one's fault. */
export class FaultLedger {
  private readonly attempts = new Map<string, number>();
  private readonly planned = new Map<string, Fault[]>();

  /** The fault for the next attempt on `key`, or undefined when it is to be answered normally. */
  next(plan: FaultPlan, key: string): Fault | undefined {
    const attempt = this.attempts.get(key) ?? 0;
    this.attempts.set(key, attempt + 1);
    let faults = this.planned.get(key);
    if (faults === undefined) {
      faults = plannedFaults(plan, key);
      this.planned.set(key, faults);
    }
    return faults[attempt];
  }

  /** Forgets every count, as a new plan or a reset needs. */
  clear(): void {
    this.attempts.clear();
    this.planned.clear();
  }
}
