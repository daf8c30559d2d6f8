/** The benchmark's output: a plain-text table for people and results.json for comparing runs. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Outcome } from './outcome.js';

/** The machine a run was measured on; figures only compare between runs on the same one. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly totalMemoryMb: number;
  readonly node: string;
  readonly platform: string;
  readonly date: string;
  /** The commit measured, and how many files differed from it: the figures move with the code. */
  readonly revision: string;
}

function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: 'pipe' }).trim();
    const changed = git('status', '--porcelain', '--untracked-files=no').split('\n').filter(Boolean).length;
    return `${git('rev-parse', '--short', 'HEAD')}${changed > 0 ? ` +${changed} changed files` : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** Describes this machine, now. */
export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    revision: revision(),
  };
}

const HEADINGS = ['#', 'figure', 'measured', 'reference (same run)', 'ratio', 'mark', 'result'];

/** The table's rows of one outcome: one per figure, or one from its checks when it has none. */
function rowsOf(o: Outcome): string[][] {
  const verdict = (passed: boolean) => (passed ? 'PASS' : 'FAIL');
  if (o.figures !== undefined && o.figures.length > 0) {
    return o.figures.map((f) => [f.id, f.what, f.measured, f.reference, f.ratio, f.mark, verdict(f.passed)]);
  }
  const checks = o.checks.map((c) => `${c.passed ? '' : '[x] '}${c.label}`).join('; ');
  const ratio = o.efficiencyPercent === undefined ? '-' : `${o.efficiencyPercent.toFixed(1)}%`;
  const reference = o.limitRowsPerSecond === undefined ? '-' : `${o.limitRowsPerSecond.toFixed(1)} rows/s`;
  return [
    [
      String(o.id),
      o.name,
      `${o.rowsPerSecond.toFixed(1)} rows/s`,
      reference,
      ratio,
      checks,
      verdict(o.passed),
    ],
  ];
}

/** Cells escaped for a Markdown table. */
const cell = (text: string) => text.replaceAll('|', '\\|');

/** The machine a table was measured on, in one line. */
export function machineLine(about: Machine): string {
  return `${about.cpu}, ${about.cores} cores, ${about.totalMemoryMb} MB, Node ${about.node}, ${about.date}, ${about.revision}`;
}

/**
 * The results as a Markdown table (aligned, so it reads in a terminal and pastes into the README),
 * one line per figure, under the machine it ran on; then what is shown and not judged: the
 * adaptive pace charts, and the runs other processes made noisy.
 */
export function table(outcomes: readonly Outcome[], about: Machine): string {
  const rows = [HEADINGS, ...outcomes.flatMap(rowsOf)].map((r) => r.map(cell));
  const widths = HEADINGS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  const notes = outcomes.flatMap((o) =>
    o.checks.filter((c) => c.passed && c.label.startsWith('(')).map((c) => `${o.id} ${o.name}: ${c.label}`),
  );
  return [machineLine(about), '', line(rows[0]!), rule, ...rows.slice(1).map(line), '', ...notes].join('\n');
}

/**
 * Where a run's JSON goes: results.json for a full run, the one the README's table quotes;
 * results.partial.json for `--only` or `--quick`, which would otherwise replace it with a few
 * scenarios or reduced sizes.
 */
export function resultsFileName({ partial, quick }: { partial: boolean; quick: boolean }): string {
  return partial || quick ? 'results.partial.json' : 'results.json';
}

/** Writes results.json: the machine, whether sizes were reduced, and every outcome with its details. */
export async function writeResults(
  file: string,
  about: Machine,
  quick: boolean,
  outcomes: readonly Outcome[],
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const passed = outcomes.every((o) => o.passed);
  await writeFile(
    file,
    `${JSON.stringify({ machine: about, quick, passed, scenarios: outcomes }, null, 2)}\n`,
  );
}
