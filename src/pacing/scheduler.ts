/**
 * Decides when each row's task runs: rows with the same key one after another in the order they
 * were scheduled (so the last row in the file wins), at most `concurrency` tasks at once (p-limit).
 * A key's next task may also be held back a while after the previous one finished (`hold`), without
 * holding a slot. After `stop()`, tasks that have not started are not started, and holds end.
 */
import pLimit, { type LimitFunction } from 'p-limit';

/** Runs keyed tasks with a concurrency limit and per-key ordering. */
export class Scheduler {
  private readonly limit: LimitFunction;
  private readonly tails = new Map<string, Promise<unknown>>();
  private stopped = false;
  private stopNow: () => void = () => undefined;
  /** Resolves on `stop()`: a hold ends at once. */
  private readonly stopping = new Promise<void>((resolve) => (this.stopNow = resolve));
  /** Told when a task waiting for a slot starts (`nextStart`). */
  private starting: (() => void)[] = [];

  constructor(concurrency: number) {
    this.limit = pLimit(concurrency);
  }

  /** Tasks allowed at once; may be lowered and raised while running (adaptive throttling). */
  get concurrency(): number {
    return this.limit.concurrency;
  }

  set concurrency(value: number) {
    this.limit.concurrency = value;
  }

  /** Tasks waiting for a free slot; not those waiting for an earlier task of their key. */
  get queued(): number {
    return this.limit.pendingCount;
  }

  /** Resolves when a task next takes a slot (and `queued` may have dropped). */
  nextStart(): Promise<void> {
    return new Promise((resolve) => this.starting.push(resolve));
  }

  /**
   * Run `task` after every earlier task with the same key has finished, within the concurrency
   * limit. If the scheduler is stopped before the task starts, `skipped()` is returned instead.
   * `hold`, given the task's result, may return a promise the key's next task waits for too.
   */
  schedule<T>(
    key: string,
    task: () => Promise<T>,
    skipped: () => T,
    hold?: (result: T) => Promise<void> | undefined,
  ): Promise<T> {
    const guarded = (): Promise<T> => {
      this.started();
      return this.stopped ? Promise.resolve(skipped()) : task();
    };
    const previous = this.tails.get(key);
    // Wait for the previous row of the same key before taking a slot, so waiting never holds one.
    const result = previous ? previous.then(() => this.limit(guarded)) : this.limit(guarded);
    // One settle handler both unblocks the next row of the key and forgets the key when it is last.
    const held = hold ? result.then((r) => this.held(hold(r))) : result;
    const tail: Promise<unknown> = held.then(
      () => this.forget(key, tail),
      () => this.forget(key, tail),
    );
    this.tails.set(key, tail);
    return result;
  }

  private started(): void {
    if (this.starting.length === 0) return;
    const told = this.starting;
    this.starting = [];
    for (const resolve of told) resolve();
  }

  /** A hold, ended early by a stop. */
  private held(hold: Promise<void> | undefined): Promise<void> | undefined {
    return hold === undefined ? undefined : Promise.race([hold, this.stopping]);
  }

  private forget(key: string, tail: Promise<unknown>): void {
    if (this.tails.get(key) === tail) this.tails.delete(key);
  }

  /** Start nothing more; tasks already running finish. */
  stop(): void {
    this.stopped = true;
    this.stopNow();
  }
}
