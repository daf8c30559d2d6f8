/** The simulator's authentication over real HTTP: bearer tokens, the tenant header, and the token endpoint. */
import { describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Simulator } from '../../src/simulator/server.js';
import { errorBody, patch, poNumberUrl, start } from './http.js';

const SCOPE = 'api://b92a36a4-feb8-4f47-a69c-29a180aa6d0a/.default';

function requestToken(s: Simulator, fields: Record<string, string>): Promise<Response> {
  return fetch(s.tokenUrl, { method: 'POST', body: new URLSearchParams(fields) });
}

const GOOD_CREDENTIALS = {
  client_id: 'sim-client-id',
  client_secret: 'sim-client-secret',
  scope: SCOPE,
  grant_type: 'client_credentials',
};

describe('authentication and tenant', () => {
  test('a call without a bearer token answers 401 with an empty body', async () => {
    const s = await start();
    const response = await patch(poNumberUrl(s), '"PO-1"', { authorization: undefined });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('');
  });

  test('a token from the token endpoint is accepted until it expires, then answered 401', async () => {
    const s = await start({ tokenLifetimeSeconds: 1 });
    const token = (await (await requestToken(s, GOOD_CREDENTIALS)).json()) as { access_token: string };
    const authorization = `Bearer ${token.access_token}`;
    expect((await patch(poNumberUrl(s), '"PO-1"', { authorization })).status).toBe(204);
    await sleep(1100);
    const expired = await patch(poNumberUrl(s), '"PO-2"', { authorization });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/expired/);
  });

  test('rejectAllTokens refuses even the static token', async () => {
    const s = await start({ rejectAllTokens: true });
    expect((await patch(poNumberUrl(s), '"PO-1"')).status).toBe(401);
  });

  test('a wrong X-Tenant answers 400 InvalidTenant and a missing one 400 ValidationError', async () => {
    const s = await start();
    const wrong = await errorBody(await patch(poNumberUrl(s), '"PO-1"', { 'x-tenant': 'other.example.com' }));
    expect(wrong).toMatchObject({ statusCode: 400, type: 'InvalidTenant', errors: null });
    const missing = await errorBody(await patch(poNumberUrl(s), '"PO-1"', { 'x-tenant': undefined }));
    expect(missing.type).toBe('ValidationError');
  });
});

describe('the token endpoint', () => {
  test('good client credentials get a Bearer token with the configured lifetime', async () => {
    const s = await start({ tokenLifetimeSeconds: 1800 });
    const response = await requestToken(s, GOOD_CREDENTIALS);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 1800, ext_expires_in: 1800 });
    expect(body.access_token).toMatch(/^eyJ/);
    expect(s.issuedTokens).toBe(1);
  });

  test('a wrong secret answers 401 invalid_client with AADSTS7000215', async () => {
    const s = await start();
    const response = await requestToken(s, { ...GOOD_CREDENTIALS, client_secret: 'wrong' });
    expect(response.status).toBe(401);
    const body = (await response.json()) as {
      error: string;
      error_description: string;
      error_codes: number[];
    };
    expect(body.error).toBe('invalid_client');
    expect(body.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided/);
    expect(body.error_codes).toEqual([7000215]);
  });

  test.each([
    ['an unknown client id', { client_id: 'someone-else' }, 400, 'unauthorized_client'],
    ['another grant type', { grant_type: 'password' }, 400, 'unsupported_grant_type'],
    ['a scope without /.default', { scope: 'api://x' }, 400, 'invalid_scope'],
  ])('%s is refused', async (_name, change, status, error) => {
    const s = await start();
    const response = await requestToken(s, { ...GOOD_CREDENTIALS, ...change });
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toBe(error);
  });

  test('a missing scope is refused with invalid_scope', async () => {
    const s = await start();
    const { scope: _scope, ...withoutScope } = GOOD_CREDENTIALS;
    const response = await requestToken(s, withoutScope);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_scope');
  });

  test('tokenEndpointFailures answers 503 to the next N token requests, then recovers', async () => {
    const s = await start({ tokenEndpointFailures: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await requestToken(s, GOOD_CREDENTIALS)).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(s.counters.tokenByStatus).toEqual({ 200: 1, 503: 2 });
  });
});
