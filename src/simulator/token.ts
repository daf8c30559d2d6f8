import { randomBytes, randomUUID } from 'node:crypto';
import type { ResolvedOptions } from './options.js';

/** The Entra directory (tenant) id in CloudCockpit's documented token URL. */
export const DIRECTORY_ID = '4e806121-ff28-4286-ab4e-3be0a08f9ce0';
/** The token path the simulator advertises; any path ending in /oauth2/v2.0/token is served. */
export const TOKEN_PATH = `/${DIRECTORY_ID}/oauth2/v2.0/token`;
/** The API's application id URI, the audience of issued tokens. */
const API_AUDIENCE = 'api://b92a36a4-feb8-4f47-a69c-29a180aa6d0a';

/** Why a bearer token was accepted or not; the 401 challenge differs. */
export type TokenCheck = 'valid' | 'missing' | 'invalid' | 'expired';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Issued bearer tokens with their expiry, plus the static ones that never expire. */
export class TokenStore {
  private readonly issued = new Map<string, number>();
  private staticTokens = new Set<string>();

  /** Replaces the set of tokens that are always accepted. */
  setStatic(tokens: readonly string[]): void {
    this.staticTokens = new Set(tokens);
  }

  /** A new opaque JWT-shaped token valid for `lifetimeSeconds` from `now`. */
  issue(lifetimeSeconds: number, now: number, clientId: string): string {
    // Expired tokens are dropped here, not per API call: a few entries per hour at most.
    for (const [token, expiresAt] of this.issued) if (expiresAt <= now) this.issued.delete(token);
    const iat = Math.floor(now / 1000);
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: 'simulator' }));
    const claims = {
      aud: API_AUDIENCE,
      iss: `https://sts.windows.net/${DIRECTORY_ID}/`,
      iat,
      nbf: iat,
      exp: iat + Math.ceil(lifetimeSeconds),
      appid: clientId,
      tid: DIRECTORY_ID,
      uti: randomUUID(),
    };
    const token = `${header}.${base64url(JSON.stringify(claims))}.${base64url(randomBytes(32))}`;
    this.issued.set(token, now + lifetimeSeconds * 1000);
    return token;
  }

  /** Forgets every issued token (static ones stay valid). */
  revokeIssued(): void {
    this.issued.clear();
  }

  /** Checks an Authorization header value. */
  check(authorization: string | undefined, now: number): TokenCheck {
    if (authorization === undefined || authorization.length === 0) return 'missing';
    if (authorization.length < 8 || authorization.slice(0, 7).toLowerCase() !== 'bearer ') return 'invalid';
    const token = authorization.slice(7).trim();
    if (this.staticTokens.has(token)) return 'valid';
    const expiresAt = this.issued.get(token);
    if (expiresAt === undefined) return 'invalid';
    return now < expiresAt ? 'valid' : 'expired';
  }
}

/** An answer from the token endpoint. */
export interface TokenAnswer {
  status: number;
  body: string;
}

// Entra error bodies carry the same trace and correlation ids in the description and as fields.
function entraError(status: number, error: string, code: number, message: string, now: number): TokenAnswer {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date(now)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  const description = `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`;
  const body = {
    error,
    error_description: description,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
  return { status, body: JSON.stringify(body) };
}

/**
 * Answers a client-credentials token request the way Entra ID does: parameters first, then the
 * client, then its secret, then the scope. `options.tokenEndpointFailures` counts down here.
 */
export function answerTokenRequest(
  form: URLSearchParams,
  options: ResolvedOptions,
  store: TokenStore,
  now: number,
): TokenAnswer {
  if (options.tokenEndpointFailures > 0) {
    options.tokenEndpointFailures -= 1;
    return entraError(
      503,
      'temporarily_unavailable',
      90033,
      'A transient error has occurred. Please try again.',
      now,
    );
  }
  const grantType = form.get('grant_type');
  const clientId = form.get('client_id');
  const secret = form.get('client_secret');
  const scope = form.get('scope');
  const missing = grantType === null ? 'grant_type' : clientId === null ? 'client_id' : undefined;
  if (missing !== undefined) {
    const message = `The request body must contain the following parameter: '${missing}'.`;
    return entraError(400, 'invalid_request', 900144, message, now);
  }
  if (grantType !== 'client_credentials') {
    const message = `The app requested an unsupported grant type '${grantType}'.`;
    return entraError(400, 'unsupported_grant_type', 70003, message, now);
  }
  if (clientId !== options.clientId) {
    const message =
      `Application with identifier '${clientId}' was not found in the directory '${DIRECTORY_ID}'. ` +
      'This can happen if the application has not been installed by the administrator of the tenant or ' +
      'consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.';
    return entraError(400, 'unauthorized_client', 700016, message, now);
  }
  if (secret === null || secret.length === 0) {
    const message =
      "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.";
    return entraError(401, 'invalid_client', 7000216, message, now);
  }
  if (secret !== options.clientSecret) {
    const message =
      'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, ' +
      `not the client secret ID, for a secret added to app '${clientId}'.`;
    return entraError(401, 'invalid_client', 7000215, message, now);
  }
  // Without a scope Entra falls back to the interactive default, which client credentials may not use.
  const requested = scope ?? 'openid profile offline_access';
  if (!requested.endsWith('/.default')) {
    const message =
      `The provided value for scope ${requested} is not valid. Client credential flows must have a scope ` +
      'value with /.default suffixed to the resource identifier (application ID URI).';
    return entraError(400, 'invalid_scope', 1002012, message, now);
  }
  const lifetime = options.tokenLifetimeSeconds;
  const accessToken = store.issue(lifetime, now, clientId);
  const body = {
    token_type: 'Bearer',
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: accessToken,
  };
  return { status: 200, body: JSON.stringify(body) };
}
