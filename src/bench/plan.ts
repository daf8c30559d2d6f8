/**
 * The two figures of the plan/skip/verify issue: `--plan` at 50 ms latency reads at 95% or more of
 * the 320 reads/s that 16 in flight allow (its steady pace), and `--skip-unchanged --verify` with
 * 1% of the rows changed makes its requests (reads and writes, counted by the simulator) at 95% or
 * more of the Little's-law limit for them. Both limits come from the load, not typed in.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { countStatuses, describeStatuses, inputFile } from './files.js';
import { runMeasured } from './measure.js';
import { num, outcome, pace, pct, perSecond, type Check, type Scenario } from './outcome.js';
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

/** The median of the whole seconds in the middle of a run: its steady pace in requests/s. */
function steady(run: CliRun): number | undefined {
  const middle = perSecond(run)
    .slice(1, -1)
    .sort((a, b) => a - b);
  return middle.length === 0 ? undefined : middle[Math.floor(middle.length / 2)];
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
    const pace_ = steady(run) ?? 0;
    const patches = run.stats?.byMethod.PATCH ?? 0;
    const checks: Check[] = [
      {
        label: `steady ${num(pace_)} reads/s = ${pct((pace_ / limit) * 100)} >= 95%`,
        passed: pace_ >= 0.95 * limit,
      },
      { label: `${patches} PATCH sent (none allowed)`, passed: patches === 0 },
      ...pace(run, limit),
    ];
    return outcome(this, run, limit, checks);
  },
};

/** `--skip-unchanged --verify` with 1% changed: reads, writes and read-backs at Little's law. */
export const skipVerifyScenario: Scenario = {
  id: 8,
  name: 'skip-unchanged --verify',
  async run(ctx) {
    const load = planLoad(ctx);
    const input = await inputFile(ctx.workDir, load.rows);
    const poNumbers = await seedAllButOnePercent(input);
    const changed = load.rows - Object.keys(poNumbers).length;
    ctx.progress(`--skip-unchanged --verify, ${load.rows} rows, ${changed} changed`);
    const flags = ['--skip-unchanged', '--verify'];
    const run = await runWith(ctx, load, flags, { poNumbers }, (s) => s === 'success' || s === 'unchanged');
    const reads = run.stats?.byMethod.GET ?? 0;
    const writes = run.stats?.byMethod.PATCH ?? 0;
    // Little's law for the requests it made: `concurrency` always in flight, each taking latencyMs.
    const limit = load.concurrency / (load.latencyMs / 1000);
    const requestsPerSecond = (reads + writes) / run.measured.seconds;
    const efficiency = (requestsPerSecond / limit) * 100;
    const checks: Check[] = [
      {
        label: `${num(requestsPerSecond)} requests/s (${reads} GET + ${writes} PATCH) = ${pct(efficiency)} >= 95%`,
        passed: efficiency >= 95,
      },
      { label: `${writes} PATCH for ${changed} changed rows`, passed: writes === changed },
      { label: `(steady ${num(steady(run) ?? 0)} requests/s)`, passed: true },
    ];
    // The table's efficiency is rows/s against this: the same share as requests/s against `limit`.
    const rowsLimit = (limit * load.rows) / Math.max(1, reads + writes);
    return outcome(this, run, rowsLimit, checks, { reads, writes, changed, requestsLimit: limit });
  },
};

/** Both, for the list of scenarios. */
export const PLAN_SCENARIOS: readonly Scenario[] = [planScenario, skipVerifyScenario];
