/**
 * The scenarios of the benchmark's second edition (issue 19) and the list they run from. Every
 * figure is a ratio to a reference measured in the same run on the same machine (the bare got
 * loop against the same simulator, the server's own counts, the limit configured), never a
 * number typed in, so machines that differ by half can still be compared.
 */
import { adaptive } from './adaptive.js';
import { workbook } from './workbook.js';
import { cpuLoad, memory, preflight } from './footprint.js';
import { runBareGot, runCli, type Load } from './runs.js';
import {
  type Figure,
  type Scenario,
  figure,
  num,
  outcome,
  pace,
  startup,
  steadyPace,
  unless,
} from './outcome.js';

/** Start-up may take at most this much longer than the bare got loop's (figure 1b). */
const STARTUP_ALLOWANCE_S = 0.25;

const latencyBound: Scenario = {
  id: 1,
  name: 'latency-bound',
  async run(ctx) {
    const load: Load = {
      rows: ctx.quick ? 1_000 : 5_000,
      concurrency: 16,
      rate: 0,
      latencyMs: 50,
      rateLimit: 0,
    };
    ctx.progress(`CLI, ${load.rows} rows`);
    const run = await runCli(ctx, load);
    ctx.progress(`bare got loop, ${load.rows} rows`);
    const bare = await runBareGot(ctx, load);
    // Little's law: with `concurrency` requests always in flight, each taking latencyMs, no client can do better.
    const limit = load.concurrency / (load.latencyMs / 1000);
    const steady = steadyPace(run.stats, load.rows);
    const bareSteady = steadyPace(bare.stats, load.rows);
    const what = `steady pace, ${load.latencyMs} ms answers, ${load.concurrency} in flight`;
    const measured = `${num(steady)} rows/s`;
    const started = startup(run.measured, run.stats);
    const bareStarted = startup(bare.measured, bare.stats);
    const late = started - bareStarted;
    const figures: Figure[] = [
      unless(
        run.problem,
        figure(
          { id: '1a', what, measured, reference: `c / latency ${num(limit)} rows/s` },
          (steady / limit) * 100,
          95,
        ),
      ),
      unless(
        run.problem ?? bare.problem,
        figure(
          { id: '1a', what, measured, reference: `bare got loop ${num(bareSteady)} rows/s` },
          (steady / bareSteady) * 100,
          98,
        ),
      ),
      unless(run.problem ?? bare.problem, {
        id: '1b',
        what: 'start-up, spawn to the first PATCH',
        measured: `${started.toFixed(2)} s`,
        reference: `bare got loop ${bareStarted.toFixed(2)} s`,
        ratio: `${late >= 0 ? '+' : ''}${late.toFixed(2)} s`,
        mark: `<= +${STARTUP_ALLOWANCE_S} s`,
        passed: late <= STARTUP_ALLOWANCE_S,
      }),
    ];
    const bareGot = {
      seconds: bare.measured.seconds,
      rowsPerSecond: bare.rowsPerSecond,
      steadyRowsPerSecond: bareSteady,
      startupSeconds: bareStarted,
      loop: bare.report,
    };
    const details = { steadyRowsPerSecond: steady, startupSeconds: started, bareGot };
    return outcome(this, run, limit, pace(run, limit), details, [bare.measured], figures);
  },
};

const cpuBound: Scenario = {
  id: 2,
  name: 'cpu-bound',
  async run(ctx) {
    const load = cpuLoad(ctx.quick);
    ctx.progress(`bare got loop, ${load.rows} rows`);
    const bare = await runBareGot(ctx, load);
    ctx.progress(`CLI, ${load.rows} rows`);
    const run = await runCli(ctx, load);
    // Both from spawn to exit: start-up weighs the same in each.
    const f = figure(
      {
        id: '2',
        what: `instant answers, ${load.rows} rows`,
        measured: `${num(run.rowsPerSecond)} rows/s`,
        reference: `bare got loop ${num(bare.rowsPerSecond)} rows/s`,
      },
      (run.rowsPerSecond / bare.rowsPerSecond) * 100,
      90,
    );
    const bareGot = {
      seconds: bare.measured.seconds,
      rowsPerSecond: bare.rowsPerSecond,
      loop: bare.report,
      peakRssMb: bare.measured.peakRssMb,
      cpuMsPerRow: bare.measured.cpuMs / load.rows,
      otherCpuPercent: bare.measured.otherCpuPercent,
    };
    return outcome(
      this,
      run,
      bare.rowsPerSecond,
      pace(run, bare.rowsPerSecond),
      { bareGot },
      [bare.measured],
      [unless(run.problem ?? bare.problem, f)],
    );
  },
};

const rateBound: Scenario = {
  id: 3,
  name: 'rate-bound',
  async run(ctx) {
    // 1,000 rows is 20 s at 50/s: long enough that startup (~0.3 s) costs under 2% of the figure.
    const load: Load = {
      rows: ctx.quick ? 500 : 1_000,
      concurrency: 16,
      rate: 50,
      latencyMs: 0,
      rateLimit: 0,
    };
    const run = await runCli(ctx, load);
    const maxPerSecond = run.stats?.maxPerSecond ?? Number.POSITIVE_INFINITY;
    const what = `--rate ${load.rate}, ${load.rows} rows`;
    const figures = [
      figure(
        { id: '3', what, measured: `${num(run.rowsPerSecond)} rows/s`, reference: `--rate ${load.rate}` },
        (run.rowsPerSecond / load.rate) * 100,
        95,
        100,
      ),
      figure(
        {
          id: '3',
          what: 'most requests in a wall-clock second, at the server',
          measured: String(maxPerSecond),
          reference: `--rate ${load.rate}`,
        },
        (maxPerSecond / load.rate) * 100,
        0,
        100,
      ),
    ].map((f) => unless(run.problem, f));
    return outcome(this, run, load.rate, pace(run, load.rate), {}, [], figures);
  },
};

/**
 * Every scenario, in the order they run; figures 7 (plan.ts), 8 (page.ts) and 9 (workbook.ts)
 * live in their own files.
 */
export const SCENARIOS: readonly Scenario[] = [
  latencyBound,
  cpuBound,
  rateBound,
  adaptive,
  memory,
  preflight,
  ...(await import('./plan.js')).PLAN_SCENARIOS,
  // figure 8 (page.ts): a 100,000-row upload reaches the page's check step.
  (await import('./page.js')).pageCheck,
  // figure 9 (issue 14): a 100,000-row workbook read in one pass, bounded memory.
  workbook,
];
