/**
 * The six scenarios and their figures (from the performance issue). Every limit is computed from
 * the configured load, so changing a load changes what it is judged against.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { adaptive } from './adaptive.js';
import { workbook } from './workbook.js';
import { runBareGot, runCli, type BenchContext, type Load } from './runs.js';
import { type Check, type Scenario, pct, num, pace, outcome } from './outcome.js';

/** The CPU-bound load; it doubles as the memory scenario's reference, so both must use this one. */
export const cpuLoad = (quick: boolean): Load => ({
  rows: quick ? 2_000 : 20_000,
  concurrency: 16,
  rate: 0,
  latencyMs: 0,
  rateLimit: 0,
});

/** The `--import` argument that puts stack-floor.js (see there) before the bare got loop. */
function stackFloor(ctx: BenchContext): string {
  return pathToFileURL(path.join(ctx.dist, 'bench', 'stack-floor.js')).href;
}

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
    // Shown, not judged: how close a client with no overhead of its own gets, on this machine.
    ctx.progress(`bare got loop, ${load.rows} rows (for comparison)`);
    const bare = await runBareGot(ctx, load);
    ctx.progress(`bare got loop after the decided stack's start-up, ${load.rows} rows (for comparison)`);
    const floor = await runBareGot(ctx, load, ['--import', stackFloor(ctx)]);
    // Little's law: with `concurrency` requests always in flight, each taking latencyMs, no client can do better.
    const limit = load.concurrency / (load.latencyMs / 1000);
    const efficiency = (run.rowsPerSecond / limit) * 100;
    const share = (rowsPerSecond: number) =>
      `${num(rowsPerSecond)} rows/s = ${pct((rowsPerSecond / limit) * 100)}`;
    const bareLabel = `(bare got loop ${share(bare.rowsPerSecond)})`;
    const floorLabel =
      `(floor of the decided stack ${share(floor.rowsPerSecond)}: ` +
      'the same loop after loading yargs, winston and csv-stringify and reading the file once with csv-parse)';
    return outcome(
      this,
      run,
      limit,
      [
        { label: `efficiency ${pct(efficiency)} >= 95%`, passed: efficiency >= 95 },
        ...pace(run, limit),
        { label: bare.problem ?? bareLabel, passed: true },
        { label: floor.problem ?? floorLabel, passed: true },
      ],
      {
        bareGot: { seconds: bare.measured.seconds, rowsPerSecond: bare.rowsPerSecond, loop: bare.report },
        stackFloor: {
          seconds: floor.measured.seconds,
          rowsPerSecond: floor.rowsPerSecond,
          loop: floor.report,
        },
      },
    );
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
    const limit = bare.rowsPerSecond;
    const efficiency = (run.rowsPerSecond / limit) * 100;
    const checks: Check[] = [{ label: `efficiency ${pct(efficiency)} >= 85%`, passed: efficiency >= 85 }];
    if (bare.problem) checks.push({ label: bare.problem, passed: false });
    checks.push(...pace(run, limit));
    const loopRate = bare.report?.rowsPerSecond;
    if (loopRate !== undefined) {
      // Shown, not judged: the loop alone leaves out process startup, which the CLI's figure includes.
      checks.push({
        label: `(vs got loop alone ${num(loopRate)} rows/s: ${pct((run.rowsPerSecond / loopRate) * 100)})`,
        passed: true,
      });
    }
    const bareGot = {
      seconds: bare.measured.seconds,
      rowsPerSecond: bare.rowsPerSecond,
      loop: bare.report,
      peakRssMb: bare.measured.peakRssMb,
      cpuMsPerRow: bare.measured.cpuMs / load.rows,
      otherCpuPercent: bare.measured.otherCpuPercent,
    };
    // The limit is the bare loop's own figure, so noise during it counts as much as during the CLI's run.
    return outcome(this, run, limit, checks, { bareGot }, [bare.measured]);
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
    const limit = load.rate;
    const efficiency = (run.rowsPerSecond / limit) * 100;
    const maxPerSecond = run.stats?.maxPerSecond ?? Infinity;
    const allowed = load.rate * 1.1;
    return outcome(this, run, limit, [
      { label: `efficiency ${pct(efficiency)} in 95..100%`, passed: efficiency >= 95 && efficiency <= 100 },
      {
        label: `max ${maxPerSecond} requests in a second <= ${num(allowed)}`,
        passed: maxPerSecond <= allowed,
      },
      ...pace(run, limit),
    ]);
  },
};

const memory: Scenario = {
  id: 5,
  name: 'memory',
  async run(ctx) {
    const reference = cpuLoad(ctx.quick);
    const load: Load = { ...reference, rows: reference.rows * 10 };
    ctx.progress(`reference run, ${reference.rows} rows (reused if scenario 2 ran)`);
    const small = await runCli(ctx, reference);
    ctx.progress(`CLI, ${load.rows} rows`);
    const run = await runCli(ctx, load);
    const peak = run.measured.peakRssMb;
    const growth = (peak / small.measured.peakRssMb - 1) * 100;
    const checks: Check[] = [
      { label: `peak RSS ${num(peak)} MB <= 120 MB`, passed: peak <= 120 },
      {
        label: `${growth >= 0 ? '+' : ''}${pct(growth)} over ${reference.rows} rows (${num(small.measured.peakRssMb)} MB) < 20%`,
        passed: growth < 20,
      },
    ];
    if (small.problem) checks.push({ label: `reference run: ${small.problem}`, passed: false });
    return outcome(this, run, undefined, checks, {
      reference: {
        rows: reference.rows,
        peakRssMb: small.measured.peakRssMb,
        seconds: small.measured.seconds,
      },
    });
  },
};

const preflight: Scenario = {
  id: 6,
  name: 'preflight',
  async run(ctx) {
    const load: Load = {
      rows: ctx.quick ? 100_000 : 1_000_000,
      concurrency: 16,
      rate: 0,
      latencyMs: 0,
      rateLimit: 0,
      dryRun: true,
    };
    const run = await runCli(ctx, load);
    const { seconds, peakRssMb } = run.measured;
    return outcome(this, run, undefined, [
      { label: `${num(seconds)} s <= 10 s`, passed: seconds <= 10 },
      { label: `peak RSS ${num(peakRssMb)} MB <= 150 MB`, passed: peakRssMb <= 150 },
    ]);
  },
};

/** Every scenario, in the order they run. */
export const SCENARIOS: readonly Scenario[] = [
  latencyBound,
  cpuBound,
  rateBound,
  adaptive,
  memory,
  preflight,
  workbook,
  ...(await import('./plan.js')).PLAN_SCENARIOS,
  (await import('./page.js')).pageCheck,
];
