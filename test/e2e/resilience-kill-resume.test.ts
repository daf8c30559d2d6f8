/** kill -9 and --resume end to end: a run killed outright is resumed without sending a row twice. */
import { describe, expect, test } from '@jest/globals';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readResults, runCli } from '../helpers/cli.js';
import { dir, env, sim, simulatorForEachTest, start, writtenRows } from '../helpers/e2e.js';
import { writePoNumbers } from '../helpers/generate.js';

simulatorForEachTest();

describe('kill -9 and --resume', () => {
  test('after kill -9 at a random moment, --resume completes every row once without re-sending any success', async () => {
    sim.configure({ latencyMs: 2, jitterMs: 10, failureRate: 0.05 });
    const file = path.join(dir, 'in.csv');
    const generated = await writePoNumbers(file, 1500);
    const out = path.join(dir, 'out.csv');
    const args = ['po-numbers', file, '--out', out, '--rate', '0', '--concurrency', '8', '--retries', '0'];
    const { child, done } = start(args);
    const moment = 100 + Math.floor(Math.random() * 800);
    while ((await writtenRows(out)) < moment) await sleep(5);
    child.kill('SIGKILL');
    expect((await done).code).toBeNull();
    expect((await stat(`${out}.lock`)).isFile()).toBe(true); // left behind by the killed run

    const before = await readResults(out).catch(() => []);
    const appliedBefore = new Set(before.filter((r) => r.status === 'success').map((r) => r.subscriptionId));
    sim.reset();
    sim.configure({ failureRate: 0 });
    const resumed = await runCli([...args, '--resume'], env());
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`${appliedBefore.size} rows already applied are kept`);
    const rows = await readResults(out);
    expect(rows.map((r) => r.subscriptionId)).toEqual(generated.map((g) => g.second));
    expect(rows.every((r) => r.status === 'success')).toBe(true);
    const resent = sim.requests.filter((r) => [...appliedBefore].some((id) => r.path.includes(id ?? '')));
    expect(resent).toEqual([]);
    // Kept rows keep the correlation id of the run that applied them.
    const kept = before.filter((r) => r.status === 'success');
    const keptNow = new Map(rows.map((r) => [r.line, r.correlationId]));
    kept.forEach((r) => expect(keptNow.get(r.line)).toBe(r.correlationId));
  });

  test('a resume of an unfinished run whose input changed under a kept row is refused before anything is sent', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 20);
    const out = path.join(dir, 'out.csv');
    expect((await runCli(['po-numbers', file, '--out', out, '--rate', '0'], env())).code).toBe(0);
    // Unfinished: it stopped before its last row (a finished run's results are kept beside instead).
    const written = (await readFile(out, 'utf8')).split('\r\n');
    written[20] = written[20]!.replace(',success,204,1,', ',not_attempted,,0,');
    await writeFile(out, written.join('\r\n'));
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[5] = lines[5]?.replace(/PO-\d+/, 'PO-CHANGED') ?? '';
    await writeFile(file, lines.join('\n'));
    sim.reset();
    const run = await runCli(['po-numbers', file, '--out', out, '--resume'], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}, line 6: no longer matches ${out} at this line`);
    expect(sim.counters.api).toBe(0);
  });

  test('a resume that re-sends an earlier row of a key re-sends its later rows too, so the last row still wins', async () => {
    const file = path.join(dir, 'in.csv');
    const [c, sub] = ['3fa85f64-5717-4562-b3fc-2c963f66afa6', '1b4e28ba-2fa1-11d2-883f-0016d3cca427'];
    await writeFile(file, `customerId,subscriptionId,poNumber\n${c},${sub},PO-FIRST\n${c},${sub},PO-LAST\n`);
    const out = path.join(dir, 'out.csv');
    expect((await runCli(['po-numbers', file, '--out', out], env())).code).toBe(0);
    // As if line 2 had failed in that run while line 3 succeeded.
    await writeFile(out, (await readFile(out, 'utf8')).replace(',PO-FIRST,success,', ',PO-FIRST,failed,'));
    sim.reset();
    const run = await runCli(['po-numbers', file, '--out', out, '--resume'], env());
    expect(run.code).toBe(0);
    expect(sim.history.get(`${c}/${sub}`)).toEqual(['PO-FIRST', 'PO-LAST']);
    expect(sim.poNumbers.get(`${c}/${sub}`)).toBe('PO-LAST');
  });

  test('a resume with nothing to do sends nothing and keeps the file', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 30);
    const out = path.join(dir, 'out.csv');
    expect((await runCli(['po-numbers', file, '--out', out, '--rate', '0'], env())).code).toBe(0);
    const first = await readFile(out, 'utf8');
    sim.reset();
    const run = await runCli(['po-numbers', file, '--out', out, '--resume'], env());
    expect(run.code).toBe(0);
    expect(sim.counters.api).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(first);
  });
});
