/**
 * The plan on the check step: a `--plan` run through the same `run()` (reads only, no PATCH) that
 * reads each valid row's current value, so the page can say how many rows change, how many are
 * already right, and show `current → new`. It runs behind the page, which polls its state; it
 * never overlaps a run (one set of requests to the API at a time).
 */
import type { Writable } from 'node:stream';
import path from 'node:path';
import { run } from '../job/run.js';
import type { Options } from '../options.js';
import { zeroCounts, type RowStatus } from '../result.js';
import { jobOptions, pageMessage } from './check.js';
import type { JobRecord, JobStore } from './store.js';

/** Where a job's plan stands, as the page shows it. */
export interface PlanState {
  readonly state: 'none' | 'reading' | 'done' | 'refused';
  readonly total: number;
  readonly done: number;
  readonly counts: Readonly<Record<RowStatus, number>>;
  /** Why the plan could not be made (credentials that cannot read, a lock…). */
  readonly error?: string | undefined;
}

/** A plan being read or read, as this process follows it. */
interface Tracked {
  state: PlanState['state'];
  done: number;
  readonly counts: Record<RowStatus, number>;
  error?: string;
}

/** The plans of this server process, by job id. */
export class Plans {
  private readonly plans = new Map<string, Tracked>();
  private readonly controller = new AbortController();
  private readonly going = new Set<Promise<unknown>>();

  constructor(
    private readonly store: JobStore,
    private readonly base: Options,
    private readonly env: NodeJS.ProcessEnv,
    private readonly stderr: Writable,
  ) {}

  /** Whether a plan is being read now (a run must wait for it). */
  get reading(): boolean {
    return [...this.plans.values()].some((p) => p.state === 'reading');
  }

  /** The plan's results file for `job`. */
  planPath(job: JobRecord): string {
    return path.join(this.store.folder(job.id), 'plan.results.csv');
  }

  /** Start reading `job`'s plan; false when one is being read already. */
  start(job: JobRecord): boolean {
    if (this.reading) return false;
    const tracked: Tracked = { state: 'reading', done: 0, counts: zeroCounts() };
    this.plans.set(job.id, tracked);
    const options = jobOptions(this.base, this.store, job, {
      plan: true,
      overwrite: true,
      out: this.planPath(job),
    });
    const reading = run(options, {
      env: this.env,
      stderr: this.stderr,
      signal: this.controller.signal,
      onRow: (row) => {
        tracked.done++;
        tracked.counts[row.result.status]++;
      },
    }).then(
      () => (tracked.state = 'done'),
      (error: unknown) => {
        tracked.state = 'refused';
        tracked.error = pageMessage(error, job, this.store);
      },
    );
    this.going.add(reading);
    void reading.finally(() => this.going.delete(reading));
    return true;
  }

  /** Stop the plans being read (the server is stopping) and wait for them. */
  async stop(): Promise<void> {
    this.controller.abort('SIGTERM');
    await Promise.all(this.going);
  }

  /** Where `job`'s plan stands. */
  state(job: JobRecord): PlanState {
    const plan = this.plans.get(job.id);
    return {
      state: plan?.state ?? 'none',
      total: job.rows ?? 0,
      done: plan?.done ?? 0,
      counts: plan?.counts ?? zeroCounts(),
      error: plan?.error,
    };
  }
}
