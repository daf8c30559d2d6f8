/** One request as the simulator received it. `status` 0 means it was never answered (dropped, hung, or still in flight). */
export interface RecordedRequest {
  method: string;
  /** The request target as sent, query included. */
  path: string;
  tenant?: string;
  authorization?: string;
  correlationId?: string;
  contentType?: string;
  body: string;
  status: number;
  /** When the request arrived, ms since the epoch. */
  at: number;
}

/** Running counts since start or the last reset(). Admin calls (/_sim/…) are not counted. */
export interface SimulatorCounters {
  /** API requests received: everything except the token endpoint and admin calls. */
  api: number;
  /** API requests received by method, e.g. `{ GET: 10, PATCH: 3 }`: reads and writes told apart. */
  byMethod: Record<string, number>;
  /** Token endpoint requests received. */
  token: number;
  /** API answers by HTTP status. */
  byStatus: Record<number, number>;
  /** Token endpoint answers by HTTP status. */
  tokenByStatus: Record<number, number>;
  /** API requests whose socket was destroyed without an answer (dropRate). */
  dropped: number;
  /** API requests never answered (hangRate, hangAfterApplyRate). */
  hung: number;
  /** Writes answered 204 without storing their value (notAppliedRate, the `not-applied` fault). */
  notApplied: number;
  /** Writes whose value was stored while their answer never came (hangAfterApplyRate, the `hang-after-apply` fault). */
  hungAfterApply: number;
  /** The most API requests received within one wall-clock second. */
  maxPerSecond: number;
  /** API requests received per wall-clock second, keyed by epoch second. */
  perSecond: Map<number, number>;
  /** API answers of 429 per wall-clock second they were sent in, keyed by epoch second. */
  refusedPerSecond: Map<number, number>;
  /** When the first API request of each method arrived, ms since the epoch, e.g. `{ PATCH: 1.7e12 }`. */
  firstArrivalAt: Record<string, number>;
  /**
   * API requests by the call they name (`subscription`, `customers`, `po-number`, …), so a row's
   * read is told apart from another GET (the ready token's check lists customers).
   */
  byCall: Record<string, number>;
  /** When the first request of each call arrived, ms since the epoch, e.g. `{ subscription: 1.7e12 }`. */
  firstArrivalByCall: Record<string, number>;
  /** When the last API answer went out, ms since the epoch; 0 before it. */
  lastAnswerAt: number;
}

function newCounters(): SimulatorCounters {
  return {
    api: 0,
    byMethod: {},
    token: 0,
    byStatus: {},
    tokenByStatus: {},
    dropped: 0,
    hung: 0,
    notApplied: 0,
    hungAfterApply: 0,
    maxPerSecond: 0,
    perSecond: new Map(),
    refusedPerSecond: new Map(),
    firstArrivalAt: {},
    byCall: {},
    firstArrivalByCall: {},
    lastAnswerAt: 0,
  };
}

/** Counts and in-flight tracking (the values are in values.ts); all of it is cleared by reset(). */
export class Recorder {
  /** See SimulatorCounters. */
  readonly counters = newCounters();
  /** API and token requests in arrival order, when recording. */
  readonly requests: RecordedRequest[] = [];
  /** API requests in flight now. */
  inFlight = 0;
  /** The most API requests there have been in flight at once. */
  maxInFlight = 0;
  /** The most requests in flight at once for any one key. */
  maxConcurrentPerKey = 0;
  /** Tokens issued by the token endpoint. */
  issuedTokens = 0;
  private readonly perKey = new Map<string, number>();
  private second = 0;
  private inSecond = 0;

  /** An API request with `method` arrived at `now`. */
  arrived(method: string, now: number): void {
    const counters = this.counters;
    counters.api += 1;
    counters.firstArrivalAt[method] ??= now;
    counters.byMethod[method] = (counters.byMethod[method] ?? 0) + 1;
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.second = second;
      this.inSecond = 0;
    }
    this.inSecond += 1;
    counters.perSecond.set(second, this.inSecond);
    if (this.inSecond > counters.maxPerSecond) counters.maxPerSecond = this.inSecond;
    this.inFlight += 1;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
  }

  /** The API request that arrived at `now` names `call` (known once its body is in). */
  routed(call: string, now: number): void {
    const counters = this.counters;
    counters.byCall[call] = (counters.byCall[call] ?? 0) + 1;
    counters.firstArrivalByCall[call] ??= now;
  }

  /** An in-flight API request now targets `key`. */
  enteredKey(key: string): void {
    const count = (this.perKey.get(key) ?? 0) + 1;
    this.perKey.set(key, count);
    if (count > this.maxConcurrentPerKey) this.maxConcurrentPerKey = count;
  }

  /** An API request was answered, dropped, or its socket closed; `key` as given to enteredKey. */
  left(key: string | undefined): void {
    this.inFlight -= 1;
    if (key === undefined) return;
    const count = (this.perKey.get(key) ?? 1) - 1;
    // Deleting at zero keeps the map as small as the concurrency, however many keys pass through.
    if (count === 0) this.perKey.delete(key);
    else this.perKey.set(key, count);
  }

  /** Counts an answer by status into `byStatus` (API) or `tokenByStatus`. */
  answered(status: number, token = false): void {
    const table = token ? this.counters.tokenByStatus : this.counters.byStatus;
    table[status] = (table[status] ?? 0) + 1;
    if (token) return;
    const now = Date.now();
    this.counters.lastAnswerAt = now;
    if (status === 429) {
      const second = Math.floor(now / 1000);
      const refused = this.counters.refusedPerSecond;
      refused.set(second, (refused.get(second) ?? 0) + 1);
    }
  }

  /** Clears everything recorded; requests still in flight keep being tracked. */
  reset(): void {
    Object.assign(this.counters, newCounters());
    this.requests.length = 0;
    this.maxInFlight = this.inFlight;
    this.maxConcurrentPerKey = Math.max(0, ...this.perKey.values());
    this.issuedTokens = 0;
    this.second = 0;
    this.inSecond = 0;
  }
}
