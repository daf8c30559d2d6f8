import { describe, expect, test } from '@jest/globals';
import { readErrorBody } from '../../src/api/error-body.js';

const json = (value: unknown) => JSON.stringify(value);
const read = (body: unknown, status = 400, contentType = 'application/json') =>
  readErrorBody(body, contentType, status);

describe('the documented shape', () => {
  test('gives its type, description and errors[] flattened', () => {
    const body = json({
      statusCode: 400,
      type: 'ValidationError',
      description: 'One or more validation errors occurred.',
      correlationId: '5b1f8c2e-3d4a-4e6b-9c7d-1a2b3c4d5e6f',
      errors: [
        { propertyName: 'poNumber', description: ['Too long.', 'Not allowed.'] },
        { propertyName: 'customerId', description: ['Not a valid UUID.'] },
      ],
    });
    expect(read(body)).toEqual({
      type: 'ValidationError',
      description: 'One or more validation errors occurred.',
      details: 'poNumber: Too long.; Not allowed. | customerId: Not a valid UUID.',
    });
  });

  test('null fields give nothing', () => {
    expect(read(json({ statusCode: 404, type: null, description: null, errors: null }), 404)).toEqual({
      type: undefined,
      description: undefined,
      details: undefined,
    });
  });
});

describe('RFC 9457 problem details', () => {
  test("ASP.NET's validation answer is a ValidationError with its errors object flattened", () => {
    const body = json({
      type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
      title: 'One or more validation errors occurred.',
      status: 400,
      errors: {
        PoNumber: ['The field PoNumber must be a string with a maximum length of 255.'],
        '': ['Bad body.'],
      },
      traceId: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
    });
    expect(read(body, 400, 'application/problem+json; charset=utf-8')).toEqual({
      type: 'ValidationError',
      description: 'One or more validation errors occurred.',
      details: 'PoNumber: The field PoNumber must be a string with a maximum length of 255. | Bad body.',
    });
  });

  test('title and detail make the description; a type that only links the RFC gives no type', () => {
    const body = json({
      type: 'https://tools.ietf.org/html/rfc9110#section-15.5.5',
      title: 'Not Found',
      status: 404,
      detail: 'Customer 42 was not found.',
    });
    expect(read(body, 404)).toEqual({ description: 'Not Found: Customer 42 was not found.' });
    expect(read(json({ type: 'about:blank', title: 'Conflict.', detail: 'Try later.' }), 409)).toEqual({
      description: 'Conflict. Try later.',
    });
    expect(read(json({ title: 'Same', detail: 'Same' }), 409).description).toBe('Same');
    expect(read(json({ detail: 'Only a detail' }), 409).description).toBe('Only a detail');
  });

  test('a type URI of its own gives its last segment', () => {
    expect(
      read(json({ type: 'https://api.cloudcockpit.com/problems/InvalidTenant', status: 400 })).type,
    ).toBe('InvalidTenant');
    expect(read(json({ type: '/problems/out-of-stock/?lang=en#x' })).type).toBe('out-of-stock');
    expect(read(json({ type: 'urn:cloudcockpit:problem:locked' })).type).toBe('locked');
    expect(read(json({ type: 'https://example.com/' })).type).toBeUndefined();
    // A link to a page about the status names nothing more than the status.
    expect(
      read(json({ type: 'https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/409' })).type,
    ).toBeUndefined();
    expect(read(json({ type: 'https://www.w3.org/Protocols/rfc2616' })).type).toBeUndefined();
  });

  test('errors on another status than 400 give no ValidationError, and a plain type always wins', () => {
    expect(read(json({ type: 'about:blank', errors: { x: ['y'] } }), 422).type).toBeUndefined();
    expect(read(json({ type: 'Conflict', errors: { x: ['y'] } }), 400).type).toBe('Conflict');
  });

  test("RFC 9457's errors array of {pointer, detail} is flattened too", () => {
    const body = json({ errors: [{ detail: 'must be a positive integer', pointer: '#/age' }] });
    expect(read(body).details).toBe('#/age: must be a positive integer');
  });
});

describe('other bodies', () => {
  test("Azure's {error: {code, message}} gives its code and message", () => {
    expect(read(json({ error: { code: 'RequestThrottled', message: 'Slow down.' } }), 429)).toEqual({
      type: 'RequestThrottled',
      description: 'Slow down.',
      details: undefined,
    });
  });

  test('a JSON string is the description; plain text is its first words; JSON of no use gives nothing', () => {
    expect(read('"PoNumber is too long"')).toEqual({ description: 'PoNumber is too long' });
    expect(read('The service is unavailable.\r\n', 503, 'text/plain')).toEqual({
      description: 'The service is unavailable.',
    });
    for (const body of ['null', '42', 'true', '[]', '["a"]', '{}', '""']) expect(read(body)).toEqual({});
  });

  test('an HTML page gives its title as `page`, never as the description', () => {
    expect(read('<html><head><title>502 Bad Gateway</title></head></html>', 502, 'text/html')).toEqual({
      page: '502 Bad Gateway',
    });
    // Markup is markup whatever the content type claims.
    expect(read('<html><body><h1>Oops</h1></body></html>', 500, 'application/json')).toEqual({
      page: 'Oops',
    });
  });

  test('an empty or blank body, or one that is not text at all, gives nothing', () => {
    for (const body of ['', '  \r\n', undefined, null, 42, {}]) expect(read(body)).toEqual({});
    expect(read(Buffer.from('"from a buffer"'))).toEqual({ description: 'from a buffer' });
  });
});

describe('wrong field types', () => {
  test('only what is text is kept', () => {
    expect(read(json({ type: 42 }))).toEqual({ type: undefined, description: undefined, details: undefined });
    expect(read(json({ type: ['ValidationError'], description: { text: 'x' } }))).toMatchObject({
      type: undefined,
      description: undefined,
    });
    expect(read(json({ description: ['a', 'b'] })).description).toBe('a; b');
    expect(read(json({ description: [null, 7, 'only this'] })).description).toBe('only this');
    expect(read(json({ title: 5, detail: ['d'] })).description).toBe('d');
  });

  test('errors of any type: a string is kept, other values and nested nulls are dropped', () => {
    expect(read(json({ errors: 'x' })).details).toBe('x');
    for (const errors of [42, true, null, [], {}, [null], [[]], { a: null }, { a: [null, 1] }])
      expect(read(json({ errors })).details).toBeUndefined();
    const body = json({
      errors: [
        null,
        'loose text',
        { propertyName: 7, description: [null, 'no name'] },
        { propertyName: 'poNumber', description: 'a bare string' },
        { propertyName: 'empty', description: [] },
        { propertyName: null, description: null, extra: { nested: null } },
      ],
    });
    expect(read(body).details).toBe('loose text | no name | poNumber: a bare string');
    expect(read(json({ errors: { PoNumber: 'one string', Other: [null, 'kept', { x: 1 }] } })).details).toBe(
      'PoNumber: one string | Other: kept',
    );
  });

  test('an absurdly long field is clipped', () => {
    const { description, type } = read(json({ description: 'x'.repeat(10_000), type: 'T'.repeat(500) }));
    expect(description).toHaveLength(2000);
    expect(description?.endsWith('…')).toBe(true);
    expect(type).toHaveLength(100);
  });
});
