/** `--summary-json FILE`: the run's summary for monitoring, written whole or not at all. */
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { redactor } from './redact.js';

/** The temporary file `file` is written through; the check before the run writes the same one. */
function temporaryFor(file: string): string {
  return `${file}.${process.pid}.tmp`;
}

/** Write `record` as JSON to `file` (through a temporary file and a rename, so a reader never sees half). */
export async function writeSummaryJson(file: string, record: unknown): Promise<void> {
  const temporary = temporaryFor(file);
  try {
    await writeFile(temporary, `${redactor.redact(JSON.stringify(record, null, 2))}\n`);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Refuse, before anything is sent, a summary file that could not be written at the end: a folder,
 * or a folder that does not exist or cannot be written to. Monitoring should not learn of it from
 * a run whose rows were all sent.
 */
export async function checkSummaryJson(file: string): Promise<void> {
  const refuse = (why: string) =>
    new ConfigError(`Cannot write the summary file ${file} (${why}); nothing was sent`);
  if ((await stat(file).catch(() => undefined))?.isDirectory()) throw refuse('it is a folder');
  const temporary = temporaryFor(file);
  try {
    await writeFile(temporary, '');
  } catch (error) {
    throw refuse((error as NodeJS.ErrnoException).code ?? String(error));
  } finally {
    await rm(temporary, { force: true });
  }
}
