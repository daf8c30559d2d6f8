/**
 * Upload and check on the page's server: the upload streams to disk under a name of our own, the
 * size limit is answered with a clear message, the check says what the preflight found, the table
 * pages through the rows, a workbook's sheets can be chosen, and the rows to fix come back in the
 * file's own columns.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { displayName } from '../../src/server/routes-uploads.js';
import type { TablePage } from '../../src/server/rows-table.js';
import { workbookRows } from '../helpers/zip.js';
import { tempDir } from '../helpers/files.js';
import { setUp, type Setup } from './server-setup.js';

const SAMPLES = path.resolve('samples');
let setup: Setup;
beforeAll(async () => {
  setup = await setUp({ maxUploadMb: 1 });
});
afterAll(async () => {
  await setup.close();
});

/** Every file and folder under `dir`, relative to it. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

describe('the check', () => {
  test('a CSV: its kind, encoding, delimiter and counts, as the preflight finds them', async () => {
    const answer = await setup.client.upload(
      'po-numbers.csv',
      await readFile(path.join(SAMPLES, 'po-numbers.csv')),
    );
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      name: 'po-numbers.csv',
      kind: 'po-numbers',
      rows: 19,
      valid: 14,
      invalid: 5,
      container: 'csv',
      encoding: 'utf-8',
      delimiter: 'comma',
      sheets: [],
    });
  });

  test('a semicolon Windows-1252 file is told as such, with the warning that the encoding was guessed', async () => {
    const bytes = await readFile(path.join(SAMPLES, 'po-numbers-excel-windows-1252.csv'));
    const report = (await (await setup.client.upload('excel.csv', bytes)).json()) as Record<string, unknown>;
    expect(report).toMatchObject({ encoding: 'windows-1252', delimiter: 'semicolon' });
    expect(JSON.stringify(report.warnings)).toMatch(/excel\.csv/);
  });

  test('the table pages through the invalid rows (or all rows), and the rows to fix keep the file’s columns', async () => {
    const report = (await (
      await setup.client.upload('po-numbers.csv', await readFile(path.join(SAMPLES, 'po-numbers.csv')))
    ).json()) as { id: string };
    const page = (await (
      await setup.client.get(`/api/uploads/${report.id}/rows?offset=2&limit=2`)
    ).json()) as TablePage;
    expect(page).toMatchObject({ columns: ['customerId', 'subscriptionId', 'poNumber'], total: 5 });
    expect(page.rows.map((r: { line: number }) => r.line)).toEqual([19, 20]);
    expect(page.rows[0]).toMatchObject({ status: 'invalid', columns: 'poNumber' });
    const all = (await (
      await setup.client.get(`/api/uploads/${report.id}/rows?only=all&limit=200`)
    ).json()) as TablePage;
    expect(all.total).toBe(19);
    const fix = await setup.client.get(`/api/uploads/${report.id}/to-fix.xlsx`);
    expect(fix.headers.get('content-disposition')).toContain('po-numbers.to-fix.xlsx');
    const [header, ...rows] = (await workbookRows(Buffer.from(await fix.arrayBuffer()))).ours;
    expect(header).toEqual([
      'Customer ID',
      'Subscription ID',
      'PO Number',
      'Customer name (ignored)',
      'Comment (ignored)',
    ]);
    expect(rows).toHaveLength(5);
  });

  test('the rows to fix, uploaded again, hold every value as it was: none gains a formula guard', async () => {
    // Row 2 is invalid (its customer is no UUID); its PO number and note start with characters a
    // CSV for Excel must guard with a `'`, which then came back with the upload (`'-PO-1`).
    const subscription = randomUUID();
    const content =
      'Customer ID,Subscription ID,PO Number,Note\r\n' +
      `not-a-uuid,${subscription},-PO-1,=not a formula\r\n` +
      `${randomUUID()},${randomUUID()},PO-2,fine\r\n`;
    const toFix = async (id: string) =>
      Buffer.from(await (await setup.client.get(`/api/uploads/${id}/to-fix.xlsx`)).arrayBuffer());
    const first = (await (await setup.client.upload('orders.csv', Buffer.from(content))).json()) as {
      id: string;
    };
    const fixed = await toFix(first.id);
    const again = (await (await setup.client.upload('orders.to-fix.xlsx', fixed)).json()) as {
      id: string;
      rows: number;
      invalid: number;
    };
    expect(again).toMatchObject({ rows: 1, invalid: 1 });
    // What the second upload read is what the first file held: its own rows to fix are the same.
    const expected = [
      ['Customer ID', 'Subscription ID', 'PO Number', 'Note'],
      ['not-a-uuid', subscription, '-PO-1', '=not a formula'],
    ];
    expect((await workbookRows(fixed)).ours).toEqual(expected);
    expect((await workbookRows(await toFix(again.id))).ours).toEqual(expected);
  });

  test('a workbook with several sheets offers them, and checking another sheet reads that one', async () => {
    const book = new ExcelJS.Workbook();
    book.addWorksheet('Notes').addRows([['nothing here'], ['at all']]);
    const changes = book.addWorksheet('Changes');
    changes.addRows([
      ['Customer ID', 'Subscription ID', 'PO Number'],
      [randomUUID(), randomUUID(), 'PO-1'],
    ]);
    const file = path.join(await tempDir(), 'book.xlsx');
    await book.xlsx.writeFile(file);
    const first = await setup.client.upload('book.xlsx', await readFile(file));
    // The first sheet has no header the program knows: refused, naming the file, offering the sheets.
    expect(first.status).toBe(422);
    const refused = (await first.json()) as { error: string; id: string; sheets: string[] };
    expect(refused.error).toMatch(/^book\.xlsx/);
    expect(refused.sheets).toEqual(['Notes', 'Changes']);
    const second = await setup.client.post(`/api/uploads/${refused.id}/sheet`, { sheet: 'Changes' });
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({
      rows: 1,
      valid: 1,
      sheet: 'Changes',
      sheets: ['Notes', 'Changes'],
    });
  });

  test('a malformed file is refused with its own name, line and what to do; no folder of ours shows', async () => {
    const answer = await setup.client.upload('broken.csv', 'customerId,subscriptionId,poNumber\n"a,b,c\n');
    expect(answer.status).toBe(422);
    const { error } = (await answer.json()) as { error: string };
    expect(error).toMatch(/^broken\.csv, line 2/);
    expect(error).not.toContain(setup.dataDir);
    expect(error).not.toContain('jobs');
  });
});

describe('uploads on disk', () => {
  test('a file over the limit is refused with the limit and what to do, and nothing of it is kept', async () => {
    const jobs = path.join(setup.dataDir, 'jobs');
    const before = await readdir(jobs);
    const big =
      'customerId,subscriptionId,poNumber\n' + `${randomUUID()},${randomUUID()},PO-1\n`.repeat(20_000);
    const answer = await setup.client.upload('big.csv', big);
    expect(answer.status).toBe(413);
    expect(((await answer.json()) as { error: string }).error).toMatch(
      /big\.csv is larger than the limit of 1 MB/,
    );
    expect(await readdir(jobs)).toEqual(before);
  });

  test('a file name with folders in it never becomes a path: the upload is stored under our own name', async () => {
    const line = `customerId,subscriptionId,poNumber\n${randomUUID()},${randomUUID()},PO-1\n`;
    const answer = await setup.client.upload('../../../../tmp/evil\\..\\x.csv', line);
    expect(answer.status).toBe(200);
    const report = (await answer.json()) as { id: string; name: string };
    expect(report.name).toBe('x.csv');
    // Only names of our own; the check's table (check.results.csv) may still be being written.
    const files = await tree(path.join(setup.dataDir, 'jobs', report.id));
    expect(files).toContain('input.csv');
    expect(
      files.filter((f) => !['input.csv', 'check.results.csv', 'check.results.csv.lock'].includes(f)),
    ).toEqual([]);
    expect(await tree(setup.dataDir)).not.toContainEqual(expect.stringMatching(/evil|(^|\/)x\.csv$/));
  });

  test('a name as the page shows it has no folder, no control character, and is never empty', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (given) => {
        const shown = displayName(given);
        // eslint-disable-next-line no-control-regex
        expect(shown).not.toMatch(/[/\\\u0000-\u001f\u007f]/);
        expect(shown.length).toBeGreaterThan(0);
        expect(shown.length).toBeLessThanOrEqual(200);
      }),
    );
  });
});
