import type { OutgoingHttpHeaders } from 'node:http';
import type { ApiError, FieldError } from './error-styles.js';

/** A value stored when the 204 goes out: which map, under which `${customerId}/${…}` key. */
export interface Write {
  target: 'poNumber' | 'internalIdentifier';
  key: string;
  value: string | null;
}

/** What the simulator does with one API request once its latency has passed. */
export type Outcome =
  | {
      action: 'answer';
      status: number;
      headers?: OutgoingHttpHeaders;
      body?: string;
      /** The value this answer stores. */
      write?: Write;
      /** A write answered 204 but not stored (the `not-applied` fault), counted when the answer goes out. */
      unapplied?: Write;
    }
  /** An error answer, written in the configured `errorStyle` when it is sent. */
  | { action: 'error'; error: ApiError; headers?: OutgoingHttpHeaders }
  | { action: 'drop' }
  /** No answer; with `write`, the value is stored all the same (the `hang-after-apply` fault). */
  | { action: 'hang'; write?: Write };

/** Destroy the socket without an answer. */
export const DROP: Outcome = { action: 'drop' };
/** Never answer. */
export const HANG: Outcome = { action: 'hang' };
/** A 200 with `value` as its JSON body: what a read answers. */
export function jsonOutcome(value: unknown): Outcome {
  const body = JSON.stringify(value);
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  };
  return { action: 'answer', status: 200, headers, body };
}

/** 403 has no documented body, so none is sent. */
export const FORBIDDEN: Outcome = { action: 'answer', status: 403, headers: { 'content-length': 0 } };

/** An error answer: the documented body's fields, rendered in the configured style when sent. */
export function errorOutcome(
  status: number,
  type: string,
  description: string,
  correlationId: string | undefined,
  errors: FieldError[] | null = null,
  extraHeaders?: OutgoingHttpHeaders,
): Outcome {
  const error = { status, type, description, correlationId, errors };
  return extraHeaders === undefined
    ? { action: 'error', error }
    : { action: 'error', error, headers: extraHeaders };
}

/** A 400 ValidationError listing every bad property. */
export function validationOutcome(errors: FieldError[], correlationId: string | undefined): Outcome {
  return errorOutcome(
    400,
    'ValidationError',
    'One or more validation errors occurred.',
    correlationId,
    errors,
  );
}

/** A 401 with no body (as documented) and the challenge a JWT bearer API sends. */
export function unauthorizedOutcome(challenge: string): Outcome {
  return { action: 'answer', status: 401, headers: { 'www-authenticate': challenge, 'content-length': 0 } };
}

/** A 429 TooManyRequests telling the client to wait `seconds`. */
export function throttledOutcome(seconds: number, correlationId: string | undefined): Outcome {
  const description = `Rate limit is exceeded. Try again in ${seconds} seconds.`;
  return errorOutcome(429, 'TooManyRequests', description, correlationId, null, {
    'retry-after': String(seconds),
  });
}
