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

const HEADINGS = [
  'scenario',
  'rows',
  'seconds',
  'rows/s',
  'limit rows/s',
  'efficiency %',
  'peak RSS MB',
  'CPU ms/row',
  'other CPU %',
  'result',
  'checks',
];

const fixed = (value: number | undefined, digits: number) =>
  value === undefined ? '-' : value.toFixed(digits);

function cells(o: Outcome): string[] {
  return [
    `${o.id} ${o.name}`,
    String(o.rows),
    fixed(o.seconds, 2),
    fixed(o.rowsPerSecond, 1),
    fixed(o.limitRowsPerSecond, 1),
    fixed(o.efficiencyPercent, 1),
    fixed(o.peakRssMb, 1),
    fixed(o.cpuMsPerRow, 3),
    fixed(o.otherCpuPercent, 0),
    o.passed ? 'PASS' : 'FAIL',
    o.checks.map((c) => `${c.passed ? '' : '[x] '}${c.label}`).join('; '),
  ];
}

/**
 * The results as an aligned table, one line per scenario; failed checks are marked `[x]`.
 * "other CPU %" is what other processes took meanwhile, in % of one core: high means noisy.
 */
export function table(outcomes: readonly Outcome[], about: Machine): string {
  const rows = [HEADINGS, ...outcomes.map(cells)];
  const widths = HEADINGS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === 0 || i >= 9 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const head = `${about.cpu}, ${about.cores} cores, ${about.totalMemoryMb} MB, Node ${about.node}, ${about.date}, ${about.revision}`;
  return [head, '', line(HEADINGS), rule, ...rows.slice(1).map(line)].join('\n');
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
