/**
 * `npm run demo`: start the simulator on a free loopback port with the sample world, run every file
 * in samples/ through the real CLI (a child process, client credentials and all), print one line
 * per file, then show a plan and a run with `--skip-unchanged --verify` against values seeded from
 * samples/seed-values.json (one 204 the simulator does not apply, for --verify to catch), and leave
 * the results in demo-results/ for a person to open.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from './simulator/server.js';
import { sampleWorld } from './simulator/world.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const samples = path.join(root, 'samples');
const outDir = path.join(root, 'demo-results');
const CLIENT_ID = 'demo-client';
const CLIENT_SECRET = 'demo-secret-not-a-real-one';

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'dist', 'bin.js'), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const sim = await startSimulator({
  world: sampleWorld(),
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  latencyMs: 20,
  jitterMs: 60,
});
const env: NodeJS.ProcessEnv = {
  CLOUDCOCKPIT_TENANT: sim.options.tenant,
  CLOUDCOCKPIT_BASE_URL: sim.url,
  CLOUDCOCKPIT_TOKEN_URL: sim.tokenUrl,
  CLOUDCOCKPIT_CLIENT_ID: CLIENT_ID,
  CLOUDCOCKPIT_CLIENT_SECRET: CLIENT_SECRET,
  CLOUDCOCKPIT_TOKEN: '',
};
let unexpected = 0;

/** Run the CLI on one file and print its summary line and warnings; 0 and 1 are the expected exits. */
async function show(title: string, args: string[]): Promise<void> {
  const { code, stderr } = await runCli(args, env);
  const summary = stderr.split('\n').find((l) => l.includes(' rows: ')) ?? stderr.trim().split('\n').pop();
  console.log(`${title} (exit ${code}):\n  ${summary?.replace(/^info: /, '')}`);
  for (const warning of stderr.split('\n').filter((l) => l.startsWith('warn:'))) console.log(`  ${warning}`);
  // Sample files are made to have failing rows: 0 and 1 are the expected exits.
  if (code !== 0 && code !== 1) {
    unexpected++;
    console.log(stderr);
  }
}

try {
  await mkdir(outDir, { recursive: true });
  const files = (await readdir(samples)).filter((f) => /\.(csv|xlsx)$/.test(f)).sort();
  console.log(
    `Simulator listening on ${sim.url}; running ${files.length} sample files through the real CLI.\n`,
  );
  for (const name of files) {
    const out = path.join(outDir, name.replace(/\.(csv|xlsx)$/, '.results.csv'));
    await show(name, ['run', path.join(samples, name), '--out', out, '--overwrite']);
  }
  // The same PO numbers against values that stand already: some rows are at their value, and the
  // simulator answers one target's first write 204 without storing it.
  const seedValues = JSON.parse(await readFile(path.join(samples, 'seed-values.json'), 'utf8'));
  sim.configure({
    seedValues,
    faultPlan: { seed: 21, share: 0.15, maxPerTarget: 1, kinds: ['not-applied'] },
  });
  const input = path.join(samples, 'po-numbers.csv');
  console.log(
    '\nWith the values of samples/seed-values.json: first the plan, then only what differs, checked.',
  );
  const plan = path.join(outDir, 'po-numbers.plan.results.csv');
  await show('po-numbers.csv --plan', ['run', input, '--plan', '--out', plan, '--overwrite']);
  const checked = path.join(outDir, 'po-numbers.skip-verify.results.csv');
  await show('po-numbers.csv --skip-unchanged --verify', [
    'run',
    input,
    '--skip-unchanged',
    '--verify',
    '--out',
    checked,
    '--overwrite',
  ]);
  console.log(
    `\nOpen the results in ${path.relative(process.cwd(), outDir) || '.'}/ (Excel opens them as they are).`,
  );
} finally {
  await sim.close();
}
process.exitCode = unexpected === 0 ? 0 : 1;
