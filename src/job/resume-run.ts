/**
 * The resume's part of a run (`--resume`): find the earlier results of `--out`, check them against
 * the input before anything is sent, say what is kept, and read them again as the rows go by.
 */
import type { Logger } from '../report/logger.js';
import type { Options } from '../options.js';
import { plural } from '../report/plural.js';
import type { PreflightResult } from '../input/preflight.js';
import {
  finishedRun,
  keepBeside,
  KeptRows,
  planResume,
  ResumeMismatchError,
  type ResumePlan,
} from '../results/resume.js';
import { RenumberedResultsError, verifyResume } from './verify-resume.js';
import { KeptCount } from './row-decision.js';

/** The checked input as the resume needs it. */
export interface ResumedInput {
  /** How the input is named in messages. */
  readonly displayName: string;
  readonly checked: PreflightResult;
  /** The columns of the results file this run writes. */
  readonly header: string[];
}

/** What decides whether a finished run's results that no longer match the input are kept beside. */
export interface EarlierRun {
  /** The lock of `--out` was taken over: the earlier run ended without releasing it. */
  readonly crashed: boolean;
  /** Keep a finished run's results beside them and start anew (the inbox sets them aside itself). */
  readonly keepFinished: boolean;
}

/**
 * With --resume, the earlier results to continue, checked against the input; undefined for a
 * fresh run. If the input no longer matches them (`ResumeMismatchError`), a finished run's results
 * are kept beside them and a new run starts (a nightly file with new content); an unfinished
 * run's are refused, as continuing it with another input would leave its rows unaccounted for.
 */
export async function planTheResume(
  options: Options,
  file: string,
  input: ResumedInput,
  logger: Logger,
  earlierRun: EarlierRun,
): Promise<ResumePlan | undefined> {
  const plan = options.resume ? await planResume(options.out) : undefined;
  if (options.resume && !plan) logger.info(`${options.out} does not exist yet: starting a fresh run`);
  if (!plan) return undefined;
  // Counted as the run will decide: a success whose key is applied again before it is sent again.
  const count = new KeptCount(input.checked.header, options);
  const found = await verifyResume(
    plan,
    file,
    input.displayName,
    input.checked,
    input.header,
    { retryFailed: options.retryFailed },
    (record, held) => count.row(record.cells, held),
  ).catch(async (error: unknown) => {
    const finished =
      error instanceof ResumeMismatchError &&
      !(error instanceof RenumberedResultsError) &&
      earlierRun.keepFinished &&
      !earlierRun.crashed &&
      (await finishedRun(plan, input.header));
    if (!finished) throw error;
    const kept = await keepBeside(options.out);
    logger.info(
      `${options.out} holds a finished run of another content of ${input.displayName}: it is kept as ${kept}, ` +
        'and a new run starts',
    );
    return undefined;
  });
  if (found === undefined) return undefined;
  const { kept, refused } = count;
  logger.info(
    `resuming into ${options.out}: ${plural(kept, 'row')} already applied ${kept === 1 ? 'is' : 'are'} kept and not sent again` +
      (refused > 0
        ? `; ${plural(refused, 'row')} the API refused for good (400, 403, 404) ${refused === 1 ? 'keeps its' : 'keep their'} outcome (--retry-failed sends them again)`
        : ''),
  );
  return plan;
}

/** The earlier results of `plan`, to read along the rows of this run (close it when done). */
export function keptRows(plan: ResumePlan, options: Options, input: ResumedInput): KeptRows {
  return new KeptRows(plan, input.header, input.displayName, { retryFailed: options.retryFailed });
}
