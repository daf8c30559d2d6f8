/**
 * The circuit breaker. Once the API has answered, an outage (every request failing with a 5xx or
 * no answer at all, for a while) pauses every request, instead of letting each row spend its
 * retries on it one by one. While paused, one request at a time goes out as a trial, after waits
 * that double up to a ceiling; the first answer that is not a failure ends the pause. An outage
 * that outlasts the bound gives up, so that the run can stop. The client (client.ts) waits here
 * before each attempt and does not count against its row an attempt that failed while paused;
 * a row whose retries ran out just before a pause could come is held for the verdict (`graceMs`).
 *
 * A run whose API never answered is not paused: it stops by the rule for runs that cannot
 * succeed (job/outage.ts), which is quicker than any bound worth waiting for.
 */

/** How the breaker behaves. */
export interface CircuitSettings {
  /** Failures in a row (no good answer between them) that pause the requests… */
  readonly tripAfterFailures: number;
  /** …spread over at least this long (ms), so a short burst of failures is only retried, as usual. */
  readonly tripAfterMs: number;
  /** The wait before the first trial (ms); each failed trial doubles it. */
  readonly firstWaitMs: number;
  /** The longest wait between trials (ms). */
  readonly maxWaitMs: number;
  /** Give up once the API has failed every request for this long (ms), counted from the first failure. */
  readonly giveUpAfterMs: number;
}

/** The settings of a real run: pause after 5 failures over 2 s, try again after 2, 4, 8… up to 60 s, give up after 5 minutes. */
export const CIRCUIT_DEFAULTS: CircuitSettings = {
  tripAfterFailures: 5,
  tripAfterMs: 2000,
  firstWaitMs: 2000,
  maxWaitMs: 60_000,
  giveUpAfterMs: 5 * 60_000,
};

/** Where the breaker stood when a row was held for its verdict (`Circuit.graceMs`). */
export interface GraceMark {
  readonly answers: number;
  readonly pauses: number;
}

/** Past the moment a pause could come, so the other rows' failures have been heard by then. */
const GRACE_MARGIN_MS = 100;

/** A moment of an outage: how long the API has failed (ms), what it answered last, and the next wait (ms). */
export interface OutageInfo {
  readonly downMs: number;
  /** The last failure, e.g. `HTTP 503` or `ECONNREFUSED`; for `resumed`, the answer that ended the pause. */
  readonly cause: string;
  readonly waitMs: number;
}

/** What the breaker tells as it goes, for the log and to stop the run. */
export interface CircuitEvents {
  /** The requests are paused; the first trial goes out after `waitMs`. */
  readonly paused?: (info: OutageInfo) => void;
  /** A trial failed too; the next goes out after `waitMs`. */
  readonly stillDown?: (info: OutageInfo) => void;
  /** The API answered again: the requests go out again. */
  readonly resumed?: (info: OutageInfo) => void;
  /** Down past the bound: nothing goes out again (`waitMs` is 0). */
  readonly gaveUp?: (info: OutageInfo) => void;
}

/** A clock and a timer, replaceable in tests. */
export interface CircuitClock {
  now(): number;
  /** Run `callback` after `ms`; returns what cancels it. */
  after(ms: number, callback: () => void): () => void;
}

/** performance.now() and setTimeout. */
export const REAL_CLOCK: CircuitClock = {
  now: () => performance.now(),
  after: (ms, callback) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** Whether an attempt's outcome shows the API working: a failure is a 5xx or no answer. */
export type Health = 'up' | 'down';

type State = 'closed' | 'open' | 'trial' | 'given-up';

/** Pauses the requests while the API is down, and lets trials through with growing waits. */
export class Circuit {
  private state: State = 'closed';
  /** Whether the API has answered at all: before that there is nothing to pause for. */
  private armed = false;
  private released = false;
  private failures = 0;
  private downSince = 0;
  private waitMs = 0;
  private trialOut = false;
  /** Answers that showed the API working, and pauses, so far: what a GraceMark is checked against. */
  private answers = 0;
  private pauses = 0;
  private cancelTimer: (() => void) | undefined;
  /** Attempts waiting to go out; each is told whether it is the trial. */
  private readonly waiting: ((trial: boolean) => void)[] = [];

  constructor(
    private readonly settings: CircuitSettings = CIRCUIT_DEFAULTS,
    private readonly events: CircuitEvents = {},
    private readonly clock: CircuitClock = REAL_CLOCK,
  ) {}

  /** Whether attempts go out without waiting here. */
  get closed(): boolean {
    return this.state === 'closed' || this.released;
  }

  /**
   * Resolves when an attempt may go out: at once while closed; while paused, when it is let
   * through as the trial (true) or the pause ends (false).
   */
  pass(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.state === 'trial' && !this.trialOut) {
      this.trialOut = true;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /**
   * The outcome of one attempt (`trial`: the one let through as the trial). Returns true for a
   * failure while paused (this one included, if it paused the requests): it is the outage's, and
   * the client does not count it against its row.
   */
  record(health: Health, cause: string, trial: boolean): boolean {
    if (health === 'up') {
      this.answers++;
      this.armed = true;
      this.failures = 0;
      if (this.state === 'open' || this.state === 'trial') this.resume(cause);
      return false;
    }
    if (!this.armed || this.released) return false;
    const now = this.clock.now();
    if (this.state === 'closed') {
      if (this.failures++ === 0) this.downSince = now;
      const { tripAfterFailures, tripAfterMs } = this.settings;
      if (this.failures >= tripAfterFailures && now - this.downSince >= tripAfterMs) this.pause(cause, now);
      return this.state !== 'closed';
    }
    if (this.state === 'trial' && trial) this.trialFailed(cause, now);
    return true;
  }

  /**
   * While the requests fail as an outage does (`tripAfterFailures` in a row since the API last
   * answered) but not yet for long enough to pause (`tripAfterMs`): how long (ms) until a pause
   * could come, else undefined. A row whose own retries ran out in that time is held this long
   * and tried once more unless the API answered meanwhile (`graceStands`): quick retries must not
   * spend a row in the first seconds of an outage the breaker would have covered, and a row
   * failing on its own still fails with its own answer, after at most that wait.
   */
  graceMs(): { waitMs: number; mark: GraceMark } | undefined {
    const { tripAfterFailures, tripAfterMs } = this.settings;
    if (this.state !== 'closed' || !this.armed || this.released || this.failures < tripAfterFailures)
      return undefined;
    const waitMs = Math.max(0, this.downSince + tripAfterMs - this.clock.now()) + GRACE_MARGIN_MS;
    return { waitMs, mark: { answers: this.answers, pauses: this.pauses } };
  }

  /**
   * Whether the try held at `mark` goes out: unless the API answered since without a pause (then
   * it was no outage). Nothing answered, it goes, and its failure is the one that pauses.
   */
  graceStands(mark: GraceMark): boolean {
    return !this.closed || this.pauses !== mark.pauses || this.answers === mark.answers;
  }

  /** Let every waiting attempt go and wait no more (the run is stopping or over). */
  release(): void {
    this.released = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.letAllGo();
  }

  private pause(cause: string, now: number): void {
    this.pauses++;
    this.state = 'open';
    this.waitMs = Math.min(this.settings.firstWaitMs, this.remaining(now));
    this.events.paused?.({ downMs: now - this.downSince, cause, waitMs: this.waitMs });
    this.scheduleTrial();
  }

  private trialFailed(cause: string, now: number): void {
    const remaining = this.remaining(now);
    const downMs = now - this.downSince;
    if (remaining <= 0) {
      this.state = 'given-up';
      this.events.gaveUp?.({ downMs, cause, waitMs: 0 });
      return;
    }
    // The last trial goes out at the bound itself, so the bound is what it says.
    this.waitMs = Math.min(this.waitMs * 2, this.settings.maxWaitMs, remaining);
    this.state = 'open';
    this.events.stillDown?.({ downMs, cause, waitMs: this.waitMs });
    this.scheduleTrial();
  }

  private resume(cause: string): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.state = 'closed';
    this.events.resumed?.({ downMs: this.clock.now() - this.downSince, cause, waitMs: 0 });
    this.letAllGo();
  }

  /** After the wait, the first attempt waiting (or the next to come) goes out as the trial. */
  private scheduleTrial(): void {
    this.cancelTimer = this.clock.after(this.waitMs, () => {
      this.cancelTimer = undefined;
      this.state = 'trial';
      const first = this.waiting.shift();
      this.trialOut = first !== undefined;
      first?.(true);
    });
  }

  private remaining(now: number): number {
    return this.downSince + this.settings.giveUpAfterMs - now;
  }

  private letAllGo(): void {
    for (const resolve of this.waiting.splice(0)) resolve(false);
  }
}
