/**
 * `node dist/bench/profile.js [cli|bare|dry-run|pipeline|FILE.cpuprofile]`: profiles one run with
 * `node --cpu-prof` (into bench/work/prof/) and prints where the time went. `cli` (the default) is
 * the CPU-bound scenario's CLI run, `bare` the got loop it is compared with, `dry-run` the
 * preflight scenario and `pipeline` the bare csv pipeline it is compared with; given a profile,
 * only summarises it. A separate entry point from the
 * benchmark because profiling slows the run it measures.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeProfile, summariseProfile } from './profile-summary.js';
import { createContext, runBareGot, runBarePipeline, runCli, type Load } from './runs.js';
import { cpuLoad } from './footprint.js';

type Target = 'cli' | 'bare' | 'dry-run' | 'pipeline';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function newestProfile(dir: string): Promise<string> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
  const dated = await Promise.all(files.map(async (f) => ({ f, at: (await stat(f)).mtimeMs })));
  const newest = dated.sort((a, b) => b.at - a.at)[0];
  if (!newest) throw new Error(`No .cpuprofile in ${dir}`);
  return newest.f;
}

async function profileRun(target: Target): Promise<string> {
  const { ctx, stop } = await createContext(root, false, (message) => process.stderr.write(`${message}\n`));
  const profDir = path.join(ctx.workDir, 'prof');
  await mkdir(profDir, { recursive: true });
  const flags = ['--cpu-prof', '--cpu-prof-dir', profDir];
  const dry = target === 'dry-run' || target === 'pipeline';
  const load: Load = dry ? { ...cpuLoad(false), rows: 1_000_000, dryRun: true } : cpuLoad(false);
  try {
    process.stderr.write(`profiling ${target} on ${load.rows} rows into ${path.relative(root, profDir)}/\n`);
    const run =
      target === 'bare'
        ? await runBareGot(ctx, load, flags)
        : target === 'pipeline'
          ? await runBarePipeline(ctx, load.rows, flags)
          : await runCli(ctx, load, flags);
    if (run.problem) throw new Error(`The profiled run went wrong: ${run.problem}`);
    const { seconds } = run.measured;
    process.stderr.write(
      `${seconds.toFixed(2)} s, ${(load.rows / seconds).toFixed(1)} rows/s under the profiler\n`,
    );
  } finally {
    await stop();
  }
  return newestProfile(profDir);
}

const given = process.argv[2] ?? 'cli';
const file = ['cli', 'bare', 'dry-run', 'pipeline'].includes(given)
  ? await profileRun(given as Target)
  : given;
process.stdout.write(
  `${path.relative(process.cwd(), file)}\n${describeProfile(await summariseProfile(file))}\n`,
);
