/** answeredResult, the statuses: a success, the documented error body, and our own words for the statuses that come without one. */
import { describe, expect, test } from '@jest/globals';
import { answeredResult } from '../../src/api/answer.js';
import { answer, correlationId, documentedBody, limits, row } from '../helpers/answers.js';

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
});
