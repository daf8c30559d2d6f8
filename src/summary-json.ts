/** `--summary-json FILE`: the run's summary for monitoring, written whole or not at all. */
import { rename, writeFile } from 'node:fs/promises';
import { redactor } from './redact.js';

/** Write `record` as JSON to `file` (through a temporary file and a rename, so a reader never sees half). */
export async function writeSummaryJson(file: string, record: unknown): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${redactor.redact(JSON.stringify(record, null, 2))}\n`);
  await rename(temporary, file);
}
