import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { Answer, RowSoFar } from '../../src/api/answer.js';
import { UNEXPECTED_ANSWER, readResultOf } from '../../src/api/read-answer.js';

const correlationId = '5b1f8c2e-3d4a-4e6b-9c7d-1a2b3c4d5e6f';
const limits = { timeoutMs: 30_000, maxRetryAfterMs: 60_000 };
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

const answer = (statusCode: number, body: string, headers: Answer['headers'] = JSON_TYPE): Answer => ({
  statusCode,
  body,
  headers,
  statusMessage: undefined,
});
const row = (count: number): RowSoFar => ({ count, correlationId, last: undefined });
const read = (body: string, headers?: Answer['headers']) =>
  readResultOf(answer(200, body, headers), 'poNumber', row(1), limits);

describe('readResultOf', () => {
  test('a 200 with the field gives its value, status, attempts and correlation id', () => {
    expect(readResultOf(answer(200, '{"id":"x","poNumber":"PO-42"}'), 'poNumber', row(3), limits)).toEqual({
      ok: true,
      value: 'PO-42',
      httpStatus: 200,
      attempts: 3,
      correlationId,
    });
  });

  test('null and "" both read as cleared', () => {
    expect(read('{"poNumber":null}')).toMatchObject({ ok: true, value: null });
    expect(read('{"poNumber":""}')).toMatchObject({ ok: true, value: null });
  });

  test('a value is kept exactly as the API gave it, spaces included', () => {
    expect(read('{"poNumber":" PO 1 "}')).toMatchObject({ ok: true, value: ' PO 1 ' });
  });

  test('a refusal fails as a write would, with the API’s words', () => {
    const body = JSON.stringify({
      statusCode: 404,
      type: 'NotFound',
      description: 'Customer c was not found.',
    });
    expect(readResultOf(answer(404, body), 'poNumber', row(1), limits)).toEqual({
      ok: false,
      result: {
        status: 'failed',
        httpStatus: 404,
        attempts: 1,
        correlationId,
        errorType: 'NotFound',
        errorDescription: 'Customer c was not found.',
        errorDetails: undefined,
      },
    });
  });

  test('a 403 without a body gets our words, and a 401 stops the run', () => {
    const forbidden = readResultOf(answer(403, '', {}), 'poNumber', row(1), limits);
    expect(forbidden).toMatchObject({ ok: false, result: { httpStatus: 403, errorType: 'Forbidden' } });
    const refused = readResultOf(answer(401, '', {}), 'poNumber', row(2), limits);
    expect(refused).toMatchObject({ ok: false, result: { httpStatus: 401, stopRun: expect.any(String) } });
  });

  test.each([
    ['a missing field', '{"id":"x"}', /HTTP 200 but without a poNumber field/],
    ['a number', '{"poNumber":42}', /with poNumber as a number \(42\), not a string or null/],
    ['an object', '{"poNumber":{"value":"PO-1"}}', /with poNumber as an object/],
    ['a body that is not JSON', 'PO-1', /with a body that is not JSON: PO-1/],
    ['an empty body', '', /with an empty body/],
    ['an array', '[{"poNumber":"PO-1"}]', /with an array where an object with poNumber was expected/],
    ['a JSON string', '"PO-1"', /with a string \("PO-1"\) where an object/],
  ])('a 200 with %s is an UnexpectedAnswer that says what came', (_name, body, words) => {
    const result = read(body);
    expect(result).toMatchObject({
      ok: false,
      result: { status: 'failed', httpStatus: 200, attempts: 1, correlationId, errorType: UNEXPECTED_ANSWER },
    });
    expect(!result.ok && result.result.errorDescription).toMatch(words);
    expect(!result.ok && result.result.errorDescription).toMatch(/so the current poNumber is not known$/);
  });

  test('a 200 web page (a proxy’s sign-in page) is an UnexpectedAnswer quoting its title, not its markup', () => {
    const page = '<html><head><title>Sign in to continue</title></head><body><form></form></body></html>';
    const result = read(page, { 'content-type': 'text/html' });
    expect(!result.ok && result.result.errorDescription).toMatch(/with a web page: Sign in to continue/);
    expect(!result.ok && result.result.errorDescription).not.toMatch(/</);
  });

  test('no body of a 200 makes it throw, and every result is a value or a failure', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (body) => {
        const result = read(body);
        if (result.ok) expect(result.value === null || typeof result.value === 'string').toBe(true);
        else expect(result.result.errorType).toBe(UNEXPECTED_ANSWER);
      }),
    );
  });
});
