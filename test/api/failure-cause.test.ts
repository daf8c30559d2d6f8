/** Which failed rows show a cause no other row can escape (issue 16, item 5). */
import { describe, expect, test } from '@jest/globals';
import { failureCause } from '../../src/api/failure-cause.js';
import type { RowResult } from '../../src/result.js';

const failed = (fields: Partial<RowResult>): RowResult => ({ status: 'failed', attempts: 1, ...fields });

describe('failureCause', () => {
  test.each([
    ['ECONNREFUSED', 'unreachable'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['EPROTO', 'tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
    ['ECONNRESET', 'failing'],
    ['EPIPE', 'failing'],
    ['ETIMEDOUT', 'failing'],
  ])('a connection that failed with %s is %s', (code, cause) => {
    expect(failureCause(failed({ errorType: 'NetworkError', errorCode: code }))).toBe(cause);
  });

  test('a timeout is the API failing, and so is a 5xx as the last answer', () => {
    expect(failureCause(failed({ errorType: 'Timeout' }))).toBe('failing');
    expect(failureCause(failed({ httpStatus: 503, errorType: 'ServiceUnavailable' }))).toBe('failing');
    expect(failureCause(failed({ httpStatus: 500, errorType: 'InternalServerError' }))).toBe('failing');
  });

  test('a connection refused after an earlier 5xx is judged by how it ended', () => {
    expect(
      failureCause(failed({ httpStatus: 503, errorType: 'NetworkError', errorCode: 'ECONNREFUSED' })),
    ).toBe('unreachable');
  });

  test('a 400 InvalidTenant is the tenant; any other 400 is the row’s own', () => {
    expect(failureCause(failed({ httpStatus: 400, errorType: 'InvalidTenant' }))).toBe('tenant');
    expect(failureCause(failed({ httpStatus: 400, errorType: 'ValidationError' }))).toBeUndefined();
  });

  test('refusals of the row itself, throttling, an unknown code and anything but a failure have no cause', () => {
    for (const result of [
      failed({ httpStatus: 403, errorType: 'Forbidden' }),
      failed({ httpStatus: 404, errorType: 'NotFound' }),
      failed({ httpStatus: 429, errorType: 'TooManyRequests' }),
      failed({ errorType: 'NetworkError', errorCode: 'ERR_SOMETHING_ELSE' }),
      failed({ errorType: 'Stopped' }),
      { status: 'success', attempts: 1, httpStatus: 204 } as const,
      { status: 'not_attempted', attempts: 0, errorCode: 'ECONNREFUSED' } as const,
    ]) {
      expect(failureCause(result)).toBeUndefined();
    }
  });
});
