import { afterEach, describe, expect, test } from '@jest/globals';
import { FaultLedger, plannedFaults, type FaultPlan } from '../../src/simulator/fault-plan.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';

const PLAN: FaultPlan = {
  seed: 7,
  share: 0.5,
  maxPerTarget: 3,
  kinds: ['error', 'drop', 'hang', 'throttle'],
};
const keys = Array.from({ length: 400 }, (_, i) => `customer-${i}/subscription-${i}`);

describe('plannedFaults', () => {
  test('the same seed and target always get the same faults', () => {
    for (const key of keys) expect(plannedFaults(PLAN, key)).toEqual(plannedFaults({ ...PLAN }, key));
  });

  test('about the planned share of targets get 1 to maxPerTarget faults of the planned kinds', () => {
    const planned = keys.map((key) => plannedFaults(PLAN, key));
    const faulty = planned.filter((f) => f.length > 0);
    expect(faulty.length / keys.length).toBeGreaterThan(0.4);
    expect(faulty.length / keys.length).toBeLessThan(0.6);
    expect(Math.max(...planned.map((f) => f.length))).toBe(3);
    expect(new Set(planned.flat())).toEqual(new Set(PLAN.kinds));
  });

  test('another seed plans other faults', () => {
    const other = keys.map((key) => plannedFaults({ ...PLAN, seed: 8 }, key));
    expect(other).not.toEqual(keys.map((key) => plannedFaults(PLAN, key)));
  });

  test('share 0 plans nothing and share 1 plans a fault for every target', () => {
    expect(keys.every((key) => plannedFaults({ ...PLAN, share: 0 }, key).length === 0)).toBe(true);
    expect(keys.every((key) => plannedFaults({ ...PLAN, share: 1 }, key).length > 0)).toBe(true);
  });
});

describe('FaultLedger', () => {
  test('gives each target its planned faults in attempt order, then none, whatever the interleaving', () => {
    const ledger = new FaultLedger();
    const [a, b] = [keys[0]!, keys[1]!];
    const seen = { [a]: [] as unknown[], [b]: [] as unknown[] };
    for (const key of [a, b, b, a, a, b, a, b, a, b]) seen[key]!.push(ledger.next(PLAN, key));
    for (const key of [a, b]) {
      const planned = plannedFaults(PLAN, key);
      expect(seen[key]).toEqual([...planned, ...Array(5 - planned.length).fill(undefined)].slice(0, 5));
    }
  });
});

describe('the simulator under a fault plan', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
  });

  test('answers each target its planned faults, then 204', async () => {
    const plan: FaultPlan = { seed: 3, share: 1, maxPerTarget: 2, kinds: ['error', 'throttle'] };
    sim = await startSimulator({ faultPlan: plan, retryAfterSeconds: 0 });
    const [customer, subscription] = [
      '3fa85f64-5717-4562-b3fc-2c963f66afa6',
      '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
    ];
    const send = () =>
      fetch(`${sim!.url}/v1/customers/${customer}/subscriptions/${subscription}/po-number`, {
        method: 'PATCH',
        headers: {
          authorization: 'Bearer sim-static-token',
          'x-tenant': 'portal.cloudcockpit.com',
          'content-type': 'application/json',
        },
        body: '"PO-1"',
      }).then((r) => r.status);
    const expected = plannedFaults(plan, `${customer}/${subscription}`).map((f) =>
      f === 'error' ? 500 : 429,
    );
    const statuses = [];
    for (let i = 0; i < expected.length + 1; i++) statuses.push(await send());
    expect(statuses).toEqual([...expected, 204]);
    sim.reset();
    expect(await send()).toBe(expected[0]);
  });

  test('a malformed plan is refused, naming the option', async () => {
    sim = await startSimulator();
    expect(() => sim!.configure({ faultPlan: { ...PLAN, kinds: ['boom' as never] } })).toThrow(/faultPlan/);
  });
});
