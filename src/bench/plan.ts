/**
 * The two figures of the plan/skip/verify issue: `--plan` at 50 ms latency reads at 95% or more of
 * the 320 reads/s that 16 in flight allow (its steady pace), and `--skip-unchanged --verify` with
 * 1% of the rows changed makes its requests (reads and writes, counted by the simulator) at 95% or
 * more of the Little's-law limit for them, also at its steady pace: from the first row's read to
 * the last answer, as issue 19 defines it, start-up being figure 1b's. Both limits come from the
 * load, not typed in.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { countStatuses, describeStatuses, inputFile } from './files.js';
import { runMeasured } from './measure.js';
import { figure, num, outcome, pace, pct, unless, type Check, type Scenario } from './outcome.js';
import type { BenchContext, CliRun, Load } from './runs.js';

/** The load of both scenarios: 16 in flight, no rate limit, 50 ms answers. */
function planLoad(ctx: BenchContext): Load {
  return { rows: ctx.quick ? 1_000 : 5_000, concurrency: 16, rate: 0, latencyMs: 50, rateLimit: 0 };
}

/** The input's PO numbers by simulator key, for all rows but every hundredth (those will change). */
async function seedAllButOnePercent(input: string): Promise<Record<string, string>> {
  const seeded: Record<string, string> = {};
  const lines = (await readFile(input, 'utf8')).split('\n').slice(1);
  lines.forEach((line, i) => {
    const [customerId, subscriptionId, poNumber] = line.split(',');
    if (poNumber !== undefined && i % 100 !== 0) seeded[`${customerId}/${subscriptionId}`] = poNumber;
  });
  return seeded;
}

/** One measured CLI run with `flags`, against values seeded or not; `expected` is every row's status. */
async function runWith(
  ctx: BenchContext,
  load: Load,
  flags: readonly string[],
  seedValues: { poNumbers: Record<string, string> } | undefined,
  expected: (status: string) => boolean,
): Promise<CliRun> {
  const input = await inputFile(ctx.workDir, load.rows);
  const out = path.join(ctx.workDir, `plan-${load.rows}${flags.join('')}.results.csv`);
  const simulator = await ctx.simulator();
  await simulator.configure({ latencyMs: load.latencyMs, jitterMs: 0, rateLimit: 0, seedValues });
  await simulator.reset();
  const args = [path.join(ctx.dist, 'bin.js'), 'po-numbers', input, '--out', out, '--overwrite', ...flags];
  args.push('--concurrency', String(load.concurrency), '--rate', String(load.rate), '--no-progress');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    CLOUDCOCKPIT_TENANT: 'portal.cloudcockpit.com',
    CLOUDCOCKPIT_BASE_URL: simulator.url,
    CLOUDCOCKPIT_TOKEN: 'sim-static-token',
  };
  const measured = await runMeasured(args, env, ctx.root, [simulator.pid]);
  const stats = await simulator.stats();
  // Later scenarios start from an unseeded world.
  await simulator.configure({ seedValues: undefined });
  const statuses = await countStatuses(out).catch(() => ({ rows: 0, byStatus: {} }));
  const wrong = Object.entries(statuses.byStatus).some(([status, n]) => n > 0 && !expected(status));
  const problem =
    measured.code !== 0
      ? `exit ${measured.code ?? measured.signal}: ${measured.stderr.trim().split('\n').at(-1) ?? ''}`
      : statuses.rows !== load.rows || wrong
        ? `${statuses.rows} of ${load.rows} results rows: ${describeStatuses(statuses)}`
        : undefined;
  return { load, measured, rowsPerSecond: load.rows / measured.seconds, statuses, stats, problem };
}

/** The rows' requests the server counted: their reads (one subscription each) and writes. */
function rowRequests(run: CliRun): { reads: number; writes: number } {
  return { reads: run.stats?.byCall.subscription ?? 0, writes: run.stats?.byCall['po-number'] ?? 0 };
}

/**
 * The steady pace as issue 19 defines it: the rows' requests per second from the first one's
 * arrival to the last answer, at the server. The ready token's check (a list of customers, before
 * the first row) is start-up, as it is for figure 1b, so neither it nor the time before the first
 * row's read counts.
 */
function steadyPace(run: CliRun): number {
  const stats = run.stats;
  const first = stats?.firstArrivalByCall.subscription;
  if (stats === undefined || first === undefined || stats.lastAnswerAt <= first) return 0;
  const { reads, writes } = rowRequests(run);
  return (reads + writes) / ((stats.lastAnswerAt - first) / 1000);
}

/** `--plan`: every row read, none written, at the pace the latency allows. */
export const planScenario: Scenario = {
  id: 7,
  name: 'plan',
  async run(ctx) {
    const load = planLoad(ctx);
    ctx.progress(`--plan, ${load.rows} rows`);
    const run = await runWith(ctx, load, ['--plan'], undefined, (s) => s === 'change');
    const limit = load.concurrency / (load.latencyMs / 1000);
    const steady = steadyPace(run);
    const { reads } = rowRequests(run);
    const patches = run.stats?.byMethod.PATCH ?? 0;
    const what = `--plan, steady pace, ${load.latencyMs} ms answers, ${load.concurrency} in flight`;
    const f = figure(
      { id: '7', what, measured: `${num(steady)} reads/s`, reference: `c / latency ${num(limit)} reads/s` },
      (steady / limit) * 100,
      95,
    );
    const wrote = patches === 0 ? undefined : `${patches} PATCH sent by a plan`;
    const checks: Check[] = [
      { label: `(${reads} reads, ${patches} PATCH)`, passed: patches === 0 },
      ...pace(run, limit),
    ];
    const details = { steadyReadsPerSecond: steady };
    return outcome(this, run, limit, checks, details, [], [unless(run.problem ?? wrote, f)]);
  },
};

/** `--skip-unchanged --verify` with 1% changed: reads, writes and read-backs at Little's law. */
export const skipVerifyScenario: Scenario = {
  id: 7,
  name: 'skip-unchanged --verify',
  async run(ctx) {
    const load = planLoad(ctx);
    const input = await inputFile(ctx.workDir, load.rows);
    const poNumbers = await seedAllButOnePercent(input);
    const changed = load.rows - Object.keys(poNumbers).length;
    ctx.progress(`--skip-unchanged --verify, ${load.rows} rows, ${changed} changed`);
    const flags = ['--skip-unchanged', '--verify'];
    const run = await runWith(ctx, load, flags, { poNumbers }, (s) => s === 'success' || s === 'unchanged');
    const { reads, writes } = rowRequests(run);
    // Little's law for the requests it made: `concurrency` always in flight, each taking latencyMs.
    // It bounds the pace while requests are in flight, so it is judged on the steady pace; the
    // start-up before the first row is figure 1b's question, and is shown beside it.
    const limit = load.concurrency / (load.latencyMs / 1000);
    const steady = steadyPace(run);
    const overall = (reads + writes) / run.measured.seconds;
    const f = figure(
      {
        id: '7',
        what: `--skip-unchanged --verify, ${changed} of ${load.rows} changed, steady pace`,
        measured: `${num(steady)} requests/s (${reads} GET + ${writes} PATCH)`,
        reference: `c / latency ${num(limit)} requests/s`,
      },
      (steady / limit) * 100,
      95,
    );
    const wrongWrites = writes === changed ? undefined : `${writes} PATCH for ${changed} changed rows`;
    const checks: Check[] = [
      { label: `(${writes} PATCH for ${changed} changed rows)`, passed: writes === changed },
      { label: `(spawn to exit ${num(overall)} requests/s = ${pct((overall / limit) * 100)})`, passed: true },
    ];
    // The table's efficiency is rows/s against this: the same share as requests/s against `limit`.
    const rowsLimit = (limit * load.rows) / Math.max(1, reads + writes);
    const details = { reads, writes, changed, requestsLimit: limit, steadyRequestsPerSecond: steady };
    return outcome(this, run, rowsLimit, checks, details, [], [unless(run.problem ?? wrongWrites, f)]);
  },
};

/** Both, for the list of scenarios. */
export const PLAN_SCENARIOS: readonly Scenario[] = [planScenario, skipVerifyScenario];
