/** Generated input files for tests and the benchmark. */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';

/** One generated row: ids and value as written to the file. */
export interface GeneratedRow {
  readonly customerId: string;
  readonly second: string;
  readonly value: string;
}

/** Write `count` PO-number rows (distinct subscriptions) to `file`; returns the rows. */
export async function writePoNumbers(
  file: string,
  count: number,
  value = (i: number) => `PO-${i}`,
): Promise<GeneratedRow[]> {
  const rows = Array.from({ length: count }, (_, i) => ({
    customerId: randomUUID(),
    second: randomUUID(),
    value: value(i),
  }));
  await writeFile(
    file,
    ['customerId,subscriptionId,poNumber', ...rows.map((r) => `${r.customerId},${r.second},${r.value}`)].join(
      '\n',
    ) + '\n',
  );
  return rows;
}

/** Write `count` internal-identifier rows to `file`; every third one for the CSP relationship (empty resellerId). */
export async function writeInternalIdentifiers(file: string, count: number): Promise<GeneratedRow[]> {
  const rows = Array.from({ length: count }, (_, i) => ({
    customerId: randomUUID(),
    second: i % 3 === 0 ? '' : randomUUID(),
    value: `ERP-${i}`,
  }));
  await writeFile(
    file,
    [
      'customerId,resellerId,internalIdentifier',
      ...rows.map((r) => `${r.customerId},${r.second},${r.value}`),
    ].join('\n') + '\n',
  );
  return rows;
}
