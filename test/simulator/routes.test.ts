import { describe, expect, test } from '@jest/globals';
import { METHOD_OF, callKey, matchRoute, queryValue } from '../../src/simulator/routes.js';

const CUSTOMER = '0b8f5ad4-6c3e-4f0e-9a51-2d7c4b1e9f30';
const SUBSCRIPTION = '5e2a9c71-8d4b-4a6f-b3e0-7f1c2d9a8b45';
const RESELLER = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f';

describe('matchRoute', () => {
  test.each([
    [`/v1/customers/${CUSTOMER}/subscriptions/${SUBSCRIPTION}/po-number`, 'po-number'],
    [`/v1/Customers/${CUSTOMER}/internal-identifier`, 'internal-identifier'],
    [`/v1/customers/${CUSTOMER}/subscriptions/${SUBSCRIPTION}`, 'subscription'],
    [`/v1/customers/${CUSTOMER}/subscriptions`, 'subscriptions'],
    [`/v1/Customers/${CUSTOMER}`, 'customer'],
    ['/v1/Customers', 'customers'],
    ['/V1/CUSTOMERS/', 'customers'],
  ])('%s names the %s call', (path, call) => {
    expect(matchRoute(path)?.call).toBe(call);
  });

  test('an unknown path names no call', () => {
    expect(matchRoute('/v1/nothing')).toBeUndefined();
    expect(matchRoute(`/v1/customers/${CUSTOMER}/subscriptions/${SUBSCRIPTION}/other`)).toBeUndefined();
  });

  test('the ids come decoded from the path and the reads keep their query', () => {
    const route = matchRoute(`/v1/Customers/${CUSTOMER.toUpperCase()}%20`, `?resellerId=${RESELLER}`);
    expect(route).toMatchObject({ call: 'customer', customerId: `${CUSTOMER.toUpperCase()} ` });
    expect(route?.call === 'customer' && queryValue(route.query, 'resellerid')).toBe(RESELLER);
  });

  test('the writes take PATCH and the reads GET', () => {
    expect(
      Object.entries(METHOD_OF)
        .filter(([, method]) => method === 'PATCH')
        .map(([call]) => call),
    ).toEqual(['po-number', 'internal-identifier']);
  });
});

describe('callKey', () => {
  test('a subscription read has the key of its PO number write', () => {
    const write = matchRoute(`/v1/customers/${CUSTOMER}/subscriptions/${SUBSCRIPTION}/po-number`)!;
    const read = matchRoute(`/v1/customers/${CUSTOMER.toUpperCase()}/subscriptions/${SUBSCRIPTION}`)!;
    expect(callKey(read, undefined)).toBe(callKey(write, '"PO-1"'));
    expect(callKey(read, undefined)).toBe(`${CUSTOMER}/${SUBSCRIPTION}`);
  });

  test('a customer read has the key of its relationship: the reseller in the query, else the CSP', () => {
    const write = matchRoute(`/v1/customers/${CUSTOMER}/internal-identifier`)!;
    const scoped = matchRoute(`/v1/Customers/${CUSTOMER}`, `?resellerId=${RESELLER.toUpperCase()}`)!;
    expect(callKey(scoped, undefined)).toBe(callKey(write, { resellerId: RESELLER }));
    expect(callKey(matchRoute(`/v1/Customers/${CUSTOMER}`)!, undefined)).toBe(`${CUSTOMER}/csp`);
    expect(callKey(matchRoute(`/v1/Customers/${CUSTOMER}`, '?resellerId=')!, undefined)).toBe(
      `${CUSTOMER}/csp`,
    );
  });

  test('the paged lists have no key', () => {
    expect(callKey(matchRoute('/v1/Customers')!, undefined)).toBeUndefined();
    expect(callKey(matchRoute(`/v1/customers/${CUSTOMER}/subscriptions`)!, undefined)).toBeUndefined();
  });
});
