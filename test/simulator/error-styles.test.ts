import { afterEach, describe, expect, test } from '@jest/globals';
import { ERROR_STYLES, renderError, type ApiError } from '../../src/simulator/error-styles.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server.js';
import { openWorld, type World } from '../../src/simulator/world.js';

const CUSTOMER = '0b8f5ad4-6c3e-4f0e-9a51-2d7c4b1e9f30';
const SUBSCRIPTION = '5e2a9c71-8d4b-4a6f-b3e0-7f1c2d9a8b45';
const CORRELATION_ID = '5b1f8c2e-3d4a-4e6b-9c7d-1a2b3c4d5e6f';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions): Promise<Simulator> {
  sim = await startSimulator(options);
  return sim;
}

/** PATCHes a PO number and returns the answer's status, content type and body. */
async function patchPoNumber(s: Simulator, poNumber: string, customerId = CUSTOMER) {
  const response = await fetch(
    `${s.url}/v1/customers/${customerId}/subscriptions/${SUBSCRIPTION}/po-number`,
    {
      method: 'PATCH',
      headers: {
        authorization: 'Bearer sim-static-token',
        'x-tenant': 'portal.cloudcockpit.com',
        'content-type': 'application/json',
        'x-correlation-id': CORRELATION_ID,
      },
      body: JSON.stringify(poNumber),
    },
  );
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    retryAfter: response.headers.get('retry-after'),
    body: await response.text(),
  };
}

const validation: ApiError = {
  status: 400,
  type: 'ValidationError',
  description: 'One or more validation errors occurred.',
  correlationId: CORRELATION_ID,
  errors: [
    { propertyName: 'poNumber', description: ['Too long.', 'Not allowed.'] },
    { propertyName: 'customerId', description: ['Not a valid UUID.'] },
  ],
};
const notFound: ApiError = {
  status: 404,
  type: 'NotFound',
  description: 'Customer x was not found.',
  correlationId: CORRELATION_ID,
  errors: null,
};
const tenant: ApiError = {
  ...notFound,
  status: 400,
  type: 'InvalidTenant',
  description: "The tenant 'x' does not exist.",
};

describe('renderError', () => {
  test('the documented style is the documented body, fields in order', () => {
    const { status, headers, body } = renderError('documented', validation);
    expect(status).toBe(400);
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(body).toBe(
      JSON.stringify({
        statusCode: 400,
        type: 'ValidationError',
        description: 'One or more validation errors occurred.',
        correlationId: CORRELATION_ID,
        errors: validation.errors,
      }),
    );
  });

  test('problem details write validation errors as an object of arrays under the RFC 9110 type, as ASP.NET does', () => {
    const { headers, body } = renderError('problem-details', validation);
    expect(headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(body)).toEqual({
      type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
      title: 'One or more validation errors occurred.',
      status: 400,
      errors: { poNumber: ['Too long.', 'Not allowed.'], customerId: ['Not a valid UUID.'] },
      traceId: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/),
    });
  });

  test("problem details give a generic error the status's title and the description as detail; the API's own kinds get their own type", () => {
    expect(JSON.parse(renderError('problem-details', notFound).body)).toMatchObject({
      type: 'https://tools.ietf.org/html/rfc9110#section-15.5.5',
      title: 'Not Found',
      status: 404,
      detail: 'Customer x was not found.',
    });
    expect(JSON.parse(renderError('problem-details', tenant).body)).toMatchObject({
      type: 'https://api.cloudcockpit.com/problems/InvalidTenant',
      title: 'Bad Request',
      status: 400,
      detail: "The tenant 'x' does not exist.",
    });
  });

  test("a gateway page is HTML with a title and nothing of the API's words", () => {
    const { headers, body } = renderError('gateway-html', notFound);
    expect(headers['content-type']).toBe('text/html');
    expect(body).toContain('<title>404 - Not Found</title>');
    expect(body).toContain('<script>');
    expect(body).not.toContain('Customer x');
  });

  test('plain text is the description alone; empty has no body and no content type', () => {
    expect(renderError('plain-text', notFound)).toMatchObject({
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'Customer x was not found.',
    });
    const empty = renderError('empty', notFound);
    expect(empty.body).toBe('');
    expect(empty.headers).toEqual({ 'content-length': 0 });
  });

  test('wrong types put numbers where text belongs and nulls inside the arrays', () => {
    expect(JSON.parse(renderError('wrong-types', validation).body)).toEqual({
      statusCode: '400',
      type: 400,
      description: ['One or more validation errors occurred.', null],
      correlationId: 42,
      errors: [
        null,
        {
          propertyName: 'poNumber',
          description: ['Too long.', 'Not allowed.', null],
          extra: { nested: null },
        },
        { propertyName: 'customerId', description: 'Not a valid UUID.', extra: { nested: null } },
      ],
    });
    expect(JSON.parse(renderError('wrong-types', notFound).body)).toMatchObject({ type: 404, errors: [] });
  });

  test('extra headers such as Retry-After are kept in every style', () => {
    for (const style of ERROR_STYLES) {
      expect(renderError(style, notFound, { 'retry-after': '3' }).headers['retry-after']).toBe('3');
    }
  });
});

describe('the errorStyle option', () => {
  test("is used for the simulator's 400, 404 and 500 answers, and changes at run time", async () => {
    const s = await start({ errorStyle: 'problem-details', world: openWorldWithout(CUSTOMER) });
    const rejected = await patchPoNumber(s, 'PO<1>');
    expect(rejected.status).toBe(400);
    expect(JSON.parse(rejected.body)).toMatchObject({
      title: 'One or more validation errors occurred.',
      errors: { poNumber: ["The value contains characters that are not allowed ('<', '>')."] },
    });
    const missing = await patchPoNumber(s, 'PO-1');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({
      title: 'Not Found',
      detail: `Customer ${CUSTOMER} was not found.`,
    });
    s.configure({ errorStyle: 'gateway-html', failureRate: 1 });
    const failed = await patchPoNumber(s, 'PO-1');
    expect(failed).toMatchObject({ status: 500, contentType: 'text/html' });
    expect(failed.body).toContain('<title>500 - Internal Server Error</title>');
    expect(s.counters.byStatus).toEqual({ 400: 1, 404: 1, 500: 1 });
  });

  test('a 429 keeps its Retry-After whatever the style', async () => {
    const s = await start({ errorStyle: 'empty', burst429: { every: 1, length: 1 }, retryAfterSeconds: 2 });
    await patchPoNumber(s, 'PO-1');
    expect(await patchPoNumber(s, 'PO-2')).toEqual({
      status: 429,
      contentType: null,
      retryAfter: '2',
      body: '',
    });
  });

  test('a style the simulator does not know is refused with the list of those it does', async () => {
    const s = await start({});
    expect(() => s.configure({ errorStyle: 'xml' as never })).toThrow(
      'Expected `errorStyle` to be one of documented, problem-details, gateway-html, plain-text, empty, wrong-types, got `xml` (string)',
    );
  });
});

/** An open world in which one customer does not exist. */
function openWorldWithout(customerId: string): World {
  return { ...openWorld(), hasCustomer: (id) => id !== customerId };
}
