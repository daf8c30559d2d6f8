import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import got, { RequestError, type Got } from 'got';
import { newAttempt, StoppedError, Transport, type AttemptContext } from '../../src/api/transport.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.close();
});

const customerId = '0c6e3b9e-7d0c-4c56-9f51-1f6f2d0b6a11';
const subscriptionId = '8b7f5e2a-45c1-4f0e-a3d2-6c9e1b2d3f44';
const poNumberPath = (customer = customerId) =>
  `v1/customers/${customer}/subscriptions/${subscriptionId}/po-number`;

const freshAttempt = (correlationId = crypto.randomUUID()): AttemptContext =>
  newAttempt(correlationId, Infinity);

/** A got instance set up the way the client sets up its own, with a retry wait of `waitMs`. */
const instance = (retries: number, waitMs = 1): Got =>
  got.extend({
    prefixUrl: sim.url,
    method: 'PATCH',
    throwHttpErrors: true,
    headers: {
      'content-type': 'application/json',
      'x-tenant': 'portal.cloudcockpit.com',
      authorization: 'Bearer sim-static-token',
    },
    retry: {
      limit: retries,
      methods: ['PATCH'],
      statusCodes: [500],
      calculateDelay: ({ computedValue, error }) => {
        const attempt = error.options.context.attempt as AttemptContext;
        const delay = computedValue === 0 ? 0 : waitMs;
        attempt.waiting = delay > 0;
        return delay;
      },
    },
  });

const answered: number[] = [];
beforeEach(() => {
  answered.length = 0;
});
const transport = (retries: number, waitMs?: number) =>
  new Transport(instance(retries, waitMs), (_attempt, response) => answered.push(response.statusCode));

describe('Transport.exchange', () => {
  test('a 2xx answer resolves the row and is told to onAnswer', async () => {
    const response = await transport(0).exchange(poNumberPath(), '"PO-1"', freshAttempt());
    expect(response.statusCode).toBe(204);
    expect(answered).toEqual([204]);
    expect(sim.poNumbers.get(`${customerId}/${subscriptionId}`)).toBe('PO-1');
  });

  test('a final error answer resolves too, with its body read as text', async () => {
    const response = await transport(0).exchange(poNumberPath('not-a-uuid'), '"PO-1"', freshAttempt());
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({
      errors: [{ propertyName: 'customerId' }],
    });
  });

  test("every attempt carries the row's correlation id and the stream follows retries to the last answer", async () => {
    sim.configure({ failureRate: 1 });
    const attempt = freshAttempt();
    const response = await transport(2).exchange(poNumberPath(), '"PO-1"', attempt);
    expect(response.statusCode).toBe(500);
    expect(sim.counters.api).toBe(3);
    expect(sim.requests.map((r) => r.correlationId)).toEqual(Array(3).fill(attempt.correlationId));
    expect(attempt.slot).toBe(-1);
  });

  test("no answer rejects with got's RequestError", async () => {
    sim.configure({ dropRate: 1 });
    const error = await transport(0)
      .exchange(poNumberPath(), '"PO-1"', freshAttempt())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect(sim.counters.dropped).toBe(1);
  });
});

describe('Transport.fetch', () => {
  const subscriptionPath = (customer = customerId) =>
    `v1/customers/${customer}/subscriptions/${subscriptionId}`;

  test("a 2xx answer's body is read as text, for the value it holds", async () => {
    sim.configure({ seedValues: { poNumbers: { [`${customerId}/${subscriptionId}`]: 'PO-7' } } });
    const response = await transport(0).fetch(subscriptionPath(), freshAttempt());
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ id: subscriptionId, poNumber: 'PO-7' });
    expect(answered).toEqual([200]);
  });

  test("it sends a GET with the row's correlation id and no content type", async () => {
    const attempt = freshAttempt();
    await transport(0).fetch(subscriptionPath(), attempt);
    expect(sim.requests[0]).toMatchObject({
      method: 'GET',
      correlationId: attempt.correlationId,
      contentType: undefined,
    });
    expect(attempt.slot).toBe(-1);
  });

  test('a final error answer resolves with its body read as text', async () => {
    const response = await transport(0).fetch(subscriptionPath('not-a-uuid'), freshAttempt());
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ errors: [{ propertyName: 'customerId' }] });
  });
});

describe('Transport.cancelWaiting', () => {
  test('a row waiting to retry is cancelled at once with a StoppedError', async () => {
    sim.configure({ failureRate: 1 });
    const rows = transport(5, 60_000);
    const attempt = freshAttempt();
    const sent = rows.exchange(poNumberPath(), '"PO-1"', attempt).catch((e: unknown) => e);
    while (!attempt.waiting) await new Promise((resolve) => setTimeout(resolve, 5));
    rows.cancelWaiting();
    expect(await sent).toBeInstanceOf(StoppedError);
    expect(sim.counters.api).toBe(1);
    expect(attempt.slot).toBe(-1);
  });

  test('a row whose attempt is in flight is left to finish', async () => {
    sim.configure({ latencyMs: 200 });
    const rows = transport(0);
    const sent = rows.exchange(poNumberPath(), '"PO-1"', freshAttempt());
    while (sim.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    rows.cancelWaiting();
    expect((await sent).statusCode).toBe(204);
  });
});
