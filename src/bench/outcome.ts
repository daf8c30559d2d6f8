/**
 * What a scenario measured and how it is judged: the table row, its checks, and the helpers that
 * read the simulator's per-second counts.
 */
import type { SimulatorStats } from '../simulator/admin.js';
import type { BenchContext, CliRun } from './runs.js';
import type { Measured } from './measure.js';

/** One figure a scenario is judged by. */
export interface Check {
  /** e.g. "efficiency 96.1% >= 95%". */
  readonly label: string;
  readonly passed: boolean;
}

/**
 * One figure of the table: what was measured, the reference it is a ratio to (measured in
 * the same run, on the same machine, never typed in), and the mark that ratio must reach.
 */
export interface Figure {
  /** The figure's number in the table, e.g. `1a`. */
  readonly id: string;
  /** What is measured, e.g. "steady pace, 50 ms answers, 16 in flight". */
  readonly what: string;
  /** The measured value with its unit, e.g. "309.2 rows/s". */
  readonly measured: string;
  /** The reference and how it was measured, e.g. "bare got loop 311.0 rows/s". */
  readonly reference: string;
  /** The measured value against the reference, e.g. "99.4%". */
  readonly ratio: string;
  /** What the ratio must reach, e.g. ">= 98%". */
  readonly mark: string;
  readonly passed: boolean;
}

/** What a scenario measured, as shown in the table and results.json. */
export interface Outcome {
  readonly id: number;
  readonly name: string;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  /** The rows/s the figure is measured against, when the figure is a rate. */
  readonly limitRowsPerSecond: number | undefined;
  readonly efficiencyPercent: number | undefined;
  readonly peakRssMb: number;
  readonly cpuMsPerRow: number;
  /** The most CPU other processes used during any of the scenario's runs, in % of one core. */
  readonly otherCpuPercent: number;
  readonly passed: boolean;
  readonly checks: readonly Check[];
  /** Anything else worth keeping: simulator counters, the reference run, exit codes. */
  readonly details: Record<string, unknown>;
  /** The figures this scenario is judged by; a scenario without shows its checks instead. */
  readonly figures?: readonly Figure[];
}

/** A scenario: its number (for --only), its name, and how to run it. */
export interface Scenario {
  readonly id: number;
  readonly name: string;
  /** One table row, or several (the adaptive scenario has one per limit). */
  run(ctx: BenchContext): Promise<Outcome | Outcome[]>;
}

// On two cores, another process using more than this of one core visibly moves the figures.
const NOISY_PERCENT = 10;

/** A percentage as the table shows it. */
export const pct = (value: number) => `${value.toFixed(1)}%`;
/** A figure as the table shows it. */
export const num = (value: number) => value.toFixed(1);

/** A figure, passed when `ratio` (a percentage) is within [`min`, `max`]. */
export function figure(
  parts: Omit<Figure, 'ratio' | 'passed' | 'mark'>,
  ratio: number,
  min: number,
  max = Number.POSITIVE_INFINITY,
): Figure {
  const mark = !Number.isFinite(max) ? `>= ${min}%` : min === 0 ? `<= ${max}%` : `${min}..${max}%`;
  const passed = Number.isFinite(ratio) && ratio >= min && ratio <= max;
  return { ...parts, ratio: pct(ratio), mark, passed };
}

/** A figure the run's problem (exit code, rows not all ok) fails whatever it measured. */
export function unless(problem: string | undefined, f: Figure): Figure {
  return problem === undefined ? f : { ...f, passed: false, measured: `${f.measured} (${problem})` };
}

/**
 * Rows per second from the server's first PATCH to its last answer: the pace once started, start-up
 * left out. The ready token's check (a GET) goes out before the first row, so it counts as start-up.
 */
export function steadyPace(stats: SimulatorStats | undefined, rows: number): number {
  const first = stats?.firstArrivalAt.PATCH;
  if (stats === undefined || first === undefined || stats.lastAnswerAt <= first) return 0;
  return rows / ((stats.lastAnswerAt - first) / 1000);
}

/** Seconds from the spawn of `measured` to the server's first PATCH (NaN if none arrived). */
export function startup(measured: Measured, stats: SimulatorStats | undefined): number {
  const first = stats?.firstArrivalAt.PATCH;
  return first === undefined ? Number.NaN : (first - measured.startedAt) / 1000;
}

/** Requests per wall-clock second, in time order (the simulator keys them by epoch second). */
export function perSecond(run: CliRun): number[] {
  const seconds = Object.entries(run.stats?.perSecond ?? {}).sort(([a], [b]) => Number(a) - Number(b));
  return seconds.map(([, count]) => count);
}

// The median of the whole seconds in the middle of a run: the pace once started, without the
// partial first and last second, so a gap to the limit can be told apart from startup cost.
function steadyRate(run: CliRun): number | undefined {
  const middle = perSecond(run)
    .slice(1, -1)
    .sort((a, b) => a - b);
  return middle.length === 0 ? undefined : middle[Math.floor(middle.length / 2)];
}

/** A check that is shown, not judged: where the time went when a figure is missed. */
export function pace(run: CliRun, limit: number): Check[] {
  const steady = steadyRate(run);
  if (steady === undefined) return [];
  const rest = run.measured.seconds - run.load.rows / steady;
  const label = `(steady ${steady} requests/s = ${pct((steady / limit) * 100)}; startup and tail ~${num(rest)} s)`;
  return [{ label, passed: true }];
}

/** The simulator's counters, with the per-second map as a plain list. */
function brief(run: CliRun): Record<string, unknown> | undefined {
  if (!run.stats) return undefined;
  return { ...run.stats, perSecond: perSecond(run) };
}

/** The table row of one scenario from its run, its figure's limit and checks. */
export function outcome(
  scenario: Scenario,
  run: CliRun,
  limit: number | undefined,
  checks: Check[],
  details: Record<string, unknown> = {},
  alongside: readonly Measured[] = [],
  figures?: readonly Figure[],
): Outcome {
  // A run whose rows did not all succeed fails whatever its speed: fast failures prove nothing.
  const all: Check[] = [
    ...checks,
    { label: run.problem ?? `all ${run.load.rows} rows ok`, passed: !run.problem },
  ];
  const other = Math.max(run.measured.otherCpuPercent, ...alongside.map((m) => m.otherCpuPercent));
  if (other > NOISY_PERCENT) {
    all.push({ label: `(other processes used ${other.toFixed(0)}% of a core: noisy, rerun)`, passed: true });
  }
  return {
    id: scenario.id,
    name: scenario.name,
    rows: run.load.rows,
    seconds: run.measured.seconds,
    rowsPerSecond: run.rowsPerSecond,
    limitRowsPerSecond: limit,
    efficiencyPercent: limit === undefined ? undefined : (run.rowsPerSecond / limit) * 100,
    peakRssMb: run.measured.peakRssMb,
    cpuMsPerRow: run.measured.cpuMs / run.load.rows,
    otherCpuPercent: other,
    passed: all.every((c) => c.passed) && (figures ?? []).every((f) => f.passed),
    checks: all,
    ...(figures === undefined ? {} : { figures }),
    details: {
      load: run.load,
      exitCode: run.measured.code,
      statuses: run.statuses.byStatus,
      simulator: brief(run),
      ...details,
    },
  };
}
