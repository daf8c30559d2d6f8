/**
 * Scenario 4: the adaptive pace against limits it is not told (5, 20 and 100 requests a second,
 * 429 beyond). Judged from the server's own counts: the requests it accepted each second from the
 * tenth second on, against the limit; the share of requests it refused; and every row ending
 * `success` (so none failed by 429). The pace over time is drawn as a small chart.
 */
import { outcome, pct, num, type Check, type Outcome, type Scenario } from './outcome.js';
import { runCli, type BenchContext, type CliRun, type Load } from './runs.js';

/** The limits the pace must find, in requests per second. */
export const LIMITS = [5, 20, 100] as const;
/** From which second the pace is judged: before it, the pace is still being found. */
const SETTLED_AFTER_S = 10;
const BARS = '▁▂▃▄▅▆▇█';

/** Requests the server accepted (not 429) in each wall-clock second of the run, gaps as 0. */
export function acceptedPerSecond(run: CliRun): number[] {
  const arrived = run.stats?.perSecond ?? {};
  const refused = run.stats?.refusedPerSecond ?? {};
  const seconds = Object.keys(arrived).map(Number);
  if (seconds.length === 0) return [];
  const first = Math.min(...seconds);
  const last = Math.max(...seconds);
  return Array.from({ length: last - first + 1 }, (_, i) => {
    const second = first + i;
    return (arrived[second] ?? 0) - (refused[second] ?? 0);
  });
}

/** One character per second, the height its share of `limit`: the pace as a terminal chart. */
export function paceChart(values: readonly number[], limit: number): string {
  return values
    .map((v) => BARS[Math.max(0, Math.min(BARS.length - 1, Math.round((v / limit) * (BARS.length - 1))))])
    .join('');
}

async function againstLimit(scenario: Scenario, ctx: BenchContext, limit: number): Promise<Outcome> {
  // About a minute each (90 s at 5/s, so its first second's refusals weigh what they would at
  // the other limits), from a start that asks for far more than any of them: --rate 200.
  const seconds = ctx.quick ? 20 : limit === 5 ? 90 : 60;
  const load: Load = { rows: limit * seconds, concurrency: 32, rate: 200, latencyMs: 0, rateLimit: limit };
  const run = await runCli(ctx, load);
  const accepted = acceptedPerSecond(run);
  const settled = accepted.slice(SETTLED_AFTER_S, -1);
  const steady = settled.length === 0 ? 0 : settled.reduce((a, b) => a + b, 0) / settled.length;
  const api = run.stats?.api ?? 0;
  const refused = run.stats?.byStatus[429] ?? 0;
  const share = api === 0 ? 100 : (refused / api) * 100;
  const checks: Check[] = [
    {
      label: `after ${SETTLED_AFTER_S} s ${num(steady)} accepted/s = ${pct((steady / limit) * 100)} of ${limit} >= 90%`,
      passed: steady >= limit * 0.9,
    },
    { label: `429 on ${refused} of ${api} requests (${pct(share)}) <= 5%`, passed: share <= 5 },
    { label: `(pace ${paceChart(accepted, limit)})`, passed: true },
  ];
  return outcome({ ...scenario, name: `adaptive ${limit}/s` }, run, limit, checks, {
    acceptedPerSecond: accepted,
  });
}

/** Scenario 4, one table row per limit. */
export const adaptive: Scenario = {
  id: 4,
  name: 'adaptive',
  async run(ctx) {
    const outcomes: Outcome[] = [];
    for (const limit of LIMITS) {
      ctx.progress(`limit ${limit} requests/s`);
      outcomes.push(await againstLimit(this, ctx, limit));
    }
    return outcomes;
  },
};
