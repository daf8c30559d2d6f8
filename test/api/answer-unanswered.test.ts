/** The results of rows without a final answer: a network failure or timeout, a stop, a token that never came. */
import { describe, expect, test } from '@jest/globals';
import { networkFailure, stoppedResult, tokenResult } from '../../src/api/answer.js';
import { answer, correlationId, documentedBody, limits, row } from '../helpers/answers.js';

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
