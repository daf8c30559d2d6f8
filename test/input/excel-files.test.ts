/**
 * Files made the way Excel makes them: every encoding, delimiter and line ending Excel writes, and
 * the workbooks of every writer a finance team uses (test/fixtures/workbooks/), each run through
 * the built CLI against a fresh simulator, must send exactly the requests the plain UTF-8 original
 * sends and leave the simulator in the same state.
 */
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { sampleWorld } from '../../src/simulator/world.js';
import { readWorkbookRecords } from '../../src/input/xlsx.js';
import { readResults, runCli, simEnv, type CliRun } from '../helpers/cli.js';
import {
  EXCEL_FIXTURES,
  HEADER,
  ORIGINAL,
  ROWS,
  VARIANTS,
  WORKBOOK_FIXTURES,
  WORKBOOKS,
} from '../helpers/excel-fixtures.js';
import { tempDir } from '../helpers/files.js';

/** What one run left behind: its process, the API requests in order, the simulator's end state. */
interface Outcome {
  readonly run: CliRun;
  readonly requests: { method: string; path: string; body: string }[];
  readonly poNumbers: [string, string][];
  readonly results: Record<string, string>[];
}

let sim: Simulator | undefined;
let original: Outcome;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Run `run FILE` through the built CLI, one request at a time so the order is the file's. */
async function runFile(file: string): Promise<Outcome> {
  sim = await startSimulator({ world: sampleWorld() });
  const out = path.join(await tempDir(), `${path.basename(file)}.results.csv`);
  const run = await runCli(['run', file, '--out', out, '--rate', '0', '--concurrency', '1'], simEnv(sim.url));
  const requests = sim.requests
    .filter((r) => r.method === 'PATCH')
    .map((r) => ({ method: r.method, path: r.path, body: r.body }));
  const poNumbers = [...sim.poNumbers.entries()].sort(([a], [b]) => a.localeCompare(b));
  const results = run.code === 2 ? [] : await readResults(out).catch(() => []);
  return { run, requests, poNumbers, results };
}

const expectedPoNumbers = ROWS.map(([customer, subscription, po]): [string, string] => [
  `${customer}/${subscription}`,
  po,
]).sort(([a], [b]) => a.localeCompare(b));

beforeAll(async () => {
  original = await runFile(path.join(EXCEL_FIXTURES, ORIGINAL.file));
  await sim?.close();
  sim = undefined;
});

describe('the Excel-made files', () => {
  test('the checked-in files are exactly what test/fixtures/excel/make.ts writes', async () => {
    for (const variant of VARIANTS) {
      const onDisk = await readFile(path.join(EXCEL_FIXTURES, variant.file));
      if (variant.file.endsWith('.xlsx')) {
        // A zip carries its own dates, so the workbook is compared by what it holds.
        const rows = [];
        for await (const r of readWorkbookRecords(
          path.join(EXCEL_FIXTURES, variant.file),
          variant.file,
          undefined,
        ))
          rows.push(r.cells);
        expect(rows).toEqual([[...HEADER], ...ROWS.map((r) => [...r])]);
      } else {
        expect({ file: variant.file, same: onDisk.equals(await variant.bytes()) }).toEqual({
          file: variant.file,
          same: true,
        });
      }
    }
  });

  test('the plain UTF-8 original sets every PO number exactly as written', () => {
    expect(original.run.stderr).not.toMatch(/\n\s+at /);
    expect(original.run.code).toBe(0);
    expect(original.poNumbers).toEqual(expectedPoNumbers);
    expect(original.requests.map((r) => JSON.parse(r.body) as string)).toEqual(ROWS.map((r) => r[2]));
    expect(original.results.map((r) => [r.line, r.status])).toEqual(
      ROWS.map((_, i) => [String(i + 2), 'success']),
    );
  });

  test.each([
    ...VARIANTS.filter((v) => v !== ORIGINAL).map((v) => [v.description, path.join(EXCEL_FIXTURES, v.file)]),
    ...WORKBOOKS.map((w) => [w.description, path.join(WORKBOOK_FIXTURES, w.file)]),
  ])('%s sends the same requests as the original', async (_description, fixture) => {
    const file = path.basename(fixture as string);
    const outcome = await runFile(fixture as string);
    // Compared as one object, so a failure shows the file, its exit code and its messages together.
    expect({
      file,
      code: outcome.run.code,
      stderr: outcome.run.stderr.split('\n').filter((l) => !/^\s*$/.test(l)),
      requests: outcome.requests,
      poNumbers: outcome.poNumbers,
      lines: outcome.results.map((r) => [r.line, r.status]),
    }).toEqual({
      file,
      code: 0,
      stderr: expect.any(Array) as unknown,
      requests: original.requests,
      poNumbers: original.poNumbers,
      lines: original.results.map((r) => [r.line, r.status]),
    });
    expect(outcome.run.stderr).not.toMatch(/\n\s+at /);
  });
});
