/**
 * The simulator's two PATCH calls over real HTTP: what they store and record, the 400 answers of
 * validation with the documented error body, and the answers to an unknown route or method.
 */
import { describe, expect, test } from '@jest/globals';
import {
  CUSTOMER,
  JSON_HEADERS as GOOD_HEADERS,
  RESELLER,
  SUBSCRIPTION,
  errorBody,
  internalIdentifierUrl,
  patch,
  poNumberUrl,
  start,
} from './http.js';
describe('the two PATCH calls', () => {
  test('a PO number answers 204 with an empty body and is stored under its lower-case key', async () => {
    const s = await start();
    const response = await patch(poNumberUrl(s, CUSTOMER.toUpperCase()), '"PO-42"');
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(s.poNumbers.get(`${CUSTOMER}/${SUBSCRIPTION}`)).toBe('PO-42');
  });

  test('paths match case-insensitively, as the documentation spells them both ways', async () => {
    const s = await start();
    const url = `${s.url}/v1/Customers/${CUSTOMER}/Subscriptions/${SUBSCRIPTION}/PO-Number`;
    expect((await patch(url, '"PO-1"')).status).toBe(204);
    const lower = `${s.url}/v1/customers/${CUSTOMER}/internal-identifier`;
    expect((await patch(lower, '{"internalIdentifier":"X","resellerId":null}')).status).toBe(204);
  });

  test('an internal identifier is stored under the CSP key when resellerId is null, else under the reseller', async () => {
    const s = await start();
    const url = internalIdentifierUrl(s);
    expect((await patch(url, JSON.stringify({ internalIdentifier: 'ERP-1', resellerId: null }))).status).toBe(
      204,
    );
    const withReseller = JSON.stringify({ internalIdentifier: null, resellerId: RESELLER.toUpperCase() });
    expect((await patch(url, withReseller)).status).toBe(204);
    expect(s.internalIdentifiers.get(`${CUSTOMER}/csp`)).toBe('ERP-1');
    expect(s.internalIdentifiers.has(`${CUSTOMER}/${RESELLER}`)).toBe(true);
    expect(s.internalIdentifiers.get(`${CUSTOMER}/${RESELLER}`)).toBeNull();
  });

  test('history keeps every value per key in the order applied, and the last one is the final value', async () => {
    const s = await start();
    for (const value of ['A', 'B', 'C']) await patch(poNumberUrl(s), JSON.stringify(value));
    expect(s.history.get(`${CUSTOMER}/${SUBSCRIPTION}`)).toEqual(['A', 'B', 'C']);
    expect(s.poNumbers.get(`${CUSTOMER}/${SUBSCRIPTION}`)).toBe('C');
  });

  test('requests are recorded in arrival order with their headers, body and status', async () => {
    const s = await start();
    const correlationId = '8f14e45f-ceea-467f-a0e6-7b0a1e3d2c11';
    await patch(poNumberUrl(s), '"PO-7"', { 'x-correlation-id': correlationId });
    await patch(poNumberUrl(s), '"PO-8"', { authorization: undefined });
    expect(s.requests).toHaveLength(2);
    expect(s.requests[0]).toMatchObject({
      method: 'PATCH',
      tenant: 'portal.cloudcockpit.com',
      authorization: 'Bearer sim-static-token',
      correlationId,
      body: '"PO-7"',
      status: 204,
    });
    expect(s.requests[1]).toMatchObject({ body: '"PO-8"', status: 401, authorization: undefined });
  });
});

describe('validation answers 400 with the documented error body', () => {
  test('a malformed customer id names customerId, with the fields in the documented order', async () => {
    const s = await start();
    const body = await errorBody(await patch(poNumberUrl(s, 'not-a-uuid'), '"PO-1"'));
    expect(Object.keys(body)).toEqual(['statusCode', 'type', 'description', 'correlationId', 'errors']);
    expect(body).toMatchObject({ statusCode: 400, type: 'ValidationError' });
    expect(body.errors?.map((e) => e.propertyName)).toEqual(['customerId']);
  });

  test('a PO number of 256 characters names poNumber, while 255 is accepted', async () => {
    const s = await start();
    expect((await patch(poNumberUrl(s), JSON.stringify('x'.repeat(255)))).status).toBe(204);
    const response = await patch(poNumberUrl(s), JSON.stringify('x'.repeat(256)));
    expect(response.status).toBe(400);
    expect((await errorBody(response)).errors?.[0]?.propertyName).toBe('poNumber');
  });

  test.each([
    ['an object', '{"poNumber":"PO-1"}', 'poNumber'],
    ['a number', '42', 'poNumber'],
    ['invalid JSON', 'PO-1', ''],
    ['an empty body', '', ''],
  ])('a PO number body that is %s is refused', async (_name, body, property) => {
    const s = await start();
    const response = await patch(poNumberUrl(s), body);
    expect(response.status).toBe(400);
    expect((await errorBody(response)).errors?.[0]?.propertyName).toBe(property);
  });

  test('an internal identifier body with an extra key or wrong types lists every bad property', async () => {
    const s = await start();
    const body = JSON.stringify({ internalIdentifier: 7, resellerId: 'nope', note: 'x' });
    const errors = (await errorBody(await patch(internalIdentifierUrl(s), body))).errors ?? [];
    expect(errors.map((e) => e.propertyName).sort()).toEqual(['internalIdentifier', 'note', 'resellerId']);
  });

  test('angle brackets are refused by the server-side rule though the value is well-formed', async () => {
    const s = await start();
    const body = await errorBody(await patch(poNumberUrl(s), '"PO<script>"'));
    expect(body.type).toBe('ValidationError');
    expect(body.errors?.[0]?.description[0]).toMatch(/characters that are not allowed/);
    expect(s.poNumbers.size).toBe(0);
  });

  test('the error body echoes a valid X-Correlation-Id and refuses one that is not a UUID', async () => {
    const s = await start();
    const correlationId = '3c59dc04-8f7f-4a1b-9d2e-6b5a4c3d2e1f';
    const echoed = await errorBody(
      await patch(poNumberUrl(s, 'bad'), '"x"', { 'x-correlation-id': correlationId }),
    );
    expect(echoed.correlationId).toBe(correlationId);
    const refused = await errorBody(await patch(poNumberUrl(s), '"x"', { 'x-correlation-id': 'row-7' }));
    expect(refused.errors?.[0]?.propertyName).toBe('X-Correlation-Id');
  });

  test('a body that is not sent as application/json answers 415', async () => {
    const s = await start();
    const response = await patch(poNumberUrl(s), '"PO-1"', { 'content-type': 'text/plain' });
    expect(response.status).toBe(415);
    expect((await errorBody(response)).type).toBe('UnsupportedMediaType');
  });
});

describe('routing', () => {
  test('an unknown route answers 404 with an error body and a wrong method 405', async () => {
    const s = await start();
    const unknown = await fetch(`${s.url}/v1/nothing`, { headers: GOOD_HEADERS });
    expect((await errorBody(unknown)).statusCode).toBe(404);
    const wrongMethod = await fetch(poNumberUrl(s), { method: 'PUT', headers: GOOD_HEADERS, body: '"x"' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('PATCH');
  });
});
