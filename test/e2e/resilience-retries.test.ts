/** Retries end to end: a failing API's calls retried, with the faults taken from a plan keyed by target. */
import { describe, expect, test } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { plannedFaults, type FaultPlan } from '../../src/simulator/fault-plan.js';
import { readResults, runCli } from '../helpers/cli.js';
import { dir, env, sim, simulatorForEachTest } from '../helpers/e2e.js';
import { writePoNumbers } from '../helpers/generate.js';

simulatorForEachTest();

describe('retries', () => {
  test('2,000 rows through planned 500s, dropped connections and hangs all succeed, with exactly the planned attempts', async () => {
    // Faults come from a plan keyed by target and attempt, so the same rows get the same faults
    // however a loaded machine interleaves them; every count below follows from the plan alone.
    const plan: FaultPlan = {
      seed: 42,
      share: 0.1,
      maxPerTarget: 2,
      // No planned 429s: 429s scattered at a steady 2% of the requests, whatever the pace, look to
      // the adaptive throttle like a limit being passed, and cut after cut slows the run to a
      // crawl (the throttle's tests and the benchmark cover real limits).
      kinds: ['error', 'error', 'drop', 'hang'],
    };
    sim.configure({ faultPlan: plan, retryAfterSeconds: 1 });
    const file = path.join(dir, 'in.csv');
    const written = await writePoNumbers(file, 2000);
    const out = path.join(dir, 'out.csv');
    const retries = 8;
    const run = await runCli(
      [
        'po-numbers',
        file,
        '--out',
        out,
        '--concurrency',
        '16',
        '--rate',
        '0',
        '--timeout',
        '1',
        '--retries',
        String(retries),
      ],
      env(),
    );
    const rows = await readResults(out);
    const planned = written.map((w) => plannedFaults(plan, `${w.customerId}/${w.second}`));
    const unexpected = rows.filter(
      (r, i) => r.status !== 'success' || Number(r.attempts) !== planned[i]!.length + 1,
    );
    // On failure, say which rows and what the program said, not only that the exit code differed.
    expect({ code: run.code, unexpected, stderrTail: run.code === 0 ? '' : run.stderr.slice(-2000) }).toEqual(
      {
        code: 0,
        unexpected: [],
        stderrTail: '',
      },
    );
    expect(rows).toHaveLength(2000);
    const attemptsById = new Map<string, string[]>();
    for (const request of sim.requests) {
      if (!request.correlationId) continue;
      attemptsById.set(request.correlationId, [
        ...(attemptsById.get(request.correlationId) ?? []),
        request.path,
      ]);
    }
    for (const row of rows) {
      const attempts = Number(row.attempts);
      expect(attempts).toBeLessThanOrEqual(retries + 1);
      const sent = attemptsById.get(row.correlationId ?? '') ?? [];
      // Every attempt the server saw under this id was this row's, and `attempts` is the true count.
      expect(sent).toHaveLength(attempts);
      expect(new Set(sent)).toEqual(
        new Set([`/v1/customers/${row.customerId}/subscriptions/${row.subscriptionId}/po-number`]),
      );
    }
    const count = (kind: string) => planned.flat().filter((f) => f === kind).length;
    expect({
      500: sim.counters.byStatus[500] ?? 0,
      429: sim.counters.byStatus[429] ?? 0,
      dropped: sim.counters.dropped,
      hung: sim.counters.hung,
      requests: sim.counters.api,
    }).toEqual({
      500: count('error'),
      429: count('throttle'),
      dropped: count('drop'),
      hung: count('hang'),
      // The ready token's check (a GET, which the plan leaves alone), then every row's attempts.
      requests: 1 + 2000 + planned.flat().length,
    });
    expect(count('error') * count('drop') * count('hang')).toBeGreaterThan(0);
  }, 180_000);

  test('400, 403 and 404 are final: one attempt each', async () => {
    const file = path.join(dir, 'in.csv');
    await writeFile(
      file,
      'customerId,subscriptionId,poNumber\n3fa85f64-5717-4562-b3fc-2c963f66afa6,1b4e28ba-2fa1-11d2-883f-0016d3cca427,bad <po>\n',
    );
    const run = await runCli(['po-numbers', file, '--retries', '5'], env());
    expect(run.code).toBe(1);
    const [row] = await readResults(path.join(dir, 'in.results.csv'));
    expect(row).toMatchObject({ status: 'failed', httpStatus: '400', attempts: '1' });
  });

  test('a Retry-After longer than --max-retry-after fails the row with the reason', async () => {
    sim.configure({ rateLimit: 1, retryAfterSeconds: 60 });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 3);
    const run = await runCli(['po-numbers', file, '--rate', '0', '--max-retry-after', '5'], env());
    expect(run.code).toBe(1);
    const rows = await readResults(path.join(dir, 'in.results.csv'));
    const refused = rows.filter((r) => r.status === 'failed');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]).toMatchObject({ httpStatus: '429', attempts: '1' });
    expect(refused[0]?.errorDescription).toContain(
      'the API asked to wait 60 s, longer than --max-retry-after 5 s',
    );
  });
});
