/**
 * Which failures of a row no other row can escape, by what would have to be fixed: the API's
 * address (nothing listens there), its host name, the secure connection, the tenant, or the API
 * itself failing (a 5xx or no answer). A row refused for its own reasons (400 for its values,
 * 403, 404) or throttled has no such cause. Read from the row's result, by codes, never by its words.
 */
import type { RowResult } from '../result.js';

/** A failure every row would meet, named by what to check. */
export type FailureCause = 'unreachable' | 'dns' | 'tls' | 'tenant' | 'failing';

/** Nothing accepts the connection at the API's address. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);
/** The API's host name does not resolve. */
const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
/** Node's and OpenSSL's codes for a failed TLS handshake or certificate check (plus the prefixes below). */
const TLS = new Set([
  'EPROTO',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const TLS_PREFIXES = ['ERR_TLS_', 'ERR_SSL_', 'CERT_', 'UNABLE_TO_'];
/** The connection was made but dropped or left without an answer: the API failing, as a 5xx is. */
const NO_ANSWER = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);

/** The error type the API gives a tenant it does not know (400). */
export const INVALID_TENANT = 'InvalidTenant';

/** The cause of a failed row that every other row would meet too, or undefined if it has none. */
export function failureCause(result: RowResult): FailureCause | undefined {
  if (result.status !== 'failed') return undefined;
  const code = result.errorCode;
  if (code !== undefined) {
    if (UNREACHABLE.has(code)) return 'unreachable';
    if (DNS.has(code)) return 'dns';
    if (TLS.has(code) || TLS_PREFIXES.some((prefix) => code.startsWith(prefix))) return 'tls';
    if (NO_ANSWER.has(code)) return 'failing';
  }
  if (result.errorType === 'Timeout') return 'failing';
  if (result.httpStatus === 400 && result.errorType === INVALID_TENANT) return 'tenant';
  // A 5xx as the row's last answer; a row whose connection failed after a 5xx is judged by its code.
  if (code === undefined && result.httpStatus !== undefined && result.httpStatus >= 500) return 'failing';
  return undefined;
}
