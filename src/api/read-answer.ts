/**
 * What a read's final answer means, as a `ReadResult`: on a 2xx, the value in its JSON body
 * (`""` and null both mean cleared); a 2xx without it is a failure of its own, `UnexpectedAnswer`,
 * that says what came instead; any other answer fails the way a write's would (`answer.ts`).
 * Pure, and it never throws: no body can cost a row its status.
 */
import type { ReadResult } from '../result.js';
import { answeredResult, type Answer, type Limits, type RowSoFar } from './answer.js';
import { isMarkup, pageExcerpt, textExcerpt } from './page-text.js';

/** The error type of a 2xx whose body does not hold the value. */
export const UNEXPECTED_ANSWER = 'UnexpectedAnswer';

/** The read's result from its final answer: the value of `field` on a 2xx, else the row's failure. */
export function readResultOf(answer: Answer, field: string, row: RowSoFar, limits: Limits): ReadResult {
  const status = answer.statusCode;
  if (status < 200 || status >= 300) return { ok: false, result: answeredResult(answer, row, limits) };
  const found = valueIn(answer, field);
  if (typeof found === 'object') {
    return {
      ok: true,
      value: found.value,
      httpStatus: status,
      attempts: row.count,
      correlationId: row.correlationId,
    };
  }
  return {
    ok: false,
    result: {
      status: 'failed',
      httpStatus: status,
      attempts: row.count,
      correlationId: row.correlationId,
      errorType: UNEXPECTED_ANSWER,
      errorDescription: `The API answered HTTP ${status} but ${found}, so the current ${field} is not known`,
    },
  };
}

/** The value of `field` in the answer's JSON object (cleared as null), or what the body was instead. */
function valueIn(answer: Answer, field: string): { value: string | null } | string {
  const text = typeof answer.body === 'string' ? answer.body : '';
  if (text.trim() === '') return 'with an empty body';
  if (isMarkup(text, answer.headers['content-type'])) {
    const page = pageExcerpt(text);
    return page === undefined ? 'with a web page' : `with a web page: ${page}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `with a body that is not JSON: ${textExcerpt(text) ?? ''}`.trim();
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return `with ${describe(body)} where an object with ${field} was expected`;
  }
  if (!Object.hasOwn(body, field)) return `without a ${field} field`;
  const value = (body as Record<string, unknown>)[field];
  if (value === null || value === '') return { value: null };
  if (typeof value === 'string') return { value };
  return `with ${field} as ${describe(value)}, not a string or null`;
}

/** A JSON value's kind in words: `an array`, `a number (42)`. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const shown = textExcerpt(JSON.stringify(value)) ?? '';
  return `${typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'a boolean' : 'a string'} (${shown})`;
}
