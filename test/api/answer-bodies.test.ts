/**
 * answeredResult, the bodies that are not the documented one: ASP.NET's problem details, wrong
 * types, a gateway's HTML page, plain text, any body at all; and a Retry-After beyond the limit.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { answeredResult } from '../../src/api/answer.js';
import { answer, correlationId, limits, row } from '../helpers/answers.js';

describe('answeredResult', () => {
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
