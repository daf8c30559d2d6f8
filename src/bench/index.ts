/**
 * `npm run bench`: runs the built CLI against the simulator (each in its own process) through the
 * scenarios (scenarios.ts), each figure a ratio to a reference measured in the same run, prints
 * the table with the machine, writes bench/results.json, and exits 0 only if every figure met its
 * mark. `--only 1,3` runs a subset; `--quick` reduced sizes; either writes bench/results.partial.json.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { running } from './measure.js';
import { machine, resultsFileName, table, writeResults } from './report.js';
import { createContext } from './runs.js';
import type { Outcome, Scenario } from './outcome.js';
import { SCENARIOS } from './scenarios.js';

const USAGE = `Usage: node dist/bench/index.js [--only 1,3] [--quick]
  --only LIST   run only these scenarios (${SCENARIOS.map((s) => `${s.id} ${s.name}`).join(', ')})
  --quick       reduced sizes, for a smoke check (startup weighs more, so verdicts are only indicative)`;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function chosenScenarios(only: string | undefined): Scenario[] {
  if (only === undefined) return [...SCENARIOS];
  const ids = only.split(',').map((part) => Number(part.trim()));
  const unknown = ids.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0 || ids.length === 0) {
    throw new TypeError(
      `Expected \`--only\` to be a comma-separated list of ${SCENARIOS.map((s) => s.id).join(', ')}, got \`${only}\``,
    );
  }
  return SCENARIOS.filter((s) => ids.includes(s.id));
}

function crashed(scenario: Scenario, error: unknown): Outcome {
  const message = error instanceof Error ? error.message : String(error);
  return {
    id: scenario.id,
    name: scenario.name,
    rows: 0,
    seconds: 0,
    rowsPerSecond: 0,
    limitRowsPerSecond: undefined,
    efficiencyPercent: undefined,
    peakRssMb: 0,
    cpuMsPerRow: 0,
    otherCpuPercent: 0,
    passed: false,
    checks: [{ label: `crashed: ${message}`, passed: false }],
    details: {},
  };
}

async function main(): Promise<number> {
  let scenarios: Scenario[];
  let quick: boolean;
  try {
    const { values } = parseArgs({
      strict: true,
      options: { only: { type: 'string' }, quick: { type: 'boolean' }, help: { type: 'boolean' } },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    scenarios = chosenScenarios(values.only);
    quick = values.quick === true;
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  let current = '';
  const { ctx, stop } = await createContext(root, quick, (message) =>
    process.stderr.write(`${current}: ${message}\n`),
  );
  // A signal to the benchmark alone must not leave the simulator or a CLI run behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of running) child.kill('SIGKILL');
      void stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
  const about = machine();
  const outcomes: Outcome[] = [];
  try {
    for (const [index, scenario] of scenarios.entries()) {
      current = `[${index + 1}/${scenarios.length}] ${scenario.id} ${scenario.name}`;
      process.stderr.write(`${current}: running${quick ? ' (quick)' : ''}\n`);
      const results = await scenario.run(ctx).catch((error: unknown) => crashed(scenario, error));
      for (const result of Array.isArray(results) ? results : [results]) {
        outcomes.push(result);
        const verdict = result.passed ? 'PASS' : 'FAIL';
        const figures = (result.figures ?? []).map((f) => `${f.id} ${f.ratio} (${f.mark})`).join(', ');
        process.stderr.write(
          `${current}: ${result.name}: ${verdict} in ${result.seconds.toFixed(1)} s${figures ? `: ${figures}` : ''}\n`,
        );
      }
    }
  } finally {
    await stop();
  }
  process.stdout.write(`${table(outcomes, about)}\n`);
  const partial = scenarios.length < SCENARIOS.length;
  const resultsFile = path.join(root, 'bench', resultsFileName({ partial, quick }));
  await writeResults(resultsFile, about, quick, outcomes);
  process.stderr.write(`Wrote ${path.relative(process.cwd(), resultsFile) || resultsFile}\n`);
  return outcomes.every((o) => o.passed) ? 0 : 1;
}

process.exitCode = await main();
