/**
 * Figures 5 and 6: what a run costs in memory as it grows (20,000 and 200,000 rows at instant
 * answers), and the dry run of 1,000,000 rows against a bare csv-parse → csv-stringify pipeline
 * over the same file.
 */
import { figure, num, outcome, unless, type Scenario } from './outcome.js';
import { runBarePipeline, runCli, type Load } from './runs.js';

/** The CPU-bound load (figure 2); it doubles as the memory scenario's reference, so both use this one. */
export const cpuLoad = (quick: boolean): Load => ({
  rows: quick ? 2_000 : 20_000,
  concurrency: 16,
  rate: 0,
  latencyMs: 0,
  rateLimit: 0,
});

/** The most a run that sends may hold resident, in MB (figure 5). */
const SENDING_RSS_MB = 120;
/** The most a dry run may hold resident, in MB (figure 6). */
const DRY_RUN_RSS_MB = 150;

/** Figure 5: peak RSS at 20,000 and 200,000 rows, and how much it grew between them. */
export const memory: Scenario = {
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
    const smallPeak = small.measured.peakRssMb;
    const rss = (rows: number, mb: number) =>
      figure(
        {
          id: '5',
          what: `peak RSS, ${rows} rows`,
          measured: `${num(mb)} MB`,
          reference: `${SENDING_RSS_MB} MB`,
        },
        (mb / SENDING_RSS_MB) * 100,
        0,
        100,
      );
    const growth = figure(
      {
        id: '5',
        what: `peak RSS growth, ${reference.rows} to ${load.rows} rows`,
        measured: `${num(peak)} MB`,
        reference: `${reference.rows} rows ${num(smallPeak)} MB`,
      },
      (peak / smallPeak) * 100,
      0,
      110,
    );
    const figures = [
      unless(small.problem, rss(reference.rows, smallPeak)),
      unless(run.problem, rss(load.rows, peak)),
      unless(run.problem ?? small.problem, {
        ...growth,
        mark: '< 110%',
        passed: growth.passed && peak < smallPeak * 1.1,
      }),
    ];
    const details = {
      reference: { rows: reference.rows, peakRssMb: smallPeak, seconds: small.measured.seconds },
    };
    return outcome(this, run, undefined, [], details, [small.measured], figures);
  },
};

/** Figure 6: the dry run's rows/s against the bare pipeline's, and its peak RSS. */
export const preflight: Scenario = {
  id: 6,
  name: 'preflight',
  async run(ctx) {
    const rows = ctx.quick ? 100_000 : 1_000_000;
    const load: Load = { rows, concurrency: 16, rate: 0, latencyMs: 0, rateLimit: 0, dryRun: true };
    ctx.progress(`bare csv-parse → csv-stringify pipeline, ${rows} rows`);
    const bare = await runBarePipeline(ctx, rows);
    ctx.progress(`CLI --dry-run, ${rows} rows`);
    const run = await runCli(ctx, load);
    const { peakRssMb } = run.measured;
    const figures = [
      figure(
        {
          id: '6',
          what: `--dry-run, ${rows} rows`,
          measured: `${num(run.rowsPerSecond)} rows/s`,
          reference: `bare pipeline ${num(bare.rowsPerSecond)} rows/s`,
        },
        (run.rowsPerSecond / bare.rowsPerSecond) * 100,
        70,
      ),
      figure(
        {
          id: '6',
          what: `peak RSS, --dry-run`,
          measured: `${num(peakRssMb)} MB`,
          reference: `${DRY_RUN_RSS_MB} MB`,
        },
        (peakRssMb / DRY_RUN_RSS_MB) * 100,
        0,
        100,
      ),
    ].map((f) => unless(run.problem ?? bare.problem, f));
    const barePipeline = {
      seconds: bare.measured.seconds,
      rowsPerSecond: bare.rowsPerSecond,
      peakRssMb: bare.measured.peakRssMb,
    };
    return outcome(this, run, bare.rowsPerSecond, [], { barePipeline }, [bare.measured], figures);
  },
};
