/** The four read calls over real HTTP: their fields, scoping, paging, refusals, and the values they see. */
import { describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { SAMPLE_WORLD, sampleWorld } from '../../src/simulator/world.js';
import {
  CUSTOMER,
  RESELLER,
  SUBSCRIPTION,
  customerUrl,
  get,
  internalIdentifierUrl,
  json,
  patch,
  poNumberUrl,
  start,
  subscriptionUrl,
} from './http.js';

const { contoso, fabrikam, wingtip } = SAMPLE_WORLD.customers;
const { northwind, tailspin } = SAMPLE_WORLD.resellers;

interface ErrorBody {
  statusCode: number;
  type: string;
  description: string;
  errors: Array<{ propertyName: string; description: string[] }> | null;
}

describe('GET one subscription', () => {
  test('answers 200 JSON with the documented fields, and a PO number never written is null', async () => {
    const s = await start();
    const response = await get(subscriptionUrl(s));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await json(response);
    expect(body).toMatchObject({
      id: SUBSCRIPTION,
      status: 'active',
      poNumber: null,
      autoRenewEnabled: true,
    });
    for (const field of ['name', 'internalId', 'providerSubscriptionId'])
      expect(typeof body[field]).toBe('string');
  });

  test('reads back what the PATCH stored, "" included when it was cleared', async () => {
    const s = await start();
    await patch(poNumberUrl(s, CUSTOMER.toUpperCase()), '"PO-42"');
    expect((await json(await get(subscriptionUrl(s)))).poNumber).toBe('PO-42');
    await patch(poNumberUrl(s), '""');
    expect((await json(await get(subscriptionUrl(s)))).poNumber).toBe('');
  });

  test('reads the seeded value until a PATCH changes it', async () => {
    const s = await start({ seedValues: { poNumbers: { [`${CUSTOMER}/${SUBSCRIPTION}`]: 'PO-7' } } });
    expect((await json(await get(subscriptionUrl(s)))).poNumber).toBe('PO-7');
    await patch(poNumberUrl(s), '"PO-8"');
    expect((await json(await get(subscriptionUrl(s)))).poNumber).toBe('PO-8');
  });

  test('in the sample world: its name, 404 for unknown ids with the API words, 403 for another partner’s', async () => {
    const s = await start({ world: sampleWorld() });
    const known = await json(await get(subscriptionUrl(s, contoso.id, contoso.subscriptions.azurePlan)));
    expect(known.name).toBe('Azure Plan');
    const unknown = await get(subscriptionUrl(s, SAMPLE_WORLD.unknown.customerId));
    expect(unknown.status).toBe(404);
    expect(await json<ErrorBody>(unknown)).toMatchObject({
      type: 'NotFound',
      description: expect.stringMatching(/^Customer .* was not found/),
    });
    const foreign = await get(subscriptionUrl(s, contoso.id, fabrikam.subscriptions.dynamics365Sales));
    expect((await json<ErrorBody>(foreign)).description).toMatch(/^Subscription .* not found for customer/);
    const { customerId, subscriptionId } = SAMPLE_WORLD.forbidden;
    const forbidden = await get(subscriptionUrl(s, customerId, subscriptionId));
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).toBe('');
  });

  test('a malformed id answers 400 ValidationError naming it', async () => {
    const s = await start();
    const body = await json<ErrorBody>(await get(subscriptionUrl(s, CUSTOMER, 'nope')));
    expect(body).toMatchObject({ statusCode: 400, type: 'ValidationError' });
    expect(body.errors?.map((e) => e.propertyName)).toEqual(['subscriptionId']);
  });
});

describe('GET one customer', () => {
  test('answers the caller’s own relationship without ?resellerId=, and the reseller’s with it', async () => {
    const s = await start();
    await patch(internalIdentifierUrl(s), JSON.stringify({ internalIdentifier: 'ERP-1', resellerId: null }));
    await patch(
      internalIdentifierUrl(s),
      JSON.stringify({ internalIdentifier: 'R-1', resellerId: RESELLER }),
    );
    const own = await json(await get(customerUrl(s)));
    expect(own).toMatchObject({ id: CUSTOMER, internalIdentifier: 'ERP-1', resellerId: null });
    expect(typeof own.name).toBe('string');
    const scoped = await json(await get(customerUrl(s, CUSTOMER, RESELLER.toUpperCase())));
    expect(scoped).toMatchObject({ internalIdentifier: 'R-1', resellerId: RESELLER });
  });

  test('an identifier never written is null, and a cleared one null too', async () => {
    const s = await start({ seedValues: { internalIdentifiers: { [`${CUSTOMER}/csp`]: 'ERP-0' } } });
    expect((await json(await get(customerUrl(s, CUSTOMER, RESELLER)))).internalIdentifier).toBeNull();
    expect((await json(await get(customerUrl(s)))).internalIdentifier).toBe('ERP-0');
    await patch(internalIdentifierUrl(s), JSON.stringify({ internalIdentifier: null, resellerId: null }));
    expect((await json(await get(customerUrl(s)))).internalIdentifier).toBeNull();
  });

  test('in the sample world: a related reseller 200, one outside the relationship 403, unknown ids 404', async () => {
    const s = await start({ world: sampleWorld() });
    const related = await get(customerUrl(s, contoso.id, northwind.id));
    expect(related.status).toBe(200);
    expect((await json(related)).name).toBe('Contoso Ltd');
    const outside = await get(customerUrl(s, contoso.id, tailspin.id));
    expect(outside.status).toBe(403);
    expect(await outside.text()).toBe('');
    const unknownReseller = await get(customerUrl(s, contoso.id, SAMPLE_WORLD.unknown.resellerId));
    expect(unknownReseller.status).toBe(404);
    expect((await json<ErrorBody>(unknownReseller)).description).toMatch(/^Reseller .* was not found/);
    const unknownCustomer = await get(customerUrl(s, SAMPLE_WORLD.unknown.customerId));
    expect((await json<ErrorBody>(unknownCustomer)).type).toBe('NotFound');
  });

  test('a resellerId that is not a UUID answers 400 naming resellerId', async () => {
    const s = await start();
    const body = await json<ErrorBody>(await get(customerUrl(s, CUSTOMER, 'someone')));
    expect(body.errors?.map((e) => e.propertyName)).toEqual(['resellerId']);
  });
});

describe('the paged lists', () => {
  test('GET /v1/Customers lists the sample world’s customers in the documented envelope, 25 a page', async () => {
    const s = await start({ world: sampleWorld() });
    const page = await json(await get(`${s.url}/v1/Customers`));
    expect(page).toMatchObject({
      paginationParameters: { pageNumber: 1, pageSize: 25 },
      totalPages: 1,
      totalCount: 6,
      hasPreviousPage: false,
      hasNextPage: false,
      continuationToken: null,
    });
    expect((page.items as Array<{ id: string }>).map((c) => c.id)).toEqual(
      Object.values(SAMPLE_WORLD.customers).map((c) => c.id),
    );
  });

  test('pages by pageNumber and pageSize, and filters by resellerId with that relationship’s values', async () => {
    const s = await start({ world: sampleWorld() });
    await patch(
      internalIdentifierUrl(s, fabrikam.id),
      JSON.stringify({ internalIdentifier: 'N-2', resellerId: northwind.id }),
    );
    const second = await json(await get(`${s.url}/v1/Customers?pageNumber=2&pageSize=4`));
    expect(second).toMatchObject({ totalPages: 2, hasPreviousPage: true, hasNextPage: false });
    expect(second.items).toHaveLength(2);
    const scoped = await json<{ items: Array<Record<string, unknown>> }>(
      await get(`${s.url}/v1/Customers?resellerId=${northwind.id}`),
    );
    expect(scoped.items.map((c) => [c.id, c.internalIdentifier, c.resellerId])).toEqual([
      [contoso.id, null, northwind.id],
      [fabrikam.id, 'N-2', northwind.id],
    ]);
  });

  test('GET /v1/customers/{id}/subscriptions lists the customer’s subscriptions with their PO numbers, leaving out another partner’s', async () => {
    const s = await start({ world: sampleWorld() });
    await patch(poNumberUrl(s, wingtip.id, wingtip.subscriptions.microsoft365BusinessBasic), '"PO-W"');
    const page = await json<{ items: Array<Record<string, unknown>>; totalCount: number }>(
      await get(`${s.url}/v1/customers/${wingtip.id}/subscriptions?pageSize=2000`),
    );
    expect(page.totalCount).toBe(1);
    expect(page.items[0]).toMatchObject({
      id: wingtip.subscriptions.microsoft365BusinessBasic,
      poNumber: 'PO-W',
    });
  });

  test('in the open world the lists hold what has a value, seeded or written', async () => {
    const other = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
    const s = await start({ seedValues: { poNumbers: { [`${CUSTOMER}/${SUBSCRIPTION}`]: 'PO-1' } } });
    await patch(poNumberUrl(s, CUSTOMER, other), '"PO-2"');
    const subscriptions = await json<{ items: Array<Record<string, unknown>> }>(
      await get(`${s.url}/v1/customers/${CUSTOMER}/subscriptions`),
    );
    expect(subscriptions.items.map((i) => [i.id, i.poNumber])).toEqual([
      [SUBSCRIPTION, 'PO-1'],
      [other, 'PO-2'],
    ]);
    expect((await json(await get(`${s.url}/v1/Customers`))).totalCount).toBe(1);
  });

  test.each([['pageSize=0'], ['pageSize=2001'], ['pageNumber=0']])(
    '%s answers 400 ValidationError',
    async (query) => {
      const s = await start();
      const response = await get(`${s.url}/v1/Customers?${query}`);
      expect(response.status).toBe(400);
      expect((await json<ErrorBody>(response)).type).toBe('ValidationError');
    },
  );

  test('an unknown customer’s subscriptions answer 404', async () => {
    const s = await start({ world: sampleWorld() });
    const response = await get(`${s.url}/v1/customers/${SAMPLE_WORLD.unknown.customerId}/subscriptions`);
    expect(response.status).toBe(404);
  });
});

describe('reads that lag behind writes', () => {
  test('readLagMs answers the value as it was that long ago, then the new one', async () => {
    const s = await start({
      // 3 s: the read right after the write falls inside it even on a loaded machine (300 ms did
      // not always); then the new value is waited for, not slept for.
      readLagMs: 3000,
      seedValues: { poNumbers: { [`${CUSTOMER}/${SUBSCRIPTION}`]: 'PO-1' } },
    });
    const wrote = Date.now();
    expect((await patch(poNumberUrl(s), '"PO-2"')).status).toBe(204);
    expect((await json(await get(subscriptionUrl(s)))).poNumber).toBe('PO-1');
    let read = 'PO-1';
    while (read === 'PO-1') {
      await sleep(50);
      read = String((await json(await get(subscriptionUrl(s)))).poNumber);
    }
    expect(read).toBe('PO-2');
    expect(Date.now() - wrote).toBeGreaterThanOrEqual(2990);
    expect(s.poNumbers.get(`${CUSTOMER}/${SUBSCRIPTION}`)).toBe('PO-2');
  });

  test('the lists lag too', async () => {
    const s = await start({ readLagMs: 300 });
    await patch(internalIdentifierUrl(s), JSON.stringify({ internalIdentifier: 'ERP-1', resellerId: null }));
    const page = await json<{ items: Array<Record<string, unknown>> }>(await get(`${s.url}/v1/Customers`));
    expect(page.items[0]?.internalIdentifier).toBeNull();
  });
});
