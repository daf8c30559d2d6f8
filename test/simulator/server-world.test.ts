/** The simulator's sample world over real HTTP: known, unknown, foreign and forbidden targets. */
import { describe, expect, test } from '@jest/globals';
import { SAMPLE_WORLD, sampleWorld } from '../../src/simulator/world.js';
import { errorBody, internalIdentifierUrl, patch, poNumberUrl, start } from './http.js';

describe('the sample world', () => {
  const { contoso, fabrikam } = SAMPLE_WORLD.customers;

  test('a known subscription of a known customer answers 204', async () => {
    const s = await start({ world: sampleWorld() });
    expect((await patch(poNumberUrl(s, contoso.id, contoso.subscriptions.azurePlan), '"PO-1"')).status).toBe(
      204,
    );
  });

  test('an unknown customer and another customer’s subscription answer 404 NotFound', async () => {
    const s = await start({ world: sampleWorld() });
    const unknown = await errorBody(await patch(poNumberUrl(s, SAMPLE_WORLD.unknown.customerId), '"PO-1"'));
    expect(unknown).toMatchObject({ statusCode: 404, type: 'NotFound' });
    expect(unknown.description).toMatch(/^Customer .* was not found/);
    const foreign = await patch(
      poNumberUrl(s, contoso.id, fabrikam.subscriptions.dynamics365Sales),
      '"PO-1"',
    );
    expect((await errorBody(foreign)).description).toMatch(/^Subscription .* not found for customer/);
  });

  test('a subscription managed by another partner answers 403 with an empty body', async () => {
    const s = await start({ world: sampleWorld() });
    const { customerId, subscriptionId } = SAMPLE_WORLD.forbidden;
    const response = await patch(poNumberUrl(s, customerId, subscriptionId), '"PO-1"');
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('');
  });

  test('an internal identifier for a related reseller answers 204, for an unrelated one 404', async () => {
    const s = await start({ world: sampleWorld() });
    const { northwind, tailspin } = SAMPLE_WORLD.resellers;
    const related = JSON.stringify({ internalIdentifier: 'C-1', resellerId: northwind.id });
    expect((await patch(internalIdentifierUrl(s, contoso.id), related)).status).toBe(204);
    const unrelated = JSON.stringify({ internalIdentifier: 'C-1', resellerId: tailspin.id });
    expect((await patch(internalIdentifierUrl(s, contoso.id), unrelated)).status).toBe(404);
  });
});
