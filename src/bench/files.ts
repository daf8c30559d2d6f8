/**
 * The benchmark's files: input CSVs of random, distinct subscriptions, and the check of a results
 * file afterwards. Inputs are streamed to disk (a million rows would be a 110 MB string) and kept
 * between runs, since only their size matters, not which ids they hold.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { cp, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import { parse } from 'csv-parse';

/** The input header the CLI's po-numbers command reads. */
export const INPUT_HEADER = 'customerId,subscriptionId,poNumber';

const LINES_PER_CHUNK = 1000;

/** The path of a po-numbers input of `rows` data rows in `dir`, written first if it is not there yet. */
export async function inputFile(dir: string, rows: number): Promise<string> {
  const file = path.join(dir, `po-numbers-${rows}.csv`);
  if (existsSync(file)) return file;
  // Written under a temporary name so an interrupted run never leaves a short file to be reused.
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  out.write(`${INPUT_HEADER}\n`);
  for (let start = 0; start < rows; start += LINES_PER_CHUNK) {
    let chunk = '';
    for (let i = start; i < Math.min(rows, start + LINES_PER_CHUNK); i++) {
      chunk += `${randomUUID()},${randomUUID()},PO-${String(i).padStart(7, '0')}\n`;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  await rename(partial, file);
  return file;
}

/** How many results rows there are, by `status`. */
export interface StatusCount {
  readonly rows: number;
  readonly byStatus: Readonly<Record<string, number>>;
}

/** Reads a results file (BOM, header, one row per input row) and counts its rows by status. */
export async function countStatuses(file: string): Promise<StatusCount> {
  const byStatus: Record<string, number> = {};
  let rows = 0;
  const parser = createReadStream(file).pipe(parse({ bom: true, columns: true }));
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    rows++;
    const status = record.status ?? '(none)';
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }
  return { rows, byStatus };
}

/** "4998 success, 2 failed". */
export function describeStatuses(count: StatusCount): string {
  return Object.entries(count.byStatus)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
}

/** Copies the built program to `<workDir>/dist` and returns that path. */
export async function snapshotDist(dist: string, workDir: string): Promise<string> {
  // Inside the package, so the copy still resolves got, csv-parse… from its node_modules and is ESM.
  const copy = path.join(workDir, 'dist');
  await rm(copy, { recursive: true, force: true });
  await cp(dist, copy, {
    recursive: true,
    filter: (source) => !source.endsWith('.map') && !source.endsWith('.d.ts'),
  });
  return copy;
}
