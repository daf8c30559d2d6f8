/**
 * A run as the page watches it: counts by status as rows are written, the pace, the latest
 * failures, and a numbered list of events (Server-Sent Events) that a page reconnecting with
 * `Last-Event-ID` is replayed from. A page that cannot keep an event stream open polls `snapshot()`.
 */
import { zeroCounts, type ResultLine, type RowStatus } from '../result.js';
import type { JobState, PageSummary } from './store.js';

/** A row that needs attention, as the progress panel lists it. */
export interface Failure {
  readonly line: number;
  readonly status: RowStatus;
  readonly reason: string;
}

/** Everything the progress panel draws, at one moment. */
export interface Snapshot {
  readonly id: string;
  readonly state: JobState;
  /** The id of the last event this snapshot includes. */
  readonly eventId: number;
  readonly total: number;
  readonly done: number;
  readonly counts: Readonly<Record<RowStatus, number>>;
  readonly rowsPerSecond: number;
  /** Seconds left at the current pace; undefined until there is a pace. */
  readonly secondsLeft: number | undefined;
  readonly failures: readonly Failure[];
  readonly summary: PageSummary | undefined;
}

/** One Server-Sent Event. */
export interface LiveEvent {
  readonly id: number;
  readonly type: 'progress' | 'failure' | 'end';
  readonly data: string;
}

const KEPT_EVENTS = 2_000;
const KEPT_FAILURES = 10;
/** Progress events are at most this often: a fast run writes thousands of rows a second. */
const PROGRESS_EVERY_MS = 250;

/** Zero rows of every status. */
export function noCounts(): Record<RowStatus, number> {
  return zeroCounts();
}

/** The live state of one run, and its events. */
export class LiveRun {
  private readonly events: LiveEvent[] = [];
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  private readonly counts = noCounts();
  private readonly failures: Failure[] = [];
  private readonly started = performance.now();
  private done = 0;
  private sequence = 0;
  private progressTimer: NodeJS.Timeout | undefined;
  private state: JobState = 'running';
  private summary: PageSummary | undefined;

  constructor(
    readonly id: string,
    readonly total: number,
  ) {}

  /** A row was written to the results file. */
  readonly onRow = (row: ResultLine): void => {
    this.done++;
    this.counts[row.result.status]++;
    if (row.result.status === 'failed' || row.result.status === 'invalid') {
      const failure = {
        line: row.line,
        status: row.result.status,
        reason: (row.result.errorDescription ?? row.result.errorType ?? '').replace(/^Not sent: /, ''),
      };
      this.failures.push(failure);
      if (this.failures.length > KEPT_FAILURES) this.failures.shift();
      this.emit('failure', failure);
    }
    this.progressTimer ??= setTimeout(() => {
      this.progressTimer = undefined;
      this.emit('progress', this.snapshot());
    }, PROGRESS_EVERY_MS);
  };

  /** The run ended: the last progress, then the summary. */
  finish(summary: PageSummary, state: JobState = 'finished'): void {
    clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    this.state = state;
    this.summary = summary;
    this.emit('end', this.snapshot());
  }

  /** Where the run is now. */
  snapshot(): Snapshot {
    const seconds = (performance.now() - this.started) / 1000;
    const rowsPerSecond = seconds > 0 ? this.done / seconds : 0;
    return {
      id: this.id,
      state: this.state,
      eventId: this.sequence,
      total: this.total,
      done: this.done,
      counts: { ...this.counts },
      rowsPerSecond,
      secondsLeft: rowsPerSecond > 0 ? Math.max(0, this.total - this.done) / rowsPerSecond : undefined,
      failures: [...this.failures],
      summary: this.summary,
    };
  }

  /** The events after `lastId`, or undefined when some of them are no longer kept. */
  since(lastId: number): LiveEvent[] | undefined {
    if (lastId >= this.sequence) return [];
    const first = this.events[0];
    if (first === undefined || first.id > lastId + 1) return undefined;
    return this.events.filter((e) => e.id > lastId);
  }

  /** Listen to the events from now on; returns how to stop. */
  listen(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether the run has ended. */
  get ended(): boolean {
    return this.summary !== undefined;
  }

  private emit(type: LiveEvent['type'], payload: unknown): void {
    // The snapshot carries its own event's id, so a page can tell where it stands.
    this.sequence++;
    const data = JSON.stringify(
      type === 'failure' ? payload : { ...(payload as Snapshot), eventId: this.sequence },
    );
    const event: LiveEvent = { id: this.sequence, type, data };
    this.events.push(event);
    if (this.events.length > KEPT_EVENTS) this.events.shift();
    for (const listener of this.listeners) listener(event);
  }
}
