import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { ClientCredentialsToken, TokenError, renewalMargin } from '../../src/api/token.js';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator({ clientId: 'id', clientSecret: 'the-secret-123' });
});
afterEach(async () => {
  await sim.close();
});

const provider = (secret = 'the-secret-123') =>
  new ClientCredentialsToken({
    tokenUrl: sim.tokenUrl,
    clientId: 'id',
    clientSecret: secret,
    scope: 'api://b92a36a4-feb8-4f47-a69c-29a180aa6d0a/.default',
    timeoutMs: 5000,
    retries: 2,
  });

describe('ClientCredentialsToken', () => {
  test('a hundred callers waiting for a token cause one token request', async () => {
    const tokens = provider();
    const all = await Promise.all(Array.from({ length: 100 }, () => tokens.get()));
    expect(new Set(all).size).toBe(1);
    expect(sim.counters.token).toBe(1);
    expect(tokens.requests).toBe(1);
    await tokens.get();
    expect(sim.counters.token).toBe(1);
  });

  test('a refused token is dropped and the next call fetches a new one', async () => {
    const tokens = provider();
    const first = await tokens.get();
    expect(tokens.refused(first)).toBe(true);
    const second = await tokens.get();
    expect(second).not.toBe(first);
    expect(sim.counters.token).toBe(2);
  });

  test('a token is renewed 60 s before expiry, or a tenth of its lifetime if shorter', () => {
    expect(renewalMargin(3599)).toBe(60);
    expect(renewalMargin(300)).toBe(30);
    expect(renewalMargin(5)).toBe(0.5);
  });

  test('wrong credentials give a TokenError with the Entra code and no secret', async () => {
    const error = await provider('wrong-secret-999')
      .get()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenError);
    expect((error as TokenError).code).toBe('invalid_client');
    expect((error as TokenError).message).toContain('AADSTS7000215');
    expect((error as TokenError).message).not.toContain('wrong-secret-999');
    expect(sim.counters.token).toBe(1);
  });
});

describe('renewal', () => {
  test('a failed renewal while the token still works keeps the token instead of stopping', async () => {
    sim.configure({ tokenLifetimeSeconds: 20 });
    const tokens = provider();
    const first = await tokens.get();
    // Renewal is due 2 s before expiry (a tenth of 20 s); make it fail.
    sim.configure({ tokenEndpointFailures: 100 });
    const { cached } = tokens as unknown as { cached: { renewAt: number } };
    cached.renewAt = performance.now() - 1; // as if the renewal time had come

    expect(await tokens.get()).toBe(first);
    expect(sim.counters.token).toBeGreaterThan(1);
  });
});

/** A token endpoint that answers every request with `status` and `body`; counts the requests. */
async function fakeEndpoint(status: number, body: string, contentType = 'text/plain') {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': contentType }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x/oauth2/v2.0/token`;
  return {
    url,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const failureOf = (tokens: ClientCredentialsToken) =>
  tokens.get().then(
    () => undefined,
    (e: unknown) => e as TokenError,
  );

describe('a token endpoint that fails', () => {
  const defaults = (tokenUrl: string) =>
    new ClientCredentialsToken({
      tokenUrl,
      clientId: 'id',
      clientSecret: 'the-secret-123',
      scope: 'x/.default',
      timeoutMs: 5000,
    });

  test('that cannot be reached is given up after a few quick attempts, within about a second', async () => {
    const endpoint = await fakeEndpoint(200, '{}');
    await endpoint.close();
    const tokens = defaults(endpoint.url);
    const error = await failureOf(tokens);
    // Three waits of the token's own quick schedule (0.5 to 1.05 s in all), not the API's backoff;
    // counted, not timed, so a slow machine cannot fail it.
    expect(tokens.waitedMs).toBeGreaterThanOrEqual(525);
    expect(tokens.waitedMs).toBeLessThanOrEqual(1050);
    expect(tokens.requests).toBe(4);
    expect(error).toBeInstanceOf(TokenError);
    expect(error?.code).toBe('ECONNREFUSED');
    expect(error?.message).toBe(
      `Could not reach the token endpoint ${endpoint.url} (ECONNREFUSED) after 4 attempts: connect ECONNREFUSED ${new URL(endpoint.url).host}. Check --token-url, the network and any proxy`,
    );
  });

  test('answering 500 is reported as the endpoint failing, not as refusing the credentials', async () => {
    const endpoint = await fakeEndpoint(500, 'Internal Server Error');
    try {
      const error = await failureOf(defaults(endpoint.url));
      expect(endpoint.requests()).toBe(4);
      expect(error?.code).toBe('http_500');
      expect(error?.message).toBe(
        `The token endpoint ${endpoint.url} failed (HTTP 500) after 4 attempts. Try again later; if it lasts, check --token-url`,
      );
    } finally {
      await endpoint.close();
    }
  });

  test("answering Entra's 503 quotes its code and AADSTS line, as a failure of the endpoint", async () => {
    sim.configure({ tokenEndpointFailures: 100 });
    const error = await failureOf(provider());
    expect(error?.code).toBe('temporarily_unavailable');
    expect(error?.message).toBe(
      `The token endpoint ${sim.tokenUrl} failed (HTTP 503 temporarily_unavailable: AADSTS90033: A transient error has occurred. Please try again.) after 3 attempts. Try again later; if it lasts, check --token-url`,
    );
  });

  test('answering 404 without an Entra error says to check --token-url', async () => {
    const endpoint = await fakeEndpoint(404, '<html><title>Not Found</title></html>', 'text/html');
    try {
      const error = await failureOf(defaults(endpoint.url));
      expect(endpoint.requests()).toBe(1);
      expect(error?.message).toBe(
        `The token endpoint ${endpoint.url} answered HTTP 404 with neither a token nor an Entra error. Check --token-url`,
      );
    } finally {
      await endpoint.close();
    }
  });
});
