import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  answeredResult,
  networkFailure,
  stoppedResult,
  tokenResult,
  type Answer,
  type RowSoFar,
} from '../../src/api/answer.js';

const correlationId = '5b1f8c2e-3d4a-4e6b-9c7d-1a2b3c4d5e6f';
const limits = { timeoutMs: 30_000, maxRetryAfterMs: 60_000 };

const answer = (
  statusCode: number,
  body = '',
  headers: Answer['headers'] = {},
  statusMessage: string | undefined = undefined,
): Answer => ({ statusCode, body, headers, statusMessage });

const row = (count: number, last?: Answer): RowSoFar => ({ count, correlationId, last });

const documentedBody = (fields: object): string =>
  JSON.stringify({ statusCode: 400, correlationId, ...fields });

describe('answeredResult', () => {
  test('a 2xx answer is a success with its status, attempts and correlation id', () => {
    expect(answeredResult(answer(204), row(2), limits)).toEqual({
      status: 'success',
      httpStatus: 204,
      attempts: 2,
      correlationId,
    });
  });

  test("an error body in the documented shape gives the API's type, description and flattened errors", () => {
    const body = documentedBody({
      type: 'ValidationError',
      description: 'One or more validation errors occurred.',
      errors: [
        { propertyName: 'poNumber', description: ['Too long.', 'Not allowed.'] },
        { propertyName: 'customerId', description: ['Not a valid UUID.'] },
      ],
    });
    expect(answeredResult(answer(400, body, {}, 'Bad Request'), row(1), limits)).toEqual({
      status: 'failed',
      httpStatus: 400,
      attempts: 1,
      correlationId,
      errorType: 'ValidationError',
      errorDescription: 'One or more validation errors occurred.',
      errorDetails: 'poNumber: Too long.; Not allowed. | customerId: Not a valid UUID.',
    });
  });

  test('null fields of the error body fall back to our own words and no details', () => {
    const body = documentedBody({ statusCode: 404, type: null, description: null, errors: null });
    expect(answeredResult(answer(404, body), row(1), limits)).toEqual({
      status: 'failed',
      httpStatus: 404,
      attempts: 1,
      correlationId,
      errorType: 'NotFound',
      errorDescription: 'Not found (HTTP 404): check the ids',
    });
  });

  test('a 403 or a 429 without a body is described in our own words', () => {
    expect(answeredResult(answer(403), row(1), limits)).toMatchObject({
      errorType: 'Forbidden',
      errorDescription:
        'Not allowed (HTTP 403): only the CSP or the reseller associated to it may change this',
    });
    expect(answeredResult(answer(429), row(6), limits)).toMatchObject({
      errorType: 'TooManyRequests',
      errorDescription: 'The API kept answering "too many requests" (HTTP 429) until the retries ran out',
    });
  });

  test('a final 401 is described in our own words and stops the run', () => {
    expect(answeredResult(answer(401), row(2), limits)).toEqual({
      status: 'failed',
      httpStatus: 401,
      attempts: 2,
      correlationId,
      errorType: 'Unauthorized',
      errorDescription:
        'The API refused the bearer token (HTTP 401): it is expired or wrong, or the Api Access lacks the csp or reseller role',
      stopRun: 'the API refused the bearer token (HTTP 401)',
    });
  });

  test('another status without our own words is a ServerError or an HttpError with its status line', () => {
    expect(answeredResult(answer(503, '', {}, 'Service Unavailable'), row(6), limits)).toMatchObject({
      errorType: 'ServerError',
      errorDescription: 'The API answered HTTP 503 Service Unavailable',
    });
    expect(answeredResult(answer(409, '', {}, 'Conflict'), row(1), limits)).toMatchObject({
      errorType: 'HttpError',
      errorDescription: 'The API answered HTTP 409 Conflict',
    });
    expect(answeredResult(answer(409), row(1), limits).errorDescription).toBe('The API answered HTTP 409');
  });

  test('a body that is JSON but neither an object nor a string is ignored', () => {
    for (const body of ['null', '42']) {
      expect(answeredResult(answer(502, body, {}, 'Bad Gateway'), row(1), limits)).toEqual({
        status: 'failed',
        httpStatus: 502,
        attempts: 1,
        correlationId,
        errorType: 'ServerError',
        errorDescription: 'The API answered HTTP 502 Bad Gateway',
      });
    }
  });

  test("ASP.NET's problem details keep the row's status, attempts and correlation id, and give its words", () => {
    const body = JSON.stringify({
      type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
      title: 'One or more validation errors occurred.',
      status: 400,
      errors: { PoNumber: ['The field PoNumber must be a string with a maximum length of 255.'] },
    });
    expect(answeredResult(answer(400, body, {}, 'Bad Request'), row(1), limits)).toEqual({
      status: 'failed',
      httpStatus: 400,
      attempts: 1,
      correlationId,
      errorType: 'ValidationError',
      errorDescription: 'One or more validation errors occurred.',
      errorDetails: 'PoNumber: The field PoNumber must be a string with a maximum length of 255.',
    });
  });

  test('fields of the wrong type are left out and our own words take their place', () => {
    expect(answeredResult(answer(400, '{"type":42}', {}, 'Bad Request'), row(1), limits)).toEqual({
      status: 'failed',
      httpStatus: 400,
      attempts: 1,
      correlationId,
      errorType: 'HttpError',
      errorDescription: 'The API answered HTTP 400 Bad Request',
    });
    const nested = JSON.stringify({
      type: null,
      description: ['a', 'b'],
      errors: [null, { description: null }],
    });
    expect(answeredResult(answer(404, nested), row(2), limits)).toEqual({
      status: 'failed',
      httpStatus: 404,
      attempts: 2,
      correlationId,
      errorType: 'NotFound',
      errorDescription: 'a; b',
    });
  });

  test("a gateway's HTML page is told by its title, never its markup", () => {
    const page =
      '<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>';
    expect(
      answeredResult(answer(502, page, { 'content-type': 'text/html' }, 'Bad Gateway'), row(6), limits),
    ).toEqual({
      status: 'failed',
      httpStatus: 502,
      attempts: 6,
      correlationId,
      errorType: 'ServerError',
      errorDescription: 'The API answered HTTP 502 Bad Gateway with a web page: 502 Bad Gateway',
    });
  });

  test('plain text and a JSON string are the description', () => {
    expect(
      answeredResult(answer(400, 'PoNumber is too long', { 'content-type': 'text/plain' }), row(1), limits),
    ).toMatchObject({
      errorType: 'HttpError',
      errorDescription: 'PoNumber is too long',
    });
    expect(answeredResult(answer(502, '"just text"', {}, 'Bad Gateway'), row(1), limits)).toMatchObject({
      errorType: 'ServerError',
      errorDescription: 'just text',
    });
  });

  test('whatever the body holds, the row keeps its status, attempts and correlation id, and its words are text', () => {
    const bodies = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify({ type: v, title: v, detail: v, description: v, errors: v })),
      fc.dictionary(fc.string(), fc.jsonValue()).map((errors) => JSON.stringify({ errors })),
      fc.array(fc.jsonValue()).map((errors) => JSON.stringify({ errors })),
      fc.string().map((s) => `<html><title>${s}</title><body>${s}</body></html>`),
    );
    fc.assert(
      fc.property(
        bodies,
        fc.integer({ min: 400, max: 599 }),
        fc.integer({ min: 1, max: 7 }),
        (body, status, count) => {
          const result = answeredResult(answer(status, body, {}, 'Whatever'), row(count), limits);
          expect(result).toMatchObject({
            status: 'failed',
            httpStatus: status,
            attempts: count,
            correlationId,
          });
          expect(typeof result.errorType).toBe('string');
          expect(result.errorType).not.toBe('');
          expect(typeof result.errorDescription).toBe('string');
          expect(['string', 'undefined']).toContain(typeof result.errorDetails);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('a Retry-After in seconds longer than --max-retry-after is told in the description', () => {
    const result = answeredResult(answer(429, '', { 'retry-after': '120' }), row(1), limits);
    expect(result.errorDescription).toBe(
      'The API kept answering "too many requests" (HTTP 429) until the retries ran out' +
        ' (the API asked to wait 120 s, longer than --max-retry-after 60 s)',
    );
  });

  test('a Retry-After as an HTTP date longer than --max-retry-after is told in the description', () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toUTCString();
    const result = answeredResult(
      answer(503, '', { 'retry-after': inAnHour }, 'Service Unavailable'),
      row(1),
      limits,
    );
    expect(result.errorDescription).toMatch(
      /^The API answered HTTP 503 Service Unavailable \(the API asked to wait (3599|3600) s, longer than --max-retry-after 60 s\)$/,
    );
  });

  test('a Retry-After within the limit, unreadable, or on a final status adds nothing', () => {
    const described = (status: number, retryAfter: string) =>
      answeredResult(answer(status, '', { 'retry-after': retryAfter }), row(1), limits).errorDescription;
    expect(described(429, '60')).toBe(
      'The API kept answering "too many requests" (HTTP 429) until the retries ran out',
    );
    expect(described(503, 'soon')).toBe('The API answered HTTP 503');
    expect(described(404, '120')).toBe('Not found (HTTP 404): check the ids');
  });
});

describe('networkFailure', () => {
  test('a timeout names --timeout and the attempts, and keeps the last status an attempt got', () => {
    const error = {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
      message: 'Timeout awaiting request for 30000ms',
    };
    expect(networkFailure(error, row(3, answer(503)), limits)).toEqual({
      status: 'failed',
      httpStatus: 503,
      attempts: 3,
      correlationId,
      errorType: 'Timeout',
      errorDescription: 'No answer within 30 s (--timeout), after 3 attempts',
    });
  });

  test('an ETIMEDOUT code is a timeout whatever the error is called', () => {
    const error = { name: 'RequestError', code: 'ETIMEDOUT', message: 'connect ETIMEDOUT 10.0.0.1:443' };
    expect(networkFailure(error, row(1), limits)).toMatchObject({
      httpStatus: undefined,
      errorType: 'Timeout',
      errorDescription: 'No answer within 30 s (--timeout), after 1 attempt',
    });
  });

  test("a failed connection names its code and got's message", () => {
    const error = { name: 'RequestError', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' };
    expect(networkFailure(error, row(1), limits)).toEqual({
      status: 'failed',
      httpStatus: undefined,
      attempts: 1,
      correlationId,
      errorType: 'NetworkError',
      errorDescription:
        'The connection failed (ECONNREFUSED) after 1 attempt: connect ECONNREFUSED 127.0.0.1:9',
    });
  });
});

describe('stoppedResult', () => {
  test('a row stopped before its first attempt is not attempted', () => {
    expect(stoppedResult(row(0), limits)).toEqual({ status: 'not_attempted', attempts: 0 });
  });

  test('a row stopped while it waited to retry reports its last answer, with a note', () => {
    const body = documentedBody({ statusCode: 500, type: 'InternalError', description: 'Something broke.' });
    expect(stoppedResult(row(2, answer(500, body)), limits)).toEqual({
      status: 'failed',
      httpStatus: 500,
      attempts: 2,
      correlationId,
      errorType: 'InternalError',
      errorDescription: 'Something broke. (The run stopped before this row could be retried)',
    });
  });

  test('a row stopped after attempts that got no answer is Stopped', () => {
    expect(stoppedResult(row(2), limits)).toEqual({
      status: 'failed',
      attempts: 2,
      correlationId,
      errorType: 'Stopped',
      errorDescription: 'The run stopped before this row could be retried',
    });
  });
});

describe('tokenResult', () => {
  const message = 'The token endpoint refused the client credentials (invalid_client)';

  test('a row never sent for want of a token is not attempted, and stops the run', () => {
    expect(tokenResult(message, row(0), limits)).toEqual({
      status: 'not_attempted',
      attempts: 0,
      correlationId,
      errorType: 'TokenError',
      errorDescription: message,
      stopRun: message,
    });
  });

  test('a row already answered keeps its last answer, notes the reason, and stops the run', () => {
    expect(tokenResult(message, row(1, answer(503, '', {}, 'Service Unavailable')), limits)).toEqual({
      status: 'failed',
      httpStatus: 503,
      attempts: 1,
      correlationId,
      errorType: 'ServerError',
      errorDescription: `The API answered HTTP 503 Service Unavailable (${message})`,
      stopRun: message,
    });
  });
});
