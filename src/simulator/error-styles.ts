/**
 * The shapes an error answer can take on the wire. The API documents one JSON body; what answers
 * in its place when ASP.NET's model binding, a gateway or a proxy speaks first looks different,
 * and the client must read each of them. An error is decided as data (`ApiError`) and rendered in
 * the configured style only when it is sent.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';

/** One entry of an error body's `errors[]`: a property and what is wrong with it. */
export interface FieldError {
  propertyName: string;
  description: string[];
}

/** An error answer before it is rendered: what the documented body would say. */
export interface ApiError {
  readonly status: number;
  readonly type: string;
  readonly description: string;
  /** The id to echo; a fresh one is made when the request sent none (or no valid one). */
  readonly correlationId: string | undefined;
  readonly errors: FieldError[] | null;
}

/**
 * How error answers are written:
 * - `documented`: the API's `{statusCode, type, description, correlationId, errors: [...]}`;
 * - `problem-details`: RFC 9457 as ASP.NET Core writes it (`type`, `title`, `status`, `detail`,
 *   `traceId`; validation errors as `errors: {"poNumber": ["…"]}` under the RFC 9110 type);
 * - `gateway-html`: an IIS/App Service style HTML page that knows nothing of the API's words;
 * - `plain-text`: the description alone, as `text/plain`;
 * - `empty`: the status with no body at all;
 * - `wrong-types`: the documented fields with the wrong JSON types and nulls nested inside.
 */
export type ErrorStyle =
  'documented' | 'problem-details' | 'gateway-html' | 'plain-text' | 'empty' | 'wrong-types';

/** Every error style, in the order the documentation lists them. */
export const ERROR_STYLES: readonly ErrorStyle[] = [
  'documented',
  'problem-details',
  'gateway-html',
  'plain-text',
  'empty',
  'wrong-types',
];

/** The status line, headers and body of a rendered error. */
export interface RenderedError {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly body: string;
}

/** The RFC 9110 section ASP.NET links as the `type` of a problem with this status. */
const RFC_9110_SECTIONS: Record<number, string> = {
  400: '15.5.1',
  404: '15.5.5',
  405: '15.5.6',
  415: '15.5.16',
  429: '15.5.30', // RFC 6585 in truth; ASP.NET has no link for it, and any link will do here
  500: '15.6.1',
};

const reason = (status: number): string => STATUS_CODES[status] ?? 'Error';

/** The error in `style`, with `extraHeaders` (e.g. Retry-After) kept whatever the style. */
export function renderError(
  style: ErrorStyle,
  error: ApiError,
  extraHeaders?: OutgoingHttpHeaders,
): RenderedError {
  const { contentType, body } = BODIES[style](error);
  const headers: OutgoingHttpHeaders = {
    ...(body === '' ? {} : { 'content-type': contentType }),
    'content-length': Buffer.byteLength(body),
    ...extraHeaders,
  };
  return { status: error.status, headers, body };
}

type Body = { contentType: string; body: string };

const BODIES: Record<ErrorStyle, (error: ApiError) => Body> = {
  documented: (error) => json('application/json; charset=utf-8', documented(error)),
  'problem-details': (error) => json('application/problem+json; charset=utf-8', problemDetails(error)),
  'gateway-html': (error) => ({ contentType: 'text/html', body: gatewayPage(error.status) }),
  'plain-text': (error) => ({ contentType: 'text/plain; charset=utf-8', body: error.description }),
  empty: () => ({ contentType: '', body: '' }),
  'wrong-types': (error) => json('application/json; charset=utf-8', wrongTypes(error)),
};

const json = (contentType: string, value: object): Body => ({ contentType, body: JSON.stringify(value) });

/** The documented body, fields in the documented order. */
function documented(error: ApiError): object {
  return {
    statusCode: error.status,
    type: error.type,
    description: error.description,
    correlationId: error.correlationId ?? randomUUID(),
    errors: error.errors,
  };
}

/** RFC 9457 problem details the way ASP.NET Core's ProblemDetails and ValidationProblemDetails look. */
function problemDetails(error: ApiError): object {
  const traceId = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
  if (error.errors !== null && error.errors.length > 0) {
    const errors: Record<string, string[]> = {};
    for (const e of error.errors)
      errors[e.propertyName] = [...(errors[e.propertyName] ?? []), ...e.description];
    return {
      type: rfcLink(error.status),
      title: 'One or more validation errors occurred.',
      status: error.status,
      errors,
      traceId,
    };
  }
  // The API's own kinds of error get their own problem type; the generic ones keep ASP.NET's link.
  const generic = [
    'ValidationError',
    'NotFound',
    'MethodNotAllowed',
    'UnsupportedMediaType',
    'InternalServerError',
  ];
  const type = generic.includes(error.type)
    ? rfcLink(error.status)
    : `https://api.cloudcockpit.com/problems/${error.type}`;
  return { type, title: reason(error.status), status: error.status, detail: error.description, traceId };
}

function rfcLink(status: number): string {
  return `https://tools.ietf.org/html/rfc9110#section-${RFC_9110_SECTIONS[status] ?? '15'}`;
}

/** A front end's error page: a title, some style and script, and nothing the API said. */
function gatewayPage(status: number): string {
  const title = `${status} - ${reason(status)}`;
  return [
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
    '<html xmlns="http://www.w3.org/1999/xhtml"><head>',
    '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/>',
    `<title>${title}</title>`,
    '<style type="text/css">body{margin:0;font-size:.7em;font-family:Verdana,Arial,Helvetica,sans-serif}</style>',
    '<script>window.appInsights && window.appInsights.trackPageView();</script>',
    '</head><body><div id="header"><h1>Server Error</h1></div>',
    `<div id="content"><fieldset><h2>${title}</h2>`,
    '<h3>There is a problem with the resource you are looking for, and it cannot be displayed.</h3>',
    '</fieldset></div></body></html>',
  ].join('\r\n');
}

/** The documented fields with every type wrong somewhere: numbers for text, arrays with nulls. */
function wrongTypes(error: ApiError): object {
  return {
    statusCode: String(error.status),
    type: error.status,
    description: [error.description, null],
    correlationId: 42,
    errors:
      error.errors === null || error.errors.length === 0
        ? []
        : [
            null,
            ...error.errors.map((e) => ({
              propertyName: e.propertyName,
              // One description as a bare string, several with a null among them.
              description: e.description.length === 1 ? e.description[0] : [...e.description, null],
              extra: { nested: null },
            })),
          ],
  };
}
