/**
 * Sums a V8 .cpuprofile (from `node --cpu-prof`) by function: self time (the function's own code)
 * and total time (anything below it on the stack), and by where the code lives, so it shows how
 * much of a run our own modules cost next to got, csv-parse and Node itself.
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of a profile. */
export interface FunctionCost {
  /** `name (where:line)`. */
  readonly key: string;
  /** Where the code lives: `ours`, a package name, `node`, or a V8 pseudo-frame like `(garbage collector)`. */
  readonly place: string;
  readonly selfMs: number;
  readonly totalMs: number;
}

/** A profile summed up. */
export interface ProfileSummary {
  readonly sampledMs: number;
  /** Every function, most self time first. */
  readonly functions: readonly FunctionCost[];
  /** Self time by place, most first. */
  readonly places: readonly { readonly place: string; readonly selfMs: number }[];
}

function placeOf(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  if (url.startsWith('node:')) return 'node';
  return url.includes('/dist/') ? 'ours' : url;
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/');
}

/** Reads and sums `file`. */
export async function summariseProfile(file: string): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Each sample lasts until the next one; V8 records the gap before a sample, so shift by one.
  const selfById = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    selfById.set(id, (selfById.get(id) ?? 0) + ms);
  });
  const costs = new Map<string, { place: string; selfMs: number; totalMs: number }>();
  const keyOf = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    return url ? `${name} (${shortUrl(url)}:${lineNumber + 1})` : name;
  };
  const entry = (n: ProfileNode) => {
    const key = keyOf(n);
    let cost = costs.get(key);
    if (!cost)
      costs.set(
        key,
        (cost = { place: placeOf(n.callFrame.url, n.callFrame.functionName), selfMs: 0, totalMs: 0 }),
      );
    return cost;
  };
  let sampledMs = 0;
  for (const [id, ms] of selfById) {
    sampledMs += ms;
    const node = byId.get(id)!;
    entry(node).selfMs += ms;
    // Total time: once per function on the stack, however often recursion repeats it.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!;
      const key = keyOf(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      entry(frame).totalMs += ms;
    }
  }
  const functions = [...costs].map(([key, c]) => ({ key, ...c })).sort((a, b) => b.selfMs - a.selfMs);
  const placeTotals = new Map<string, number>();
  for (const f of functions) placeTotals.set(f.place, (placeTotals.get(f.place) ?? 0) + f.selfMs);
  const places = [...placeTotals]
    .map(([place, selfMs]) => ({ place, selfMs }))
    .sort((a, b) => b.selfMs - a.selfMs);
  return { sampledMs, functions, places };
}

/** The summary as text: places, the top functions overall, and every function of ours that costs anything. */
export function describeProfile(summary: ProfileSummary, top = 25): string {
  const pct = (ms: number) => `${((ms / summary.sampledMs) * 100).toFixed(1).padStart(5)}%`;
  const ms = (value: number) => `${value.toFixed(0).padStart(6)} ms`;
  const lines = [`sampled ${summary.sampledMs.toFixed(0)} ms`, '', 'self time by place:'];
  for (const p of summary.places.slice(0, 15)) lines.push(`  ${ms(p.selfMs)} ${pct(p.selfMs)}  ${p.place}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const f of summary.functions.slice(0, top)) {
    lines.push(`  ${ms(f.selfMs)} ${pct(f.selfMs)}  [${f.place}] ${f.key}`);
  }
  lines.push('', 'our functions (dist/), by self time, with total time including callees:');
  const ours = summary.functions.filter((f) => f.place === 'ours' && f.totalMs >= summary.sampledMs * 0.001);
  for (const f of ours) {
    lines.push(`  self ${ms(f.selfMs)} ${pct(f.selfMs)}  total ${ms(f.totalMs)} ${pct(f.totalMs)}  ${f.key}`);
  }
  return lines.join('\n');
}
