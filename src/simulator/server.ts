import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerAdmin, type SimulatorStats } from './admin.js';
import { FaultLedger } from './fault-plan.js';
import { handleApiRequest } from './api-exchange.js';
import { defaultOptions, mergeOptions, type ResolvedOptions, type SimulatorOptions } from './options.js';
import { RateLimiter } from './rate-limit.js';
import { Recorder, type RecordedRequest, type SimulatorCounters } from './recorder.js';
import { createRandom, type Random } from './rng.js';
import { TokenStore, TOKEN_PATH, answerTokenRequest } from './token.js';
import { StoredValues } from './values.js';

export type { SimulatorOptions, ResolvedOptions } from './options.js';
export type { RecordedRequest, SimulatorCounters } from './recorder.js';
export type { SimulatorStats } from './admin.js';
export type { Fault, FaultPlan } from './fault-plan.js';
export type { SeedValues } from './values.js';

/** A running CloudCockpit API simulator: its addresses, knobs, and everything it saw and stored. */
export interface Simulator {
  /** Base URL of the API, e.g. http://127.0.0.1:54321. */
  readonly url: string;
  /** The token endpoint, `${url}/4e806121-ff28-4286-ab4e-3be0a08f9ce0/oauth2/v2.0/token`. */
  readonly tokenUrl: string;
  /** The current options, defaults filled in. */
  readonly options: Readonly<ResolvedOptions>;
  /** Changes knobs at run time; throws a TypeError naming a bad option. */
  configure(partial: Partial<SimulatorOptions>): void;
  /** API and token requests in arrival order (only while options.recordRequests). */
  readonly requests: RecordedRequest[];
  /** Counts since start or the last reset(). */
  readonly counters: SimulatorCounters;
  /** Final PO number by `${customerId}/${subscriptionId}` (lower-case ids), seeded ones included; what the reads answer. */
  readonly poNumbers: Map<string, string>;
  /** Final internal identifier by `${customerId}/${resellerId ?? 'csp'}` (lower-case ids), seeded ones included. */
  readonly internalIdentifiers: Map<string, string | null>;
  /** Every value written per key of the two maps above, in the order applied (only while recording). */
  readonly history: Map<string, Array<string | null>>;
  /** The most API requests in flight at once for one key; a client that serialises per key keeps it at 1. */
  readonly maxConcurrentPerKey: number;
  /** The most API requests in flight at once. */
  readonly maxInFlight: number;
  /** API requests in flight now (hung ones included until their socket closes). */
  readonly inFlight: number;
  /** Tokens issued by the token endpoint. */
  readonly issuedTokens: number;
  /** A JSON-friendly snapshot of the counters (what GET /_sim/stats serves). */
  stats(): SimulatorStats;
  /** Clears recorded requests and counters, and puts the stored values back to the seed; keeps the options and issued tokens. */
  reset(): void;
  /** Forgets every issued token, as if they were revoked: the next API call with one gets 401. */
  revokeIssuedTokens(): void;
  /** Stops the server, destroying kept-alive and hanging connections at once. */
  close(): Promise<void>;
  /**
   * The clock the rate limit's windows are read from (Date.now). A test that needs several calls
   * in one window sets a fixed time, so a slow machine cannot let a window roll between them.
   */
  clock: () => number;
  /**
   * From the `count`-th API call on (counted since the last reset), hold every answer until
   * `release()`: `arrived` resolves when that call came. A test changes the world at an exact
   * point of a run this way, whatever the machine's speed.
   */
  holdAnswers(count: number): { arrived: Promise<void>; release(): void };
}

const ignore = () => {};

function readBody(req: IncomingMessage, done: (body: string) => void): void {
  let body = '';
  req.on('error', ignore);
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => done(body));
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: string | undefined,
  extra?: Record<string, string>,
): void {
  if (body === undefined) {
    res.writeHead(status, { 'content-length': 0, ...extra });
    res.end();
    return;
  }
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  };
  res.writeHead(status, { ...headers, ...extra });
  res.end(body);
}

class RunningSimulator implements Simulator {
  url = '';
  tokenUrl = '';
  options: ResolvedOptions;
  random: Random;
  readonly tokens = new TokenStore();
  readonly limiter: RateLimiter;
  readonly recorder = new Recorder();
  readonly faults = new FaultLedger();
  readonly readFaults = new FaultLedger();
  readonly values = new StoredValues();
  readonly server: Server;
  clock: () => number = Date.now;
  private hold: { from: number; held: Array<() => void>; arrived: () => void } | undefined;

  constructor(options: SimulatorOptions) {
    this.options = mergeOptions(defaultOptions(), options);
    this.random = createRandom(this.options.seed);
    this.limiter = new RateLimiter(this.options.rateLimit, this.options.burst429);
    this.tokens.setStatic(this.options.staticTokens);
    this.values.reset(this.options.seedValues);
    this.server = createServer((req, res) => this.route(req, res));
    // Longer than the usual client keep-alive so the server is not the side that closes a pooled socket mid-run.
    this.server.keepAliveTimeout = 65_000;
  }

  get requests() {
    return this.recorder.requests;
  }
  get counters() {
    return this.recorder.counters;
  }
  get poNumbers() {
    return this.values.poNumbers;
  }
  get internalIdentifiers() {
    return this.values.internalIdentifiers;
  }
  get history() {
    return this.values.history;
  }
  get maxConcurrentPerKey() {
    return this.recorder.maxConcurrentPerKey;
  }
  get maxInFlight() {
    return this.recorder.maxInFlight;
  }
  get inFlight() {
    return this.recorder.inFlight;
  }
  get issuedTokens() {
    return this.recorder.issuedTokens;
  }

  configure(partial: Partial<SimulatorOptions>): void {
    this.options = mergeOptions(this.options, partial);
    if ('seed' in partial) this.random = createRandom(this.options.seed);
    if ('rateLimit' in partial || 'burst429' in partial) {
      this.limiter.configure(this.options.rateLimit, this.options.burst429);
    }
    if ('staticTokens' in partial) this.tokens.setStatic(this.options.staticTokens);
    if ('faultPlan' in partial) this.faults.clear();
    if ('readFaultPlan' in partial) this.readFaults.clear();
    if ('seedValues' in partial) this.values.reset(this.options.seedValues);
  }

  stats(): SimulatorStats {
    const r = this.recorder;
    const c = r.counters;
    return {
      ...c,
      byMethod: { ...c.byMethod },
      firstArrivalAt: { ...c.firstArrivalAt },
      byCall: { ...c.byCall },
      firstArrivalByCall: { ...c.firstArrivalByCall },
      byStatus: { ...c.byStatus },
      tokenByStatus: { ...c.tokenByStatus },
      perSecond: Object.fromEntries(c.perSecond),
      refusedPerSecond: Object.fromEntries(c.refusedPerSecond),
      inFlight: r.inFlight,
      maxInFlight: r.maxInFlight,
      maxConcurrentPerKey: r.maxConcurrentPerKey,
      issuedTokens: r.issuedTokens,
      poNumbers: this.values.poNumbers.size,
      internalIdentifiers: this.values.internalIdentifiers.size,
    };
  }

  revokeIssuedTokens(): void {
    this.tokens.revokeIssued();
  }

  holdAnswers(count: number): { arrived: Promise<void>; release(): void } {
    let arrived = () => {};
    const came = new Promise<void>((resolve) => (arrived = resolve));
    const hold = { from: count, held: [] as Array<() => void>, arrived };
    this.hold = hold;
    const release = () => {
      if (this.hold === hold) this.hold = undefined;
      for (const answer of hold.held.splice(0)) answer();
    };
    return { arrived: came, release };
  }

  answerWhenFree(answer: () => void): void {
    const hold = this.hold;
    if (hold === undefined || this.counters.api < hold.from) return answer();
    hold.held.push(answer);
    hold.arrived();
  }

  reset(): void {
    this.recorder.reset();
    this.values.reset(this.options.seedValues);
    this.limiter.reset();
    this.faults.clear();
    this.readFaults.clear();
    const held = this.hold?.held.splice(0) ?? [];
    this.hold = undefined;
    for (const answer of held) answer();
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const target = req.url ?? '/';
    const query = target.indexOf('?');
    const path = query < 0 ? target : target.slice(0, query);
    if (path.startsWith('/_sim/')) {
      readBody(req, (body) => {
        const answer = answerAdmin(this, req.method ?? '', path, body);
        sendJson(res, answer.status, answer.body);
      });
    } else if (path.endsWith('/oauth2/v2.0/token')) this.handleToken(req, res);
    else handleApiRequest(this, req, res, path, query < 0 ? '' : target.slice(query));
  }

  private handleToken(req: IncomingMessage, res: ServerResponse): void {
    const now = Date.now();
    this.recorder.counters.token += 1;
    const contentType = req.headers['content-type'];
    const recorded: RecordedRequest | undefined = this.options.recordRequests
      ? { method: req.method ?? '', path: req.url ?? '', contentType, body: '', status: 0, at: now }
      : undefined;
    if (recorded) this.recorder.requests.push(recorded);
    readBody(req, (body) => {
      if (recorded) recorded.body = body;
      let answer: { status: number; body?: string };
      let extra: Record<string, string> = { 'cache-control': 'no-store, no-cache' };
      if (req.method !== 'POST') {
        answer = { status: 405 };
        extra = { allow: 'POST' };
      } else {
        // Entra reads only form bodies; anything else looks like a request with no parameters.
        const isForm = /^application\/x-www-form-urlencoded/i.test(contentType ?? '');
        answer = answerTokenRequest(new URLSearchParams(isForm ? body : ''), this.options, this.tokens, now);
      }
      if (answer.status === 200) this.recorder.issuedTokens += 1;
      this.recorder.answered(answer.status, true);
      if (recorded) recorded.status = answer.status;
      sendJson(res, answer.status, answer.body, extra);
    });
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const { address, port: bound } = this.server.address() as AddressInfo;
        const shownHost = address.includes(':') ? `[${address}]` : address;
        this.url = `http://${shownHost}:${bound}`;
        this.tokenUrl = `${this.url}${TOKEN_PATH}`;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      // close() alone would wait for kept-alive and hanging sockets; closing them all is what "promptly" needs.
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Starts a simulator on `host:port` (port 0: a free one) and resolves once it is listening. */
export async function startSimulator(
  options: SimulatorOptions = {},
  port = 0,
  host = '127.0.0.1',
): Promise<Simulator> {
  const simulator = new RunningSimulator(options);
  await simulator.listen(port, host);
  return simulator;
}
