/**
 * Bearer tokens for the API. A provider hands out the current token and is told when the API
 * refuses one; whether a fresh one can then be had depends on where tokens come from.
 */
import got, { HTTPError, RequestError, type Agents, type Got } from 'got';
import { redactor } from '../report/redact.js';
import { tokenRetryDelay } from './retry-delay.js';

/** Where the API client gets its bearer token. */
export interface TokenProvider {
  /** The token to send now (fetching or renewing it first if needed). Throws `TokenError`. */
  get(): Promise<string>;
  /** The current token if it can be used now without waiting, else undefined (then call `get`). */
  peek(): string | undefined;
  /** The API refused `token`: forget it. Returns true if a different token can be fetched. */
  refused(token: string): boolean;
  /** Token requests made so far (for the summary and the tests). */
  readonly requests: number;
  /** The run is over: abandon a token request still under way (and its retries). */
  close?(): void;
}

/** The token endpoint would not give a token: wrong credentials, or it could not be reached. */
export class TokenError extends Error {
  /** Entra's error code, e.g. `invalid_client`, or a network error code. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'TokenError';
    this.code = code;
  }
}

/** A ready token from `CLOUDCOCKPIT_TOKEN` or `--token-file`: it cannot be renewed. */
export class StaticToken implements TokenProvider {
  readonly requests = 0;

  constructor(private readonly token: string) {}

  async get(): Promise<string> {
    return this.token;
  }

  peek(): string {
    return this.token;
  }

  refused(): boolean {
    return false;
  }
}

/** What a client-credentials provider needs. */
export interface ClientCredentialsOptions {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
  readonly timeoutMs: number;
  /** Attempts after the first for network errors, 408, 429 and 5xx from the token endpoint (quick ones, see `tokenRetryDelay`). @default 3 */
  readonly retries?: number;
  /** Agents (e.g. through a proxy) for the token endpoint. */
  readonly agent?: Agents | undefined;
  /** Told of every token fetched, for logs. */
  readonly onToken?: (info: { expiresInSeconds: number }) => void;
}

interface Cached {
  readonly token: string;
  /** performance.now() after which the token is renewed before use. */
  renewAt: number;
  /** performance.now() at which the token expires. */
  readonly expiresAt: number;
}

/** After a failed renewal while the token still works, wait this long before trying again. */
const RENEWAL_RETRY_MS = 5000;

/** Seconds before expiry at which a token is renewed: 60 s, or a tenth of its lifetime if shorter. */
export function renewalMargin(lifetimeSeconds: number): number {
  return Math.min(60, lifetimeSeconds / 10);
}

/**
 * Microsoft Entra ID client credentials (shared/api.md): POST the form, cache the token, renew it
 * before it expires. Concurrent callers share one request: a hundred rows waiting cause one fetch.
 */
export class ClientCredentialsToken implements TokenProvider {
  private cached: Cached | undefined;
  private pending: Promise<string> | undefined;
  private readonly got: Got;
  /** Aborted by `close()`: a request that hangs must not keep a finished run from exiting. */
  private readonly closing = new AbortController();
  requests = 0;
  /** Milliseconds waited between attempts, in all: what a test checks "a few quick attempts" by, not a clock. */
  waitedMs = 0;

  constructor(private readonly options: ClientCredentialsOptions) {
    redactor.add(options.clientSecret);
    this.got = got.extend({
      method: 'POST',
      timeout: { request: options.timeoutMs },
      responseType: 'json',
      signal: this.closing.signal,
      ...(options.agent ? { agent: options.agent } : {}),
      retry: {
        limit: options.retries ?? 3,
        methods: ['POST'],
        statusCodes: [408, 429, 500, 502, 503, 504],
        calculateDelay: (input) => {
          const wait = tokenRetryDelay(input);
          this.waitedMs += wait;
          return wait;
        },
      },
      hooks: { beforeRequest: [() => void this.requests++] },
    });
  }

  peek(): string | undefined {
    return this.cached && performance.now() < this.cached.renewAt ? this.cached.token : undefined;
  }

  async get(): Promise<string> {
    const cached = this.cached;
    if (cached && performance.now() < cached.renewAt) return cached.token;
    this.pending ??= this.fetch().finally(() => (this.pending = undefined));
    try {
      return await this.pending;
    } catch (error) {
      // A renewal that fails while the current token is still valid is tried again later;
      // the run stops only when there is no usable token left.
      if (cached && this.cached === cached && performance.now() < cached.expiresAt - 1000) {
        cached.renewAt = performance.now() + RENEWAL_RETRY_MS;
        return cached.token;
      }
      throw error;
    }
  }

  refused(token: string): boolean {
    if (this.cached?.token === token) this.cached = undefined;
    return true;
  }

  close(): void {
    this.closing.abort();
  }

  private async fetch(): Promise<string> {
    const { tokenUrl, clientId, clientSecret, scope } = this.options;
    const before = this.requests;
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = await this.got(tokenUrl, {
        form: { client_id: clientId, client_secret: clientSecret, scope, grant_type: 'client_credentials' },
      }).json();
    } catch (error) {
      throw describeTokenFailure(error, tokenUrl, this.requests - before);
    }
    const token = typeof body.access_token === 'string' ? body.access_token : '';
    const lifetime = Number(body.expires_in);
    if (token === '' || !Number.isFinite(lifetime) || lifetime <= 0) {
      throw new TokenError(
        'invalid_response',
        `The token endpoint ${tokenUrl} answered without a usable access_token/expires_in`,
      );
    }
    redactor.add(token);
    const now = performance.now();
    this.cached = {
      token,
      renewAt: now + (lifetime - renewalMargin(lifetime)) * 1000,
      expiresAt: now + lifetime * 1000,
    };
    this.options.onToken?.({ expiresInSeconds: lifetime });
    return token;
  }
}

/** Entra's error body, e.g. `{"error":"invalid_client","error_description":"AADSTS7000215: …"}`. */
interface EntraError {
  error?: string;
  error_description?: string;
}

/** Why no token came, in words that say where to look: the credentials, the endpoint, or the way to it. */
function describeTokenFailure(error: unknown, tokenUrl: string, attempts: number): TokenError {
  const tries = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  if (error instanceof HTTPError) return describeRefusal(error, tokenUrl, tries);
  if (error instanceof RequestError) {
    return new TokenError(
      error.code,
      `Could not reach the token endpoint ${tokenUrl} (${error.code}) ${tries}: ${error.message}. Check --token-url, the network and any proxy`,
    );
  }
  return new TokenError(
    'unknown',
    `Could not get a token: ${error instanceof Error ? error.message : String(error)}`,
  );
}

/**
 * An answer that was not a token. Only a 4xx with Entra's error body refuses the credentials; a
 * 5xx (or 408, 429) is the endpoint failing, and anything else is not Entra answering at all.
 */
function describeRefusal(error: HTTPError, tokenUrl: string, tries: string): TokenError {
  const status = error.response.statusCode;
  // got leaves the body as text when it is not JSON (a proxy's page); only an object has fields.
  const raw: unknown = error.response.body;
  const body = (typeof raw === 'object' && raw !== null ? raw : {}) as EntraError;
  const entraCode = typeof body.error === 'string' && body.error !== '' ? body.error : undefined;
  const code = entraCode ?? `http_${status}`;
  // Entra's description starts with its AADSTS code and a sentence; the trace ids after it are noise.
  const aadsts =
    typeof body.error_description === 'string'
      ? body.error_description.split(/\r?\n/)[0]?.split(' Trace ID')[0]
      : undefined;
  const said = `${entraCode ? ` ${entraCode}` : ''}${aadsts ? `: ${aadsts}` : ''}`;
  if (status >= 500 || status === 408 || status === 429) {
    return new TokenError(
      code,
      `The token endpoint ${tokenUrl} failed (HTTP ${status}${said}) ${tries}. Try again later; if it lasts, check --token-url`,
    );
  }
  if (entraCode === undefined) {
    return new TokenError(
      code,
      `The token endpoint ${tokenUrl} answered HTTP ${status} with neither a token nor an Entra error. Check --token-url`,
    );
  }
  const advice =
    code === 'invalid_client' || code === 'unauthorized_client'
      ? 'Check CLOUDCOCKPIT_CLIENT_ID and the client secret (use the secret value, not its id; it may have expired)'
      : code === 'invalid_scope'
        ? 'Check --scope'
        : 'Check the credentials and --token-url';
  return new TokenError(
    code,
    `The token endpoint refused the credentials (HTTP ${status}${said}). ${advice}`,
  );
}
