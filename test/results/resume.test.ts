import { describe, expect, test } from '@jest/globals';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { poNumbers } from '../../src/kinds.js';
import type { PreviousRow } from '../../src/results/earlier-rows.js';
import { finishedRun, heldAt, keepBeside, KeptRows, planResume } from '../../src/results/resume.js';
import { resultsHeader } from '../../src/results/results-writer.js';
import { tempDir } from '../helpers/files.js';

const header = resultsHeader(poNumbers);

/** A results row at `line` in this version's columns. */
function row(
  line: number,
  status: string,
  httpStatus: string,
  id: string,
  value = `PO-${line}`,
): PreviousRow {
  const named: Record<string, string> = {
    line: String(line),
    customerId: 'c',
    subscriptionId: 's',
    poNumber: value,
    status,
    httpStatus,
    attempts: '1',
    correlationId: id,
  };
  const cells = header.map((name) => named[name] ?? '');
  return { line, status, httpStatus, correlationId: id, cells };
}

async function resultsFile(file: string, rows: readonly PreviousRow[]): Promise<void> {
  const lines = [header, ...rows.map((r) => r.cells)].map((cells) => `${cells.join(',')}\r\n`);
  await writeFile(file, `\ufeff${lines.join('')}`);
}

describe('heldAt', () => {
  test('the newest source holding the line decides: a success there later failed is not held', () => {
    expect(heldAt([row(2, 'success', '204', 'a'), row(2, 'failed', '503', 'b')], false)).toBeUndefined();
    expect(heldAt([row(2, 'failed', '503', 'a'), row(2, 'success', '204', 'b')], false)).toMatchObject({
      status: 'success',
      origin: 1,
    });
  });

  test('a success copied into later partial files was applied by the oldest source with its correlation id', () => {
    const applied = row(2, 'success', '204', 'a');
    expect(heldAt([applied, applied, undefined], false)).toMatchObject({ origin: 0, attempts: 1 });
    expect(heldAt([row(2, 'failed', '500', 'x'), applied, applied], false)).toMatchObject({ origin: 1 });
  });

  test('a line no source holds, or whose last outcome may change, is processed anew', () => {
    expect(heldAt([undefined, undefined], false)).toBeUndefined();
    for (const [status, http] of [
      ['failed', '500'],
      ['failed', '429'],
      ['failed', ''],
      ['not_attempted', ''],
      ['invalid', ''],
    ] as const) {
      expect(heldAt([row(2, status, http, '')], false)).toBeUndefined();
    }
  });

  test('a refusal for good (400, 403, 404) is held as failed, unless it is to be retried', () => {
    for (const http of ['400', '403', '404']) {
      expect(heldAt([row(2, 'failed', http, 'r')], false)).toMatchObject({ status: 'failed', attempts: 1 });
      expect(heldAt([row(2, 'failed', http, 'r')], true)).toBeUndefined();
    }
  });
});

describe('KeptRows', () => {
  test('reads <out> and its partial files together, line by line', async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'out.csv');
    const applied = row(3, 'success', '204', 'id-3');
    await resultsFile(out, [row(2, 'failed', '503', 'id-2'), applied, row(4, 'failed', '400', 'id-4')]);
    await resultsFile(`${out}.partial-1`, [row(2, 'success', '204', 'id-2b'), applied]);
    const plan = await planResume(out);
    expect(plan?.sources).toEqual([out, `${out}.partial-1`]);
    const kept = new KeptRows(plan!, header, 'in.csv');
    expect(await kept.find(2, ['c', 's', 'PO-2'])).toMatchObject({ status: 'success', origin: 1 });
    expect(await kept.find(3, ['c', 's', 'PO-3'])).toMatchObject({ status: 'success', origin: 0 });
    expect(await kept.find(4, ['c', 's', 'PO-4'])).toMatchObject({ status: 'failed' });
    await kept.finish();
    expect([kept.kept, kept.refused]).toEqual([2, 1]);
    await kept.close();
  });

  test('a refused row whose cells were corrected is sent again, not held', async () => {
    const out = path.join(await tempDir(), 'out.csv');
    await resultsFile(out, [row(2, 'failed', '400', 'id-2', 'bad <po>')]);
    const kept = new KeptRows((await planResume(out))!, header, 'in.csv');
    expect(await kept.find(2, ['c', 's', 'PO-2'])).toBeUndefined();
    expect(kept.refused).toBe(0);
    await kept.close();
  });

  test('with retryFailed, rows refused for good are sent again', async () => {
    const out = path.join(await tempDir(), 'out.csv');
    await resultsFile(out, [row(2, 'failed', '404', 'id-2')]);
    const kept = new KeptRows((await planResume(out))!, header, 'in.csv', { retryFailed: true });
    expect(await kept.find(2, ['c', 's', 'PO-2'])).toBeUndefined();
    await kept.close();
  });
});

describe('planResume', () => {
  test('partial files are read in the order they were written: partial-10 after partial-9', async () => {
    const out = path.join(await tempDir(), 'out.csv');
    for (const n of [10, 9, 1]) await resultsFile(`${out}.partial-${n}`, []);
    const plan = await planResume(out);
    expect(plan?.sources).toEqual([1, 9, 10].map((n) => `${out}.partial-${n}`));
    expect(plan?.partial).toBe(`${out}.partial-11`);
  });
});

describe('finishedRun', () => {
  test('one file ending at a whole row with no row left not attempted is a finished run', async () => {
    const out = path.join(await tempDir(), 'out.csv');
    await resultsFile(out, [row(2, 'success', '204', 'a'), row(3, 'failed', '500', 'b')]);
    expect(await finishedRun((await planResume(out))!, header)).toBe(true);
  });

  test('a stop (rows not attempted), a partial file or a torn last row is not', async () => {
    const dir = await tempDir();
    const stopped = path.join(dir, 'stopped.csv');
    await resultsFile(stopped, [row(2, 'success', '204', 'a'), row(3, 'not_attempted', '', '')]);
    expect(await finishedRun((await planResume(stopped))!, header)).toBe(false);
    const resumed = path.join(dir, 'resumed.csv');
    await resultsFile(resumed, [row(2, 'success', '204', 'a')]);
    await resultsFile(`${resumed}.partial-1`, []);
    expect(await finishedRun((await planResume(resumed))!, header)).toBe(false);
    const torn = path.join(dir, 'torn.csv');
    await resultsFile(torn, [row(2, 'success', '204', 'a')]);
    await writeFile(torn, (await readFile(torn, 'utf8')).slice(0, -5));
    expect(await finishedRun((await planResume(torn))!, header)).toBe(false);
  });
});

describe('keepBeside', () => {
  test('moves the results to a name with the time in it, never over another file', async () => {
    const dir = await tempDir();
    const out = path.join(dir, 'orders.results.csv');
    const moved: string[] = [];
    for (const content of ['first', 'second', 'third']) {
      await writeFile(out, content);
      moved.push(await keepBeside(out));
    }
    expect(moved[0]).toMatch(/orders\.results\.\d{8}-\d{6}\.csv$/);
    expect(new Set(moved).size).toBe(3);
    expect(await Promise.all(moved.map((m) => readFile(m, 'utf8')))).toEqual(['first', 'second', 'third']);
    expect((await readdir(dir)).sort()).toEqual(moved.map((m) => path.basename(m)).sort());
  });
});
