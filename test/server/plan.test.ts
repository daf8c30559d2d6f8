/**
 * The plan on the page's check step: a `--plan` run through `run()` reads each row's current
 * value and says how many rows change, how many are already right, and `current → new`; it sends
 * no change, and a run waits while it reads.
 */
import { afterEach, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { TablePage } from '../../src/server/rows-table.js';
import { until } from '../helpers/web.js';
import { setUp, type Setup } from './server-setup.js';

let setup: Setup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

test('the plan counts the rows that change and those already right, lists current → new, and changes nothing', async () => {
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
  const [sa, sb, sc] = [randomUUID(), randomUUID(), randomUUID()];
  setup = await setUp({
    sim: { seedValues: { poNumbers: { [`${a}/${sa}`]: 'PO-1', [`${b}/${sb}`]: 'PO-OLD' } } },
  });
  const s = setup;
  const file = [
    'customerId,subscriptionId,poNumber',
    `${a},${sa},PO-1`,
    `${b},${sb},PO-2`,
    `${c},${sc},PO-3`,
    `x,${sc},PO-4`,
  ];
  const report = (await (await s.client.upload('plan.csv', file.join('\n') + '\n')).json()) as { id: string };
  expect((await s.client.post(`/api/uploads/${report.id}/plan`)).status).toBe(202);
  let state: { state: string; counts: Record<string, number> } = { state: '', counts: {} };
  await until(async () => {
    state = (await (await s.client.get(`/api/uploads/${report.id}/plan`)).json()) as typeof state;
    return state.state !== 'reading';
  });
  expect(state).toMatchObject({ state: 'done', counts: { change: 2, unchanged: 1, invalid: 1 } });
  const page = (await (await s.client.get(`/api/uploads/${report.id}/plan/rows`)).json()) as TablePage;
  expect(page.rows.map((r) => [r.line, r.previous, r.values[2]])).toEqual([
    [3, 'PO-OLD', 'PO-2'],
    [4, '', 'PO-3'],
  ]);
  expect(s.sim.counters.byMethod.PATCH ?? 0).toBe(0);
});

test('a run waits while a plan reads', async () => {
  setup = await setUp({ flags: { rate: 5 } });
  const s = setup;
  const rows = Array.from({ length: 40 }, (_, i) => `${randomUUID()},${randomUUID()},PO-${i}`);
  const report = (await (
    await s.client.upload('slow.csv', ['customerId,subscriptionId,poNumber', ...rows].join('\n'))
  ).json()) as {
    id: string;
  };
  await s.client.post(`/api/uploads/${report.id}/plan`);
  const refused = await s.client.post('/api/runs', { id: report.id });
  expect(refused.status).toBe(409);
  expect(((await refused.json()) as { error: string }).error).toMatch(/plan is being read/);
});
