/**
 * The bulk job end to end, the built CLI as a real process against the simulator on loopback: the
 * samples, a dry run, --allow-clear, input order and one call at a time per key under concurrency,
 * and what every request carries.
 */
import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { sampleWorld, SAMPLE_WORLD } from '../../src/simulator/world.js';
import { SIM_TOKEN, readResults, runCli } from '../helpers/cli.js';
import { dir, env, input, sim, simulatorForEachTest, UUID } from '../helpers/e2e.js';
import { writePoNumbers } from '../helpers/generate.js';

const SAMPLES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../samples');
const { contoso, fabrikam, litware } = SAMPLE_WORLD.customers;

simulatorForEachTest(() => ({ world: sampleWorld() }));

describe('the bulk job', () => {
  test('the PO-number sample: every row reported in input order, with why', async () => {
    const out = path.join(dir, 'po.results.csv');
    const run = await runCli(
      ['po-numbers', path.join(SAMPLES, 'po-numbers.csv'), '--out', out, '--rate', '0'],
      env(),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const rows = await readResults(out);
    // Excel's row numbers: the cell with a line break (row 6) stays in its row, the blank line is row 8.
    expect(rows.map((r) => r.line)).toEqual([
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '9',
      '10',
      '11',
      '12',
      '13',
      '14',
      '15',
      '16',
      '17',
      '18',
      '19',
      '20',
      '21',
    ]);
    const byLine = new Map(rows.map((r) => [r.line, r]));
    expect(byLine.get('2')).toMatchObject({
      status: 'success',
      httpStatus: '204',
      attempts: '1',
      errorType: '',
    });
    // Quotes, commas and a line break inside a cell: sent exactly, and the next row's number is still Excel's.
    expect(
      sim.poNumbers.get(
        `${SAMPLE_WORLD.customers.adatum.id}/${SAMPLE_WORLD.customers.adatum.subscriptions.microsoft365E5}`,
      ),
    ).toBe('PO 88,1 "framework"');
    expect(byLine.get('7')?.poNumber).toBe('00017');
    // Three rows for one subscription: the last one in the file wins.
    expect(sim.poNumbers.get(`${litware.id}/${litware.subscriptions.exchangeOnlinePlan1}`)).toBe(
      'PO-2026-0999',
    );
    expect(sim.history.get(`${litware.id}/${litware.subscriptions.exchangeOnlinePlan1}`)).toEqual([
      'PO-OLD-1',
      'PO-OLD-2',
      'PO-2026-0999',
    ]);
    // A formula is sent as written but cannot run in the results file.
    expect(byLine.get('12')?.poNumber).toBe(`'=HYPERLINK("http://example.invalid")`);
    expect(byLine.get('13')).toMatchObject({ status: 'failed', httpStatus: '403', errorType: 'Forbidden' });
    expect(byLine.get('14')).toMatchObject({ status: 'failed', httpStatus: '404', errorType: 'NotFound' });
    expect(byLine.get('14')?.errorDescription).toContain('was not found');
    expect(byLine.get('15')).toMatchObject({ status: 'failed', httpStatus: '404' });
    expect(byLine.get('16')).toMatchObject({
      status: 'failed',
      httpStatus: '400',
      errorType: 'ValidationError',
    });
    expect(byLine.get('16')?.errorDetails).toMatch(/^poNumber: .*not allowed/);
    for (const line of ['17', '18', '19', '20', '21'])
      expect(byLine.get(line)).toMatchObject({
        status: 'invalid',
        attempts: '0',
        correlationId: '',
        httpStatus: '',
      });
    expect(byLine.get('17')?.errorDetails).toContain('customerId: "not-a-guid" is not a UUID');
    expect(byLine.get('18')?.errorDetails).toContain('poNumber: is empty');
    expect(byLine.get('19')?.errorDetails).toContain('at most 255');
    expect(byLine.get('20')?.errorDetails).toContain('row: has 3 cells but the header has 5');
    expect(byLine.get('21')?.errorDetails).toContain('poNumber: is the Excel error #N/A');
    expect(rows.filter((r) => r.status === 'success')).toHaveLength(10);
    // Nothing invalid reached the API: the ready token's check (a GET), then the 14 valid rows.
    expect(sim.counters.api).toBe(1 + 14);
  });

  test('the internal-identifier sample, detected by run, sends exactly the documented body', async () => {
    const out = path.join(dir, 'ii.results.csv');
    const run = await runCli(['run', path.join(SAMPLES, 'internal-identifiers.csv'), '--out', out], env());
    expect(run.code).toBe(1);
    const rows = await readResults(out);
    expect(Object.keys(rows[0] ?? {}).slice(0, 4)).toEqual([
      'line',
      'customerId',
      'resellerId',
      'internalIdentifier',
    ]);
    expect(rows.map((r) => r.status)).toEqual([
      'success',
      'success',
      'success',
      'success',
      'success',
      'success',
      'success',
      'success',
      'failed',
      'failed',
      'failed',
      'invalid',
      'invalid',
    ]);
    expect(sim.internalIdentifiers.get(`${contoso.id}/csp`)).toBe('ERP-10001');
    expect(sim.internalIdentifiers.get(`${fabrikam.id}/${SAMPLE_WORLD.resellers.tailspin.id}`)).toBe(
      'TT-0042',
    );
    expect(sim.internalIdentifiers.get(`${SAMPLE_WORLD.customers.adatum.id}/csp`)).toBe('Adatum / Zürich');
    const first = sim.requests.find((r) => r.path.endsWith('/internal-identifier'));
    expect(first?.path).toBe(`/v1/Customers/${contoso.id}/internal-identifier`);
    expect(JSON.parse(first?.body ?? '')).toEqual({ internalIdentifier: 'ERP-10001', resellerId: null });
    expect(Object.keys(JSON.parse(first?.body ?? ''))).toEqual(['internalIdentifier', 'resellerId']);
  });

  test('a dry run validates every row, sends nothing and needs no credentials', async () => {
    const out = path.join(dir, 'dry.csv');
    const run = await runCli(['run', path.join(SAMPLES, 'po-numbers.csv'), '--dry-run', '--out', out], {});
    expect(run.code).toBe(1);
    const rows = await readResults(out);
    expect(rows.filter((r) => r.status === 'valid')).toHaveLength(14);
    expect(rows.filter((r) => r.status === 'invalid')).toHaveLength(5);
    expect(sim.counters.api + sim.counters.token).toBe(0);
    const clean = await input('clean.csv', [
      'customerId,subscriptionId,poNumber',
      `${contoso.id},${contoso.subscriptions.azurePlan},PO-1`,
    ]);
    expect((await runCli(['po-numbers', clean, '--dry-run'], {})).code).toBe(0);
    expect((await readResults(path.join(dir, 'clean.dry-run.results.csv')))[0]?.status).toBe('valid');
  });

  test('--allow-clear sends an empty value as a clear', async () => {
    const file = await input('clear.csv', [
      'customerId,subscriptionId,poNumber',
      `${contoso.id},${contoso.subscriptions.azurePlan},`,
    ]);
    const run = await runCli(['po-numbers', file, '--allow-clear'], env());
    expect(run.code).toBe(0);
    // The first request is the ready token's check (a GET); the row's PATCH follows.
    expect(sim.requests[1]?.body).toBe('""');
  });

  test('input order is kept at concurrency 8 with random latency, with one distinct correlation id per row', async () => {
    sim.configure({ world: undefined, latencyMs: 1, jitterMs: 25 });
    const file = path.join(dir, 'many.csv');
    const generated = await writePoNumbers(file, 300);
    const out = path.join(dir, 'many.results.csv');
    const run = await runCli(['po-numbers', file, '--concurrency', '8', '--rate', '0', '--out', out], env());
    expect(run.code).toBe(0);
    const rows = await readResults(out);
    expect(rows.map((r) => r.subscriptionId)).toEqual(generated.map((g) => g.second));
    expect(rows.map((r) => Number(r.line))).toEqual(generated.map((_, i) => i + 2));
    const ids = rows.map((r) => r.correlationId);
    expect(new Set(ids).size).toBe(300);
    ids.forEach((id) => expect(id).toMatch(UUID));
    // The id in the results is the one the API received for that row.
    const sent = new Map(sim.requests.map((r) => [r.correlationId, r.path]));
    rows.forEach((r) => expect(sent.get(r.correlationId)).toContain(r.subscriptionId));
    expect(sim.maxInFlight).toBeGreaterThan(1);
    expect(sim.maxInFlight).toBeLessThanOrEqual(8);
  });

  test('twenty updates of one subscription at concurrency 16 are applied one at a time, the last row winning', async () => {
    sim.configure({ latencyMs: 2, jitterMs: 20 });
    const sub = contoso.subscriptions.microsoft365E3;
    const lines = ['customerId,subscriptionId,poNumber'];
    for (let i = 1; i <= 20; i++) {
      lines.push(`${contoso.id},${sub},PO-${i}`);
      lines.push(`${fabrikam.id},${fabrikam.subscriptions.dynamics365Sales},OTHER-${i}`);
    }
    const file = await input('same.csv', lines);
    const run = await runCli(['po-numbers', file, '--concurrency', '16', '--rate', '0'], env());
    expect(run.code).toBe(0);
    expect(sim.poNumbers.get(`${contoso.id}/${sub}`)).toBe('PO-20');
    expect(sim.history.get(`${contoso.id}/${sub}`)).toEqual(
      Array.from({ length: 20 }, (_, i) => `PO-${i + 1}`),
    );
    expect(sim.maxConcurrentPerKey).toBe(1);
  });

  test('every request carries the tenant, the bearer token, a correlation id and JSON', async () => {
    const file = await input('one.csv', [
      'customerId,subscriptionId,poNumber',
      `${contoso.id},${contoso.subscriptions.azurePlan},PO-7`,
    ]);
    expect((await runCli(['po-numbers', file], env())).code).toBe(0);
    const [check, request] = sim.requests;
    // First the ready token's check: a read with the same headers, and no body.
    expect(check).toMatchObject({
      method: 'GET',
      path: '/v1/Customers?pageSize=1',
      tenant: 'portal.cloudcockpit.com',
      authorization: `Bearer ${SIM_TOKEN}`,
      body: '',
    });
    expect(check?.correlationId).toMatch(UUID);
    expect(request).toMatchObject({
      method: 'PATCH',
      path: `/v1/customers/${contoso.id}/subscriptions/${contoso.subscriptions.azurePlan}/po-number`,
      tenant: 'portal.cloudcockpit.com',
      authorization: `Bearer ${SIM_TOKEN}`,
      contentType: 'application/json',
      body: '"PO-7"',
    });
    expect(request?.correlationId).toMatch(UUID);
  });
});
