/**
 * One measured run of the built CLI (or of the bare got loop) against the simulator process, with
 * the simulator set up for it beforehand and its counters read back afterwards.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SimulatorStats } from '../simulator/admin.js';
import type { RateLimitHeaders } from '../simulator/rate-limit.js';
import { countStatuses, describeStatuses, inputFile, snapshotDist, type StatusCount } from './files.js';
import { runMeasured, type Measured } from './measure.js';
import type { BareGotReport } from './bare-got.js';
import { SimulatorProcess } from './simulator-process.js';

/** What the scenarios share: where things are, and the simulator, started on first use. */
export interface BenchContext {
  readonly root: string;
  /** A copy of dist/ taken at start, so a rebuild during the run (npm test builds) cannot break it. */
  readonly dist: string;
  readonly workDir: string;
  readonly quick: boolean;
  simulator(): Promise<SimulatorProcess>;
  /** CLI runs by `loadKey`, so a later scenario can reuse an earlier one as its reference. */
  readonly runs: Map<string, CliRun>;
  /** The Node flags of the bin's launch line (`#!/usr/bin/env -S node …`), so runs measure what users run. */
  readonly launch: readonly string[];
  progress(message: string): void;
}

/** The work asked of the CLI and the server it talks to. */
export interface Load {
  readonly rows: number;
  readonly concurrency: number;
  /** --rate; 0: no limit. */
  readonly rate: number;
  readonly latencyMs: number;
  /** The simulator's rateLimit; 0: unlimited. */
  readonly rateLimit: number;
  /** --dry-run: no simulator, every row should come back `valid`. */
  readonly dryRun?: boolean;
  /** Whether the simulator announces its limit in headers, and how. @default 'none' */
  readonly rateLimitHeaders?: RateLimitHeaders;
}

/** A measured CLI run and what it left behind. */
export interface CliRun {
  readonly load: Load;
  readonly measured: Measured;
  readonly rowsPerSecond: number;
  readonly statuses: StatusCount;
  /** The simulator's counters for this run alone (none for a dry run). */
  readonly stats: SimulatorStats | undefined;
  /** Why the run itself went wrong (exit code, row statuses), or undefined when it did not. */
  readonly problem: string | undefined;
}

/** A context for `root` (the package folder), and how to stop the simulator it may have started. */
export async function createContext(
  root: string,
  quick: boolean,
  progress: (message: string) => void,
): Promise<{ ctx: BenchContext; stop: () => Promise<void> }> {
  const workDir = path.join(root, 'bench', 'work');
  const dist = await snapshotDist(path.join(root, 'dist'), workDir);
  const launch = launchFlags(await readFile(path.join(dist, 'bin.js'), 'utf8'));
  let simulator: Promise<SimulatorProcess> | undefined;
  const ctx: BenchContext = {
    root,
    dist,
    workDir,
    quick,
    simulator: () => (simulator ??= SimulatorProcess.start(dist, root, childEnv())),
    runs: new Map(),
    launch,
    progress,
  };
  const stop = async () => (await simulator?.catch(() => undefined))?.stop();
  return { ctx, stop };
}

/**
 * The Node flags on a script's `#!/usr/bin/env -S node …` line, without the closing `--`: the
 * installed command starts Node with them, so the benchmark does too.
 */
export function launchFlags(script: string): string[] {
  const line = /^#!\S*env -S node(.*)$/m.exec(script.slice(0, script.indexOf('\n')));
  return (line?.[1] ?? '').split(/\s+/).filter((flag) => flag !== '' && flag !== '--');
}

const TENANT = 'portal.cloudcockpit.com';
const TOKEN = 'sim-static-token';

/** The key of a load in `BenchContext.runs`. */
export function loadKey(load: Load): string {
  return JSON.stringify([
    load.rows,
    load.concurrency,
    load.rate,
    load.latencyMs,
    load.rateLimit,
    !!load.dryRun,
    load.rateLimitHeaders ?? 'none',
  ]);
}

// A minimal environment: the parent's proxies, NODE_OPTIONS or CLOUDCOCKPIT_* must not leak into a measurement.
function childEnv(url?: string): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  if (url === undefined) return env;
  return { ...env, CLOUDCOCKPIT_TENANT: TENANT, CLOUDCOCKPIT_BASE_URL: url, CLOUDCOCKPIT_TOKEN: TOKEN };
}

async function prepare(ctx: BenchContext, load: Load): Promise<SimulatorProcess> {
  const simulator = await ctx.simulator();
  await simulator.configure({
    latencyMs: load.latencyMs,
    jitterMs: 0,
    rateLimit: load.rateLimit,
    rateLimitHeaders: load.rateLimitHeaders ?? 'none',
  });
  await simulator.reset();
  return simulator;
}

// The line that says what went wrong: a crash ends with a stack and "Node.js v20…", the CLI with its message.
function errorLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('Node.js v'));
  return lines.findLast((l) => /^(\w*Error\b|cloudcockpit-bulk:)/.test(l)) ?? lines.at(-1) ?? '';
}

/**
 * Runs `node [nodeFlags] dist/bin.js po-numbers …` on an input of `load.rows` rows, or reuses an
 * identical earlier run (never when `nodeFlags`, e.g. --cpu-prof, change what is measured).
 */
export async function runCli(
  ctx: BenchContext,
  load: Load,
  nodeFlags: readonly string[] = [],
): Promise<CliRun> {
  const key = loadKey(load);
  const earlier = nodeFlags.length === 0 ? ctx.runs.get(key) : undefined;
  if (earlier) return earlier;
  const input = await inputFile(ctx.workDir, load.rows);
  const out = path.join(ctx.workDir, `run-${load.rows}${load.dryRun ? '-dry' : ''}.results.csv`);
  const args = [
    ...ctx.launch,
    ...nodeFlags,
    '--',
    path.join(ctx.dist, 'bin.js'),
    'po-numbers',
    input,
    '--out',
    out,
    '--overwrite',
  ];
  args.push('--concurrency', String(load.concurrency), '--rate', String(load.rate), '--no-progress');
  let simulator: SimulatorProcess | undefined;
  if (load.dryRun) args.push('--dry-run');
  else simulator = await prepare(ctx, load);
  const companions = simulator ? [simulator.pid] : [];
  const measured = await runMeasured(args, childEnv(simulator?.url), ctx.root, companions);
  const stats = await simulator?.stats();
  const statuses: StatusCount = await countStatuses(out).catch(() => ({ rows: 0, byStatus: {} }));
  const expected = load.dryRun ? 'valid' : 'success';
  let problem: string | undefined;
  if (measured.code !== 0) {
    problem = `exit ${measured.code ?? measured.signal}: ${errorLine(measured.stderr)}`;
  } else if (statuses.rows !== load.rows || statuses.byStatus[expected] !== load.rows) {
    problem = `${statuses.rows} of ${load.rows} results rows: ${describeStatuses(statuses)}`;
  }
  const run: CliRun = {
    load,
    measured,
    rowsPerSecond: load.rows / measured.seconds,
    statuses,
    stats,
    problem,
  };
  if (nodeFlags.length === 0) ctx.runs.set(key, run);
  return run;
}

/** The bare got loop's run: measured like the CLI, plus its own report. */
export interface BareRun {
  readonly measured: Measured;
  /** The simulator's counters for this run alone. */
  readonly stats: SimulatorStats | undefined;
  /** rows / wall time of the process, like the CLI's figure. */
  readonly rowsPerSecond: number;
  readonly report: BareGotReport | undefined;
  readonly problem: string | undefined;
}

/** Runs `node [nodeFlags] dist/bench/bare-got.js` on the same input the CLI gets for `load`. */
export async function runBareGot(
  ctx: BenchContext,
  load: Load,
  nodeFlags: readonly string[] = [],
): Promise<BareRun> {
  const input = await inputFile(ctx.workDir, load.rows);
  const simulator = await prepare(ctx, load);
  const script = path.join(ctx.dist, 'bench', 'bare-got.js');
  const measured = await runMeasured(
    [...nodeFlags, script, input, String(load.concurrency)],
    childEnv(simulator.url),
    ctx.root,
    [simulator.pid],
  );
  const stats = await simulator.stats();
  let report: BareGotReport | undefined;
  try {
    report = JSON.parse(measured.stdout) as BareGotReport;
  } catch {
    report = undefined;
  }
  const problem =
    measured.code === 0 && report !== undefined
      ? undefined
      : `bare got loop: exit ${measured.code ?? measured.signal}: ${errorLine(measured.stderr || measured.stdout)}`;
  return { measured, stats, rowsPerSecond: load.rows / measured.seconds, report, problem };
}

/** The dry run's reference: `node dist/bench/bare-pipeline.js` over the same input, measured like the CLI. */
export async function runBarePipeline(
  ctx: BenchContext,
  rows: number,
  nodeFlags: readonly string[] = [],
): Promise<BareRun> {
  const input = await inputFile(ctx.workDir, rows);
  const out = path.join(ctx.workDir, `bare-pipeline-${rows}.csv`);
  const script = path.join(ctx.dist, 'bench', 'bare-pipeline.js');
  const measured = await runMeasured([...nodeFlags, script, input, out], childEnv(), ctx.root);
  const problem =
    measured.code === 0
      ? undefined
      : `bare pipeline: exit ${measured.code ?? measured.signal}: ${errorLine(measured.stderr)}`;
  return { measured, stats: undefined, rowsPerSecond: rows / measured.seconds, report: undefined, problem };
}
