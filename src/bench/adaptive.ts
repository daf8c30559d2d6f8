/**
 * Scenario 4: the adaptive pace against limits it is not told (5, 20 and 100 requests a second,
 * 429 beyond). Judged from the server's own counts: the requests it accepted each second from the
 * tenth second on, against the limit; the share of requests it refused; and every row ending
 * `success` (so none failed by 429). The pace over time is drawn as a small chart. Then, shown
 * beside them, the same limits announced in the answers' headers (RateLimit-*, X-RateLimit-*).
 */
import type { RateLimitHeaders } from '../simulator/rate-limit.js';
import { figure, outcome, num, unless, type Check, type Outcome, type Scenario } from './outcome.js';
import { runCli, type BenchContext, type CliRun, type Load } from './runs.js';

/** The limits the pace must find, in requests per second. */
export const LIMITS = [5, 20, 100] as const;
/** The limits announced by headers, and how: the pace is told, not found. */
const ANNOUNCED: readonly { limit: number; style: RateLimitHeaders }[] = [
  { limit: 20, style: 'ietf' },
  { limit: 100, style: 'github' },
];
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

async function againstLimit(
  scenario: Scenario,
  ctx: BenchContext,
  limit: number,
  headers: RateLimitHeaders = 'none',
): Promise<Outcome> {
  // About a minute each (90 s at 5/s, so its first second's refusals weigh what they would at
  // the other limits), from a start that asks for far more than any of them: --rate 200. A limit
  // announced needs no finding: half a minute shows its pace.
  const told = headers !== 'none';
  const seconds = ctx.quick ? 20 : told ? 30 : limit === 5 ? 90 : 60;
  const load: Load = {
    rows: limit * seconds,
    concurrency: 32,
    rate: 200,
    latencyMs: 0,
    rateLimit: limit,
    ...(told ? { rateLimitHeaders: headers } : {}),
  };
  const run = await runCli(ctx, load);
  const accepted = acceptedPerSecond(run);
  const settled = accepted.slice(SETTLED_AFTER_S, -1);
  const steady = settled.length === 0 ? 0 : settled.reduce((a, b) => a + b, 0) / settled.length;
  const api = run.stats?.api ?? 0;
  const refused = run.stats?.byStatus[429] ?? 0;
  const share = api === 0 ? 100 : (refused / api) * 100;
  const id = told ? '4h' : '4';
  const what = told ? `limit ${limit}/s announced (${headers})` : `unknown limit ${limit}/s`;
  const found = figure(
    {
      id,
      what: `${what}, after ${SETTLED_AFTER_S} s`,
      measured: `${num(steady)} accepted/s`,
      reference: `limit ${limit}/s`,
    },
    (steady / limit) * 100,
    90,
  );
  // Told, the pace keeps a request of headroom under the limit (95% of limit - 1, throttle.ts) and
  // waits out a window it is told is spent: shown, not judged. The figure is about limits
  // not told; what an announced limit must bring is no 429.
  const pace = told ? { ...found, mark: 'shown', passed: true } : found;
  const refusals = figure(
    { id, what: `${what}, answered 429`, measured: `${refused} of ${api}`, reference: 'requests sent' },
    share,
    0,
    told ? 1 : 5,
  );
  const checks: Check[] = [{ label: `(pace ${paceChart(accepted, limit)})`, passed: true }];
  const figures = [pace, refusals].map((f) => unless(run.problem, f));
  const name = told ? `adaptive ${limit}/s announced` : `adaptive ${limit}/s`;
  return outcome(
    { ...scenario, name },
    run,
    limit,
    checks,
    { acceptedPerSecond: accepted, headers },
    [],
    figures,
  );
}

/** Scenario 4, one table row per limit, unknown then announced. */
export const adaptive: Scenario = {
  id: 4,
  name: 'adaptive',
  async run(ctx) {
    const outcomes: Outcome[] = [];
    for (const limit of LIMITS) {
      ctx.progress(`limit ${limit} requests/s`);
      outcomes.push(await againstLimit(this, ctx, limit));
    }
    for (const { limit, style } of ANNOUNCED) {
      ctx.progress(`limit ${limit} requests/s, announced (${style})`);
      outcomes.push(await againstLimit(this, ctx, limit, style));
    }
    return outcomes;
  },
};
