import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { figure, type Outcome } from '../../src/bench/outcome.js';
import { resultsFileName, table, type Machine } from '../../src/bench/report.js';
import { launchFlags } from '../../src/bench/runs.js';

const MACHINE: Machine = {
  cpu: 'Test CPU',
  cores: 2,
  totalMemoryMb: 1024,
  node: 'v20.20.2',
  platform: 'Linux',
  date: '2026-12-01T00:00:00.000Z',
  revision: 'abc1234',
};

describe('the benchmark report', () => {
  test('only a full run writes results.json: --only or --quick leave the last full run in place', () => {
    expect(resultsFileName({ partial: false, quick: false })).toBe('results.json');
    expect(resultsFileName({ partial: true, quick: false })).toBe('results.partial.json');
    expect(resultsFileName({ partial: false, quick: true })).toBe('results.partial.json');
  });

  test('runs start Node with the flags of the bin launch line, as the installed command does', () => {
    expect(launchFlags('#!/usr/bin/env -S node --heap-growing-percent=30 --\n// …')).toEqual([
      '--heap-growing-percent=30',
    ]);
    expect(launchFlags('#!/usr/bin/env -S node --\n')).toEqual([]);
    expect(launchFlags('#!/usr/bin/env node\n')).toEqual([]);
    const bin = readFileSync(new URL('../../src/bin.ts', import.meta.url), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env -S node ')).toBe(true);
    expect(bin.split('\n', 1)[0]).toMatch(/ --$/); // the `--` that keeps Node from reading --env-file
  });

  test('a figure passes within its mark, and says which', () => {
    const parts = { id: '2', what: 'w', measured: 'm', reference: 'r' };
    expect(figure(parts, 91, 90)).toMatchObject({ ratio: '91.0%', mark: '>= 90%', passed: true });
    expect(figure(parts, 101, 95, 100)).toMatchObject({ mark: '95..100%', passed: false });
    expect(figure(parts, 104, 0, 110)).toMatchObject({ mark: '<= 110%', passed: true });
    expect(figure(parts, Number.NaN, 0, 110).passed).toBe(false);
  });

  test('the table has the machine and one Markdown row per figure, or per scenario without figures', () => {
    const base: Outcome = {
      id: 2,
      name: 'cpu-bound',
      rows: 10,
      seconds: 1,
      rowsPerSecond: 10,
      limitRowsPerSecond: 20,
      efficiencyPercent: 50,
      peakRssMb: 50,
      cpuMsPerRow: 1,
      otherCpuPercent: 0,
      passed: true,
      checks: [{ label: '(pace ▁▂▃)', passed: true }],
      details: {},
    };
    const withFigure = {
      ...base,
      figures: [
        figure({ id: '2', what: 'a | b', measured: '9 rows/s', reference: 'bare 10 rows/s' }, 90, 90),
      ],
    };
    const text = table([withFigure, { ...base, id: 7, name: 'plan' }], MACHINE);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Test CPU, 2 cores, 1024 MB, Node v20.20.2, 2026-12-01T00:00:00.000Z, abc1234');
    expect(lines[2]).toMatch(/^\| # +\| figure +\| measured/);
    expect(lines[4]).toMatch(
      /^\| 2 +\| a \\\| b +\| 9 rows\/s +\| bare 10 rows\/s +\| 90\.0% +\| >= 90% +\| PASS +\|$/,
    );
    expect(lines[5]).toMatch(/^\| 7 +\| plan +\| 10\.0 rows\/s +\| 20\.0 rows\/s +\| 50\.0% /);
    expect(text).toContain('2 cpu-bound: (pace ▁▂▃)');
  });
});
