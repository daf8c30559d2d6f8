/**
 * Before a resumed run sends anything: a pass over the input with the earlier results, so that an
 * input that changed since that run is refused. Results written before rows were numbered as Excel
 * numbers them (they used the line of the file, and a line break inside a quoted cell moved every
 * later row down by one) would not match either: they are told apart from a changed input and
 * refused with what to do, never matched to the wrong rows.
 */
import { kindCells } from '../input/header.js';
import type { PreflightResult } from '../input/preflight.js';
import { dataRecords, type InputRecord } from '../input/reader.js';
import {
  KeptRows,
  ResumeMismatchError,
  type Held,
  type KeptRowsOptions,
  type ResumePlan,
} from '../results/resume.js';

/**
 * The earlier results number rows by their line in the file, as earlier versions did: the input
 * did not change, so they are refused rather than set aside, even for a finished run.
 */
export class RenumberedResultsError extends ResumeMismatchError {
  constructor(file: string, message: string, line: number) {
    super(file, message, line);
    this.name = 'RenumberedResultsError';
  }
}

/** What the earlier results hold that the resumed run keeps. */
export interface Earlier {
  /** Rows already applied. */
  readonly kept: number;
  /** Rows refused for good (400, 403, 404), kept as they are. */
  readonly refused: number;
}

/** Told each data row and what the earlier results hold for it, in input order. */
export type EarlierRowListener = (record: InputRecord, held: Held | undefined) => void;

/**
 * The rows the earlier results hold (`onRow` is told each one); throws `ResumeMismatchError` if
 * the input changed.
 */
export async function verifyResume(
  plan: ResumePlan,
  file: string,
  displayName: string,
  checked: PreflightResult,
  header: string[],
  options: KeptRowsOptions = {},
  onRow?: EarlierRowListener,
): Promise<Earlier> {
  const byRow = (record: InputRecord): number => record.line;
  try {
    return await matchEarlier(plan, file, displayName, checked, header, byRow, options, onRow);
  } catch (error) {
    if (!(error instanceof ResumeMismatchError)) throw error;
    const byFileLine = (record: InputRecord): number => record.fileLine ?? record.line;
    const numberedByFileLine = await matchEarlier(
      plan,
      file,
      displayName,
      checked,
      header,
      byFileLine,
      options,
    ).then(
      () => true,
      () => false,
    );
    if (!numberedByFileLine) throw error;
    throw new RenumberedResultsError(
      displayName,
      `${plan.sources.join(' and ')} ${plan.sources.length === 1 ? 'numbers' : 'number'} rows by their line ` +
        'in the file, as earlier versions of ' +
        'cloudcockpit-bulk did (rows are now numbered as Excel shows them), so from here on they no longer ' +
        'match. Finish that run with the version that wrote them, or start a new run with another --out',
      error.line ?? 1,
    );
  }
}

/** One pass over the input, finding each data row (numbered by `lineOf`) in the earlier results. */
async function matchEarlier(
  plan: ResumePlan,
  file: string,
  displayName: string,
  checked: PreflightResult,
  header: string[],
  lineOf: (record: InputRecord) => number,
  options: KeptRowsOptions,
  onRow?: EarlierRowListener,
): Promise<Earlier> {
  const kept = new KeptRows(plan, header, displayName, options);
  try {
    for await (const record of dataRecords(file, displayName, checked.format, checked.fingerprint)) {
      const held = await kept.find(lineOf(record), kindCells(checked.header, record.cells));
      onRow?.(record, held);
    }
    await kept.finish();
  } finally {
    await kept.close();
  }
  return { kept: kept.kept, refused: kept.refused };
}
