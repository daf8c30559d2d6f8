import { describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { OutputError } from '../../src/errors.js';
import { internalIdentifiers, poNumbers } from '../../src/kinds.js';
import { OrderedOutput } from '../../src/results/ordered-output.js';
import { flattenErrors, type ResultLine } from '../../src/result.js';
import {
  FLUSH_INTERVAL_MS,
  ResultsWriter,
  carriedNames,
  neutralise,
  resultCells,
  resultsHeader,
} from '../../src/results/results-writer.js';
import { tempDir } from '../helpers/files.js';

const row = (line: number, value: string): ResultLine => ({
  line,
  cells: ['c', 's', value],
  extras: [],
  result: { status: 'success', httpStatus: 204, attempts: 1, correlationId: 'id' },
});

describe('results file', () => {
  test('previousValue follows errorDetails: the value read, empty when cleared or not read, never a formula', () => {
    const header = resultsHeader(poNumbers);
    expect(header.slice(-2)).toEqual(['errorDetails', 'previousValue']);
    const at = header.indexOf('previousValue');
    const withPrevious = (previousValue: string | null | undefined) =>
      resultCells({ ...row(2, 'PO-2'), result: { status: 'unchanged', attempts: 1, previousValue } })[at];
    expect(withPrevious('PO-1')).toBe('PO-1');
    expect(withPrevious(null)).toBe('');
    expect(withPrevious(undefined)).toBe('');
    expect(withPrevious('=cmd()')).toBe("'=cmd()");
  });

  test('cells a spreadsheet would run as formulas are neutralised, others untouched', () => {
    for (const danger of ['=1+1', '+1', '-2', '@SUM(A1)', '\tx', '\rx'])
      expect(neutralise(danger)).toBe(`'${danger}`);
    for (const safe of ['PO-1', '0042', ' =x', 'a=b', '']) expect(neutralise(safe)).toBe(safe);
    const cells = resultCells({
      ...row(2, '=HYPERLINK("x")'),
      result: { status: 'failed', attempts: 1, errorDescription: '-bad' },
    });
    expect(cells[3]).toBe(`'=HYPERLINK("x")`);
    expect(cells[9]).toBe("'-bad");
  });

  test('has the contract columns in order, a BOM, CRLF lines, and values that round-trip', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'r.csv');
    const writer = await ResultsWriter.create(file, resultsHeader(poNumbers), { overwrite: false });
    await writer.write(row(2, '0042, "quoted"\nnext line é'));
    await writer.close();
    const text = await readFile(file, 'utf8');
    expect(
      text.startsWith(
        '\ufeffline,customerId,subscriptionId,poNumber,status,httpStatus,attempts,correlationId,errorType,errorDescription,errorDetails,previousValue\r\n',
      ),
    ).toBe(true);
    const records = parse(text, { bom: true }) as string[][];
    expect(records[1]?.[3]).toBe('0042, "quoted"\nnext line é');
  });

  test("the input's extra column names carried into the header are neutralised like cells", () => {
    expect(resultsHeader(poNumbers, ['=HYPERLINK("http://x","y")', 'Comment']).slice(-2)).toEqual([
      `'=HYPERLINK("http://x","y")`,
      'Comment',
    ]);
  });

  test('a carried column named like a column of the results file gets the input: prefix', () => {
    const header = resultsHeader(poNumbers, ['status', 'Line', 'Correlation ID', 'HTTP_status', 'note']);
    expect(header.slice(-5)).toEqual([
      'input:status',
      'input:Line',
      'input:Correlation ID',
      'input:HTTP_status',
      'note',
    ]);
    expect(new Set(header.map((n) => n.toLowerCase())).size).toBe(header.length);
    // Against every column of the file, the other kind's value column is no clash.
    expect(carriedNames(internalIdentifiers, ['errorType', 'poNumber'])).toEqual([
      'input:errorType',
      'poNumber',
    ]);
  });

  test('the prefixed name never clashes either: the prefix is repeated until it is free', () => {
    expect(carriedNames(poNumbers, ['status', 'input:status', 'Input: Status'])).toEqual([
      'input:input:status',
      'input:status',
      'Input: Status',
    ]);
    expect(carriedNames(poNumbers, ['attempts', 'input:attempts', 'input:input:attempts'])).toEqual([
      'input:input:input:attempts',
      'input:attempts',
      'input:input:attempts',
    ]);
  });

  test('an existing file is never overwritten without --overwrite', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'r.csv');
    await writeFile(file, 'precious');
    await expect(ResultsWriter.create(file, ['line'], { overwrite: false })).rejects.toThrow(OutputError);
    expect(await readFile(file, 'utf8')).toBe('precious');
    const writer = await ResultsWriter.create(file, ['line'], { overwrite: true });
    await writer.close();
    expect(await readFile(file, 'utf8')).toBe('\ufeffline\r\n');
  });

  test('an existing file: the message offers --resume only for a file --resume can continue', async () => {
    const file = path.join(await tempDir(), 'r.csv');
    await writeFile(file, 'precious');
    await expect(ResultsWriter.create(file, ['line'], { overwrite: false })).rejects.toThrow(
      `The results file ${file} already exists. Choose another --out, add --resume to continue it, or --overwrite to replace it`,
    );
    // A dry run's results: --resume is refused with --dry-run, so it is not suggested.
    await expect(
      ResultsWriter.create(file, ['line'], { overwrite: false, resumable: false }),
    ).rejects.toThrow(
      `The results file ${file} already exists. Choose another --out, or --overwrite to replace it`,
    );
  });

  test('a folder that does not exist is named, with what to do; nothing is created', async () => {
    const file = path.join(await tempDir(), 'missing', 'r.csv');
    await expect(ResultsWriter.create(file, ['line'], { overwrite: false })).rejects.toThrow(
      `Cannot create the results file ${file}: the folder ${path.dirname(file)} does not exist (ENOENT); nothing was sent`,
    );
  });

  test('rows reach the file while the run goes on, not only when it closes', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'r.csv');
    const writer = await ResultsWriter.create(file, resultsHeader(poNumbers), { overwrite: false });
    for (let i = 0; i < 3; i++) writer.write(row(i + 2, `PO-${i}`));
    // Held back for FLUSH_INTERVAL_MS at most, but not timed here: rows that never reach the file
    // before close() keep this polling until the test's time limit fails it.
    let text = '';
    while (!text.includes('PO-2')) {
      await new Promise((resolve) => setTimeout(resolve, FLUSH_INTERVAL_MS));
      text = await readFile(file, 'utf8');
    }
    expect(text).toContain('PO-0');
    expect(text).toContain('PO-2');
    // A big burst is written without waiting for the interval's end, and close() flushes the rest.
    for (let i = 3; i < 3000; i++) writer.write(row(i + 2, `PO-${i}`));
    await writer.close();
    const lines = (parse(await readFile(file, 'utf8'), { bom: true }) as string[][]).slice(1);
    expect(lines).toHaveLength(3000);
    expect(lines.at(-1)?.[3]).toBe('PO-2999');
  });

  test('rows finishing out of order are written in input order', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'r.csv');
    const writer = await ResultsWriter.create(file, resultsHeader(poNumbers), { overwrite: false });
    const output = new OrderedOutput(writer);
    for (const seq of [3, 1, 0, 4, 2]) output.finish(seq, row(seq + 2, `v${seq}`));
    await output.flushed();
    expect(output.written).toBe(5);
    await writer.close();
    const lines = (parse(await readFile(file, 'utf8'), { bom: true }) as string[][])
      .slice(1)
      .map((r) => r[0]);
    expect(lines).toEqual(['2', '3', '4', '5', '6']);
  });

  test("the API's errors[] is flattened as name: first; second | other: …", () => {
    expect(
      flattenErrors([
        { propertyName: 'poNumber', description: ['too long', 'bad chars'] },
        { propertyName: 'customerId', description: ['unknown'] },
      ]),
    ).toBe('poNumber: too long; bad chars | customerId: unknown');
    expect(flattenErrors([{ propertyName: null, description: ['general'] }])).toBe('general');
    expect(flattenErrors(null)).toBeUndefined();
    expect(flattenErrors([])).toBeUndefined();
  });
});

// /dev/full refuses every write with ENOSPC, as a full disk does (Linux; elsewhere skipped).
const onFullDisk = existsSync('/dev/full') ? test : test.skip;

describe('a results file that cannot be written', () => {
  onFullDisk('says so once, then drops rows instead of waiting for a disk that has no room', async () => {
    const file = path.join(await tempDir(), 'r.csv');
    await symlink('/dev/full', file);
    const writer = await ResultsWriter.create(file, resultsHeader(poNumbers), { overwrite: true });
    // Fill the buffers before the failure is known (it comes back from the thread pool), then wait
    // for 'drain', which will never come: the failure must end the wait.
    let i = 0;
    while (writer.write(row(i + 2, `PO-${i}`)) && i < 100_000) i++;
    expect(writer.error).toBeUndefined();
    await writer.drained();
    const error = await writer.failed;
    expect(error).toBeInstanceOf(OutputError);
    expect(error.message).toContain('ENOSPC');
    expect(writer.error).toBe(error);
    // From now on rows are dropped: writing never asks for a pause, and waiting ends at once.
    for (let j = 0; j < 5_000; j++) expect(writer.write(row(j + 2, `PO-${j}`))).toBe(true);
    await writer.drained();
    await writer.close();
    expect(writer.error).toBe(error);
  });

  onFullDisk('a file --resume cannot continue (a dry run) says to run again with --overwrite', async () => {
    const file = path.join(await tempDir(), 'r.csv');
    await symlink('/dev/full', file);
    const writer = await ResultsWriter.create(file, resultsHeader(poNumbers), {
      overwrite: true,
      resumable: false,
    });
    writer.write(row(2, 'PO-1'));
    const error = await writer.failed;
    await writer.close();
    expect(error.message).toContain('ENOSPC');
    expect(error.message).toMatch(/then run it again with --overwrite$/);
    expect(error.message).not.toContain('--resume');
  });
});

describe('a results file that cannot be written', () => {
  test('names every row sent that it does not hold, and drops the rows after the failure', async () => {
    // /dev/full refuses every write with ENOSPC, as a full disk does.
    const writer = await ResultsWriter.create('/dev/full', resultsHeader(poNumbers), { overwrite: true });
    writer.write(row(2, 'PO-0'));
    await writer.failed;
    writer.write(row(3, 'PO-1'));
    writer.write({ ...row(4, 'PO-2'), raw: ['copied from earlier results'] });
    await writer.close();
    expect(writer.error?.message).toContain('the results file cannot be written (ENOSPC');
    expect(writer.unrecorded().map((r) => r.line)).toEqual([2, 3]);
  });

  test('a file that works has no unrecorded rows', async () => {
    const file = path.join(await tempDir(), 'r.csv');
    const writer = await ResultsWriter.create(file, resultsHeader(poNumbers), { overwrite: false });
    writer.write(row(2, 'PO-0'));
    await writer.close();
    expect(writer.unrecorded()).toEqual([]);
  });
});
