/**
 * `run`'s row listener, which the page's live progress is drawn from: every row is told once, in
 * the results file's order, with the status the results file gives it.
 */
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { resolveOptions } from '../../src/cli/resolve-options.js';
import { run } from '../../src/job/run.js';
import type { ResultLine } from '../../src/result.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { readResults, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';

let sim: Simulator;
let dir: string;
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

beforeEach(async () => {
  sim = await startSimulator({});
  dir = await tempDir();
});
afterEach(async () => {
  await sim.close();
});

test('the row listener hears every row once, in the order and with the status of the results file', async () => {
  const [customer, subscription] = [randomUUID(), randomUUID()];
  const file = path.join(dir, 'po.csv');
  await writeFile(
    file,
    [
      'customerId,subscriptionId,poNumber',
      `${customer},${subscription},PO-1`,
      `not-a-uuid,${subscription},PO-2`,
      `${customer},${subscription},PO-3`,
    ].join('\n') + '\n',
  );
  const out = path.join(dir, 'po.results.csv');
  const options = resolveOptions('run', file, { out, progress: false, rate: 0 }, simEnv(sim.url));
  const heard: ResultLine[] = [];
  const summary = await run(options, {
    env: simEnv(sim.url),
    stderr: quiet,
    onRow: (row) => heard.push(row),
  });
  const written = await readResults(out);
  expect(heard.map((r) => [String(r.line), r.result.status])).toEqual(written.map((r) => [r.line, r.status]));
  expect(heard.map((r) => r.result.status)).toEqual(['success', 'invalid', 'success']);
  expect(summary.counts.success).toBe(2);
});
