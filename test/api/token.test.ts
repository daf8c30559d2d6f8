import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
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
