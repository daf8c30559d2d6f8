/** `--resume` end to end (issue 15): a finished run set aside when the input has new content, resumed when it has the same, refused when its lock was left. */
import { describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { readResults, runCli } from '../helpers/cli.js';
import { dir, env, patches, sim, simulatorForEachTest } from '../helpers/e2e.js';
import { CUSTOMER, SUB } from '../helpers/resume-targets.js';

simulatorForEachTest();

describe('a finished run and an input with new content', () => {
  test("the README's cron line keeps each finished run's results beside them and starts a new run", async () => {
    const file = path.join(dir, 'orders.csv');
    const out = `${file}.results.csv`;
    const nightly = ['run', file, '--resume', '--out', out, '--rate', '0'];
    const nights = [['PO-1', 'PO-2'], ['PO-3'], ['PO-4', 'PO-5', 'PO-6']];
    const kept: string[] = [];
    for (const [night, values] of nights.entries()) {
      const rows = values.map((v) => `${CUSTOMER},${randomUUID()},${v}`);
      await writeFile(file, ['customerId,subscriptionId,poNumber', ...rows].join('\n') + '\n');
      sim.reset();
      const run = await runCli(nightly, env());
      expect(run.code).toBe(0);
      expect(patches()).toBe(values.length);
      expect((await readResults(out)).map((r) => r.poNumber)).toEqual(values);
      const said =
        /holds a finished run of another content of .*: it is kept as (.*), and a new run starts/.exec(
          run.stderr,
        );
      if (night === 0) expect(said).toBeNull();
      else kept.push(said?.[1] ?? '');
    }
    // Nothing was overwritten: each night's results are kept, under names of their own.
    expect(new Set(kept).size).toBe(2);
    expect((await readResults(kept[0]!)).map((r) => r.poNumber)).toEqual(nights[0]);
    expect((await readResults(kept[1]!)).map((r) => r.poNumber)).toEqual(nights[1]);
    expect(path.dirname(kept[0]!)).toBe(dir);
  });

  test('the same content again is resumed: nothing is sent twice', async () => {
    const file = path.join(dir, 'orders.csv');
    await writeFile(file, `customerId,subscriptionId,poNumber\n${CUSTOMER},${SUB},PO-1\n`);
    const out = path.join(dir, 'out.csv');
    const args = ['run', file, '--resume', '--out', out, '--rate', '0'];
    expect((await runCli(args, env())).code).toBe(0);
    sim.reset();
    const again = await runCli(args, env());
    expect(again.code).toBe(0);
    expect(patches()).toBe(0);
    expect(again.stderr).toContain('1 row already applied is kept');
  });

  test('a finished-looking run whose lock was left behind (killed) is not set aside: refused, nothing sent', async () => {
    const file = path.join(dir, 'orders.csv');
    await writeFile(file, `customerId,subscriptionId,poNumber\n${CUSTOMER},${SUB},PO-1\n`);
    const out = path.join(dir, 'out.csv');
    const args = ['run', file, '--resume', '--out', out, '--rate', '0'];
    expect((await runCli(args, env())).code).toBe(0);
    // A lock as a killed run leaves it: this host, a process that is gone.
    await writeFile(`${out}.lock`, JSON.stringify({ pid: 999_999_999, host: hostname(), started: 'then' }));
    await writeFile(file, `customerId,subscriptionId,poNumber\n${CUSTOMER},${SUB},PO-2\n`);
    sim.reset();
    const run = await runCli(args, env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no longer matches');
    expect(patches()).toBe(0);
  });
});
