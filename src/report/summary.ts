/**
 * The end of a run in numbers and in one paragraph, and the exit code those numbers mean.
 */
import os from 'node:os';
import type { KindName } from '../kinds.js';
import { ROW_STATUSES, type RowStatus, type UnrecordedRow } from '../result.js';
import { plural } from './plural.js';

/** What stopped a run part-way. */
export type StopCause = 'auth' | 'max-failures' | 'signal' | 'output' | 'input' | 'hopeless' | 'outage';

/** What a run did. */
export interface RunSummary {
  readonly kind: KindName;
  readonly exitCode: number;
  readonly counts: Readonly<Record<RowStatus, number>>;
  readonly rows: number;
  /** Rows sent to the API by this run (rows kept from an earlier run not counted); a read counts. */
  readonly sent: number;
  /** Rows this run changed (`success` sent now), or in a plan would change (`change`). */
  readonly changed: number;
  /** Rows already at their value (`--plan`, `--skip-unchanged`): nothing written. */
  readonly unchanged: number;
  /** Rows answered 204 whose value the read-back did not find (`--verify`). */
  readonly notApplied: number;
  readonly durationMs: number;
  readonly rowsPerSecond: number;
  readonly retries: number;
  readonly throttle: ThrottleSummary;
  readonly latency: LatencySummary;
  readonly resultsPath: string;
  readonly stoppedBecause: string | undefined;
  readonly stopCause: StopCause | undefined;
  /** Rows sent whose results the results file could not take (a full disk): `--resume` sends them again. */
  readonly unrecorded: readonly UnrecordedRow[];
  /** The summary for a person. */
  readonly text: string;
}

/** How often the API asked us to slow down. */
export interface ThrottleSummary {
  readonly signals: number;
  readonly cuts: number;
  readonly lowestRate: number | undefined;
}

/** Row latency quantiles in milliseconds; undefined when no row was sent. */
export interface LatencySummary {
  readonly p50: number | undefined;
  readonly p95: number | undefined;
}

/** What `summarise` needs. */
export interface SummaryInput {
  readonly kind: KindName;
  readonly counts: Readonly<Record<RowStatus, number>>;
  readonly rows: number;
  /** Rows kept from an earlier run (`--resume`) as `success`, not sent again. */
  readonly kept: number;
  /** Rows kept from an earlier run as `failed`: the API refused them for good. @default 0 */
  readonly keptRefused?: number;
  readonly durationMs: number;
  readonly retries: number;
  /** 429/503 answers seen, times the pace was cut, and the lowest rate it was cut to. */
  readonly throttle: ThrottleSummary;
  /** Row latency (all attempts of a row) in milliseconds. */
  readonly latency: LatencySummary;
  readonly resultsPath: string;
  readonly dryRun: boolean;
  /** Rows sent that are not in the results file. @default [] */
  readonly unrecorded?: readonly UnrecordedRow[];
  /** A plan (`--plan`): reads only, no PATCH. @default false */
  readonly plan?: boolean;
  /** Rows failed as `NotApplied` (`--verify`). @default 0 */
  readonly notApplied?: number;
  /** Sentences to add before the results path (the final read-back of `--verify`, for one). */
  readonly notes?: readonly string[];
  readonly stop:
    { readonly cause: StopCause; readonly reason: string; readonly exitCode: number } | undefined;
}

/**
 * The exit code of a run stopped by `signal` (a name, e.g. `SIGTERM`): 128 + the signal's number,
 * as a shell reports a process it killed: SIGHUP 129, SIGINT 130, SIGTERM 143.
 */
export function interruptExitCode(signal: string): number {
  const number = (os.constants.signals as Record<string, number | undefined>)[signal];
  return 128 + (number ?? os.constants.signals.SIGINT);
}

/** The exit code of a run that got as far as sending (contract: 0, 1, 3, 129, 130, 143). */
export function exitCodeFor(input: Pick<SummaryInput, 'counts' | 'stop'>): number {
  if (input.stop) return input.stop.exitCode;
  return input.counts.failed + input.counts.invalid > 0 ? 1 : 0;
}

function latencyText(latency: LatencySummary): string {
  if (latency.p50 === undefined || latency.p95 === undefined) return '';
  return `, latency p50 ${Math.round(latency.p50)} ms, p95 ${Math.round(latency.p95)} ms`;
}

/** What a resume kept, in brackets after the counts, or nothing. */
function keptText(success: number, refused: number): string {
  const kept = [
    ...(success > 0 ? [`${success} success`] : []),
    ...(refused > 0 ? [`${refused} failed (refused for good)`] : []),
  ];
  return kept.length > 0 ? ` (${kept.join(', ')} kept from the earlier run)` : '';
}

/** The rows sent but not in the results file, by line, or nothing. */
export function unrecordedText(rows: readonly UnrecordedRow[]): string {
  if (rows.length === 0) return '';
  return (
    ` ${plural(rows.length, 'row')} sent but not written to the results file (lines ` +
    `${rows.map((r) => r.line).join(', ')}; their correlation ids are in the log): --resume sends them again.`
  );
}

/** Put a run's numbers together. */
export function summarise(input: SummaryInput): RunSummary {
  const { counts } = input;
  const seconds = input.durationMs / 1000;
  const refused = input.keptRefused ?? 0;
  const sent = counts.success - input.kept + counts.failed - refused + counts.change + counts.unchanged;
  const rowsPerSecond = seconds > 0 ? sent / seconds : 0;
  const notApplied = input.notApplied ?? 0;
  const parts = ROW_STATUSES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  const text =
    `${input.dryRun ? 'Dry run: ' : input.plan ? 'Plan: ' : ''}${plural(input.rows, 'row')}: ${parts.join(', ') || 'nothing to do'}` +
    keptText(input.kept, refused) +
    ` in ${seconds.toFixed(1)} s${sent > 0 ? ` (${rowsPerSecond.toFixed(1)} rows/s, ${plural(input.retries, 'retry', 'retries')}${latencyText(input.latency)})` : ''}.` +
    (input.throttle.signals > 0
      ? ` Throttled: ${plural(input.throttle.signals, 'answer')} of 429/503, pace cut ${plural(input.throttle.cuts, 'time')}` +
        `${input.throttle.lowestRate === undefined ? '' : ` (lowest ${input.throttle.lowestRate.toFixed(1)} requests/s)`}.`
      : '') +
    (notApplied > 0 ? ` ${plural(notApplied, 'row')} answered 204 but not applied (NotApplied).` : '') +
    (input.notes ?? []).map((note) => ` ${note}`).join('') +
    `${input.stop ? ` Stopped early: ${input.stop.reason}.` : ''}${unrecordedText(input.unrecorded ?? [])} Results: ${input.resultsPath}`;
  return {
    kind: input.kind,
    exitCode: exitCodeFor(input),
    counts,
    rows: input.rows,
    sent,
    changed: input.plan ? counts.change : counts.success - input.kept,
    unchanged: counts.unchanged,
    notApplied,
    durationMs: input.durationMs,
    rowsPerSecond,
    retries: input.retries,
    throttle: input.throttle,
    latency: input.latency,
    resultsPath: input.resultsPath,
    stoppedBecause: input.stop?.reason,
    stopCause: input.stop?.cause,
    unrecorded: input.unrecorded ?? [],
    text,
  };
}

/** The summary as written by `--summary-json`, for monitoring. */
export interface SummaryRecord {
  readonly exitCode: number;
  readonly finishedAt: string;
  readonly input?: string;
  readonly kind?: string;
  readonly counts?: Readonly<Record<RowStatus, number>>;
  readonly rows?: number;
  /** Rows changed by the run (in a plan: that would change). */
  readonly changed?: number;
  /** Rows already at their value: nothing written. */
  readonly unchanged?: number;
  /** Rows answered 204 whose value did not land (`--verify`). */
  readonly notApplied?: number;
  readonly durationSeconds?: number;
  readonly rowsPerSecond?: number;
  readonly retries?: number;
  readonly throttle?: ThrottleSummary;
  readonly latencyMs?: LatencySummary;
  readonly resultsPath?: string;
  readonly stoppedBecause?: string;
  /** Rows sent whose results are not in the results file (it could not be written). */
  readonly unrecorded?: readonly UnrecordedRow[];
  /** For a run that could not start (exit 2): why. */
  readonly error?: string;
}

/** A finished run as a `SummaryRecord`. */
export function summaryRecord(summary: RunSummary, input: string): SummaryRecord {
  return {
    exitCode: summary.exitCode,
    finishedAt: new Date().toISOString(),
    input,
    kind: summary.kind,
    counts: summary.counts,
    rows: summary.rows,
    changed: summary.changed,
    unchanged: summary.unchanged,
    notApplied: summary.notApplied,
    durationSeconds: Math.round(summary.durationMs) / 1000,
    rowsPerSecond: Math.round(summary.rowsPerSecond * 10) / 10,
    retries: summary.retries,
    throttle: summary.throttle,
    latencyMs: summary.latency,
    resultsPath: summary.resultsPath,
    stoppedBecause: summary.stoppedBecause,
    unrecorded: summary.unrecorded.length > 0 ? summary.unrecorded : undefined,
  };
}
