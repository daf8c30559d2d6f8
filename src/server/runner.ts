/**
 * Starting, cancelling and resuming the page's runs, through the same `run()` as the CLI (and so
 * through the same lock on the results file). One run at a time: a second is refused while one
 * goes. Cancelling is what SIGTERM does to the CLI: the rows in flight finish, the rest are
 * `not_attempted`.
 */
import type { Writable } from 'node:stream';
import { RunError } from '../errors.js';
import { run } from '../job/run.js';
import type { Options } from '../options.js';
import type { RunSummary } from '../report/summary.js';
import { jobOptions, pageMessage } from './check.js';
import { LiveRun, noCounts } from './live.js';
import type { JobRecord, JobStore, PageSummary } from './store.js';

/** Why a run could not start (already running, nothing to resume): the message for the page. */
export class RunRefused extends Error {}

/** What a cancel sends: the CLI's SIGTERM, so the run ends exactly as an interrupted CLI run does. */
const CANCEL = 'SIGTERM';

/** The one run that goes, if any. */
interface Active {
  readonly job: JobRecord;
  readonly live: LiveRun;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/** The page's runs in this server process. */
export class Runner {
  private active: Active | undefined;
  private readonly lives = new Map<string, LiveRun>();

  constructor(
    private readonly store: JobStore,
    private readonly base: Options,
    private readonly env: NodeJS.ProcessEnv,
    private readonly stderr: Writable,
  ) {}

  /** The live state of job `id`'s run in this process, if it ran here. */
  live(id: string): LiveRun | undefined {
    return this.lives.get(id);
  }

  /** The job whose run goes now. */
  get running(): JobRecord | undefined {
    return this.active?.job;
  }

  /** Start job `job`'s run (with `resume`, continue its results file). */
  async start(job: JobRecord, resume = false): Promise<LiveRun> {
    if (this.active)
      throw new RunRefused(`"${this.active.job.name}" is running: wait for it to end, or cancel it`);
    if (job.kind === undefined || job.rows === undefined) throw new RunRefused('this file was not checked');
    if (resume !== (job.state !== 'checked')) {
      throw new RunRefused(resume ? 'this file has not been run yet' : 'this file was run already');
    }
    const live = new LiveRun(job.id, job.rows);
    const controller = new AbortController();
    job.state = 'running';
    job.startedAt = new Date().toISOString();
    job.summary = undefined;
    await this.store.save();
    this.lives.set(job.id, live);
    const options = jobOptions(this.base, this.store, job, { resume });
    const done = this.follow(job, live, controller, options);
    this.active = { job, live, controller, done };
    return live;
  }

  /** Stop job `id`'s run as SIGTERM stops the CLI's; false when it is not running. */
  cancel(id: string): boolean {
    if (this.active?.job.id !== id) return false;
    this.active.controller.abort(CANCEL);
    return true;
  }

  /** Cancel the run that goes, if any, and wait until it has ended (the server is stopping). */
  async stop(): Promise<void> {
    const active = this.active;
    if (!active) return;
    active.controller.abort(CANCEL);
    await active.done;
  }

  /** Run `job` to its end and record how it ended. */
  private async follow(
    job: JobRecord,
    live: LiveRun,
    controller: AbortController,
    options: Options,
  ): Promise<void> {
    let summary: PageSummary;
    try {
      const ran = await run(options, {
        env: this.env,
        stderr: this.stderr,
        signal: controller.signal,
        onRow: live.onRow,
      });
      summary = this.pageSummary(job, ran, controller.signal.aborted);
    } catch (error) {
      // Refused before anything was sent (the lock is held, the credentials were refused…).
      const message = pageMessage(error, job, this.store);
      if (!(error instanceof RunError))
        this.stderr.write(`cloudcockpit-bulk serve: unexpected error: ${message}\n`);
      summary = {
        exitCode: error instanceof RunError ? error.exitCode : 70,
        counts: noCounts(),
        rows: job.rows ?? 0,
        durationMs: 0,
        stoppedBecause: error instanceof RunError ? message : 'an unexpected error (see the server window)',
        cancelled: false,
      };
    }
    job.state = 'finished';
    job.summary = summary;
    this.active = undefined;
    await this.store.save().catch(() => undefined);
    live.finish(summary);
  }

  private pageSummary(job: JobRecord, ran: RunSummary, cancelled: boolean): PageSummary {
    return {
      exitCode: ran.exitCode,
      counts: ran.counts,
      rows: ran.rows,
      durationMs: ran.durationMs,
      stoppedBecause:
        cancelled && ran.stopCause === 'signal'
          ? 'cancelled: the rows in flight were finished, the rest were not sent'
          : ran.stoppedBecause === undefined
            ? undefined
            : pageMessage(new Error(ran.stoppedBecause), job, this.store),
      cancelled: cancelled && ran.stopCause === 'signal',
    };
  }
}
