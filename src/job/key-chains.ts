/**
 * The chain of one key's rows: they run one after another in file order (the scheduler sees to
 * that), and what one row learnt about the target is handed to the next through a `KeyState`: the
 * value it surely left there (so a later row need not trust a read that may lag behind the write),
 * and whether its write may still land later (a request that got no answer). After such a row the
 * key's next row waits out one `--timeout` first, without holding a slot, so the abandoned request
 * cannot land after it (issue 15, item 6). States live only while the key has rows queued or held.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Scheduler } from '../pacing/scheduler.js';
import type { RowResult } from '../result.js';

/** What the rows of one key hand on to the next, while the key has rows queued. */
export interface KeyState {
  /** Rows of the key scheduled and not yet finished. */
  pending: number;
  /**
   * The value the key surely holds after the last row (one it wrote and saw answered, read, or in a
   * plan would leave), with that row's line; undefined when not known (then the next row reads).
   */
  known: { readonly value: string | null; readonly line: number } | undefined;
  /** The line of the last row whose write got no answer, while the key's next row must wait for it. */
  unansweredLine: number | undefined;
  /** Set while a hold is on: the key's state outlives its last row until the hold ends. */
  holding: boolean;
}

/** A row's task on its key's chain. */
export type ChainTask = (state: KeyState) => Promise<RowResult>;

/** Schedules rows on their key's chain and keeps each busy key's state. */
export class KeyChains {
  private readonly states = new Map<string, KeyState>();
  /** Ends every hold: the run is over, and a hold after a key's last row must not keep it alive. */
  private readonly holds = new AbortController();

  /** `holdMs`: how long a key's next row waits after a write that got no answer (the `--timeout`). */
  constructor(
    private readonly scheduler: Scheduler,
    private readonly holdMs: number,
  ) {}

  /** Run `task` after the key's earlier rows (and any hold they left); `skipped()` if the run stops first. */
  schedule(key: string, line: number, task: ChainTask, skipped: () => RowResult): Promise<RowResult> {
    const state = this.stateOf(key);
    state.pending++;
    return this.scheduler.schedule(
      key,
      () => task(state),
      skipped,
      (result) => this.after(key, state, line, result),
    );
  }

  /** Keys with a state now (for tests: states must not pile up). */
  get size(): number {
    return this.states.size;
  }

  private stateOf(key: string): KeyState {
    let state = this.states.get(key);
    if (state === undefined) {
      state = { pending: 0, known: undefined, unansweredLine: undefined, holding: false };
      this.states.set(key, state);
    }
    return state;
  }

  /** After a row: hold the key's next row if its write got no answer, and forget an idle key. */
  private after(key: string, state: KeyState, line: number, result: RowResult): Promise<void> | undefined {
    state.pending--;
    if (result.unanswered !== true) {
      this.forgetIdle(key, state);
      return undefined;
    }
    state.unansweredLine = line;
    state.holding = true;
    return sleep(this.holdMs, undefined, { signal: this.holds.signal })
      .catch(() => undefined)
      .then(() => {
        state.holding = false;
        this.forgetIdle(key, state);
      });
  }

  /** End every hold at once (the run is over: no later row waits for one). */
  dispose(): void {
    this.holds.abort();
  }

  private forgetIdle(key: string, state: KeyState): void {
    if (state.pending === 0 && !state.holding && this.states.get(key) === state) this.states.delete(key);
  }
}
