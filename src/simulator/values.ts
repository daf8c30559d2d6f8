/**
 * The values the simulator holds for the two fields the API writes, as its reads see them: what
 * the PATCHes stored over what the world was seeded with, and, with a read lag, as they were a
 * while ago (a replica that has not caught up yet).
 */
import type { Write } from './responses.js';

/** Values the world starts with, under the stored maps' keys (ids lower-cased when seeded). */
export interface SeedValues {
  /** PO number by `${customerId}/${subscriptionId}`; `""` is a cleared one. */
  readonly poNumbers?: Readonly<Record<string, string>>;
  /** Internal identifier by `${customerId}/${resellerId ?? 'csp'}`; null is a cleared one. */
  readonly internalIdentifiers?: Readonly<Record<string, string | null>>;
}

/** What was expected when `value` is not a SeedValues, else undefined. */
export function checkSeedValues(value: unknown): string | undefined {
  const expected = '{ poNumbers?: { key: string }, internalIdentifiers?: { key: string or null } }';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return expected;
  const seed = value as Record<string, unknown>;
  const known = Object.keys(seed).every((k) => k === 'poNumbers' || k === 'internalIdentifiers');
  const ok =
    known &&
    isTable(seed.poNumbers, (v) => typeof v === 'string') &&
    isTable(seed.internalIdentifiers, (v) => typeof v === 'string' || v === null);
  return ok ? undefined : expected;
}

function isTable(value: unknown, isValue: (v: unknown) => boolean): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every(isValue);
}

/** Which of the two fields a value belongs to. */
export type Target = Write['target'];

/** A write a lagging read must look behind: when it landed, and the value it replaced (undefined: none). */
interface Landed {
  readonly at: number;
  readonly before: string | null | undefined;
}

/** The stored values, their history, and what lagging reads need to see the past. */
export class StoredValues {
  /** PO number by `${customerId}/${subscriptionId}` (lower-case ids). */
  readonly poNumbers = new Map<string, string>();
  /** Internal identifier by `${customerId}/${resellerId ?? 'csp'}` (lower-case ids). */
  readonly internalIdentifiers = new Map<string, string | null>();
  /** Every value written per key, in the order applied, when recording (seeded values are not writes). */
  readonly history = new Map<string, Array<string | null>>();
  /** Per target and key, the writes of the last `readLagMs`, oldest first. */
  private readonly landed: Record<Target, Map<string, Landed[]>> = {
    poNumber: new Map(),
    internalIdentifier: new Map(),
  };

  /** Stores a value the API accepted at `now`; kept in the history when `keepHistory`, and for lagging reads when `lagMs` > 0. */
  apply(write: Write, now: number, keepHistory: boolean, lagMs: number): void {
    if (lagMs > 0) {
      const writes = this.landed[write.target].get(write.key) ?? [];
      forgetBefore(writes, now - lagMs);
      writes.push({ at: now, before: this.current(write.target, write.key) });
      this.landed[write.target].set(write.key, writes);
    }
    if (write.target === 'poNumber') this.poNumbers.set(write.key, write.value ?? '');
    else this.internalIdentifiers.set(write.key, write.value);
    if (!keepHistory) return;
    const values = this.history.get(write.key);
    if (values) values.push(write.value);
    else this.history.set(write.key, [write.value]);
  }

  /** The value under `key` as a read at `now` sees it, as it was `lagMs` before; undefined when none was ever stored. */
  read(target: Target, key: string, now: number, lagMs: number): string | null | undefined {
    const writes = this.landed[target].get(key);
    if (writes === undefined) return this.current(target, key);
    // Reads come in time order, so a write older than the lag is one no later read looks behind.
    forgetBefore(writes, now - lagMs);
    if (writes.length === 0) {
      this.landed[target].delete(key);
      return this.current(target, key);
    }
    return writes[0]!.before;
  }

  /** Back to `seed`: every written value, the history and the lag's memory forgotten. */
  reset(seed: SeedValues | undefined): void {
    this.poNumbers.clear();
    this.internalIdentifiers.clear();
    this.history.clear();
    this.landed.poNumber.clear();
    this.landed.internalIdentifier.clear();
    for (const [key, value] of Object.entries(seed?.poNumbers ?? {}))
      this.poNumbers.set(key.toLowerCase(), value);
    for (const [key, value] of Object.entries(seed?.internalIdentifiers ?? {}))
      this.internalIdentifiers.set(key.toLowerCase(), value);
  }

  /** Customers with a value of either kind, in the order first stored: the list of a world that keeps none. */
  customerIds(): string[] {
    const ids = new Set<string>();
    for (const key of this.poNumbers.keys()) ids.add(key.split('/')[0]!);
    for (const key of this.internalIdentifiers.keys()) ids.add(key.split('/')[0]!);
    return [...ids];
  }

  /** The customer's subscriptions with a PO number, in the order first stored. */
  subscriptionIds(customerId: string): string[] {
    const prefix = `${customerId}/`;
    return [...this.poNumbers.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  private current(target: Target, key: string): string | null | undefined {
    return target === 'poNumber' ? this.poNumbers.get(key) : this.internalIdentifiers.get(key);
  }
}

/** Drops the writes that landed at or before `time`. */
function forgetBefore(writes: Landed[], time: number): void {
  let old = 0;
  while (old < writes.length && writes[old]!.at <= time) old++;
  if (old > 0) writes.splice(0, old);
}
