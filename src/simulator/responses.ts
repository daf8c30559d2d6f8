import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';

/** One entry of an error body's `errors[]`: a property and what is wrong with it. */
export interface FieldError {
  propertyName: string;
  description: string[];
}

/** A value stored when the 204 goes out: which map, under which `${customerId}/${…}` key. */
export interface Write {
  target: 'poNumber' | 'internalIdentifier';
  key: string;
  value: string | null;
}

/** What the simulator does with one API request once its latency has passed. */
export type Outcome =
  | { action: 'answer'; status: number; headers?: OutgoingHttpHeaders; body?: string; write?: Write }
  | { action: 'drop' }
  | { action: 'hang' };

/** Destroy the socket without an answer. */
export const DROP: Outcome = { action: 'drop' };
/** Never answer. */
export const HANG: Outcome = { action: 'hang' };
/** 403 has no documented body, so none is sent. */
export const FORBIDDEN: Outcome = { action: 'answer', status: 403, headers: { 'content-length': 0 } };

/** The API's JSON error body, with its fields in the documented order. */
export function errorOutcome(
  status: number,
  type: string,
  description: string,
  correlationId: string | undefined,
  errors: FieldError[] | null = null,
  extraHeaders?: OutgoingHttpHeaders,
): Outcome {
  const body = JSON.stringify({
    statusCode: status,
    type,
    description,
    correlationId: correlationId ?? randomUUID(),
    errors,
  });
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...extraHeaders,
  };
  return { action: 'answer', status, headers, body };
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
