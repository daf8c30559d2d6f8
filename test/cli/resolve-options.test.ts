import { describe, expect, test } from '@jest/globals';
import { UsageError } from '../../src/errors.js';
import type { RawFlags } from '../../src/cli/option-table.js';
import { defaultOutPath, resolveOptions, resolveSettleSeconds } from '../../src/cli/resolve-options.js';
import { DEFAULT_BASE_URL } from '../../src/options.js';

const env = { CLOUDCOCKPIT_TENANT: 'portal.example.com' };
const resolve = (flags: RawFlags, e: NodeJS.ProcessEnv = env) =>
  resolveOptions('po-numbers', 'data/po.csv', flags, e);

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('resolveOptions', () => {
  test('defaults follow the contract', () => {
    const o = resolve({});
    expect(o).toMatchObject({
      baseUrl: DEFAULT_BASE_URL,
      concurrency: 4,
      rate: 10,
      retries: 5,
      timeoutSeconds: 30,
    });
    expect(o.out).toBe('data/po.results.csv');
    expect(o.tenant).toBe('portal.example.com');
  });

  test('a flag beats the environment, which beats the default', () => {
    expect(resolve({ concurrency: 8 }, { ...env, CLOUDCOCKPIT_CONCURRENCY: '6' }).concurrency).toBe(8);
    expect(resolve({}, { ...env, CLOUDCOCKPIT_CONCURRENCY: '6' }).concurrency).toBe(6);
    expect(resolve({ tenant: 'flag.example.com' }).tenant).toBe('flag.example.com');
  });

  test('bad values name the option, what was expected and what was given', () => {
    expect(message(() => resolve({ concurrency: 0 }))).toBe(
      'Expected `--concurrency` to be an integer from 1 to 256, got `0` (number)',
    );
    expect(message(() => resolve({ rate: -1 }))).toBe(
      'Expected `--rate` to be a number from 0 to 10000, got `-1` (number)',
    );
    expect(message(() => resolve({}, { ...env, CLOUDCOCKPIT_RATE: 'fast' }))).toBe(
      'Expected `CLOUDCOCKPIT_RATE` to be a number from 0 to 10000, got `fast`',
    );
    expect(message(() => resolve({ 'max-failures': '120%' }))).toContain('`--max-failures`');
  });

  test('a value is reported under the name it was given by: flag, variable or config key', () => {
    expect(message(() => resolve({ timeout: 'abc' }))).toBe(
      'Expected `--timeout` to be a number from 0.1 to 3600, got `abc`',
    );
    expect(message(() => resolve({}, { ...env, CLOUDCOCKPIT_CONCURRENCY: '2.5' }))).toBe(
      'Expected `CLOUDCOCKPIT_CONCURRENCY` to be an integer from 1 to 256, got `2.5`',
    );
    expect(message(() => resolveOptions('po-numbers', 'data/po.csv', {}, env, { retries: 99 }))).toBe(
      'Expected `retries` in the config file to be an integer from 0 to 20, got `99` (number)',
    );
  });

  test('a choice outside the list is one line listing the choices, from any source', () => {
    expect(message(() => resolve({ 'log-level': 'loud' }))).toBe(
      'Expected `--log-level` to be one of error, warn, info, debug, got `loud`',
    );
    expect(message(() => resolve({ delimiter: 'colon' }))).toBe(
      'Expected `--delimiter` to be one of comma, semicolon, tab, pipe, `,`, `;`, `|`, got `colon`',
    );
    expect(message(() => resolveOptions('po-numbers', 'data/po.csv', {}, env, { encoding: 'latin1' }))).toBe(
      'Expected `encoding` in the config file to be one of utf-8, utf-16le, utf-16be, windows-1252, got `latin1`',
    );
    expect(resolve({ delimiter: ';' }).delimiter).toBe(';');
  });

  test('a missing tenant is refused, except for a dry run', () => {
    expect(message(() => resolve({}, {}))).toContain('Missing `--tenant`');
    expect(resolve({ 'dry-run': true }, {}).dryRun).toBe(true);
  });

  test('plain http is refused except on a loopback host', () => {
    expect(message(() => resolve({ 'base-url': 'http://api.example.com' }))).toContain('an https:// URL');
    expect(resolve({ 'base-url': 'http://127.0.0.1:8080/' }).baseUrl).toBe('http://127.0.0.1:8080');
  });

  test('max-failures takes a count or a percentage', () => {
    expect(resolve({ 'max-failures': '50' }).maxFailures).toEqual({ count: 50 });
    expect(resolve({ 'max-failures': '10%' }).maxFailures).toEqual({ percent: 10 });
  });

  test('--max-failures 0% says that a percentage must be above 0', () => {
    expect(message(() => resolve({ 'max-failures': '0%' }))).toBe(
      'Expected `--max-failures` to be a count from 1 (e.g. `50`) or a percentage above 0 and at most 100 (e.g. `10%`), got `0%`',
    );
  });

  test('standard input needs --out; --resume contradicts --overwrite and --dry-run', () => {
    expect(message(() => resolveOptions('run', '-', {}, env))).toContain('needs `--out FILE`');
    expect(message(() => resolve({ resume: true, overwrite: true }))).toContain('contradict each other');
    expect(message(() => resolve({ resume: true, 'dry-run': true }))).toContain(
      'cannot be combined with `--dry-run`',
    );
    expect(resolve({ resume: true }).out).toBe('data/po.results.csv');
  });

  test('--retry-failed needs --resume: a fresh run sends every row anyway', () => {
    expect(message(() => resolve({ 'retry-failed': true }))).toContain('add `--resume`');
    expect(resolve({ resume: true, 'retry-failed': true }).retryFailed).toBe(true);
    expect(resolve({ resume: true }).retryFailed).toBe(false);
  });

  test('the results file may not be named as a workbook: it is CSV', () => {
    for (const out of ['res.xlsx', 'res.XLSM', 'res.xls', 'res.ods']) {
      expect(message(() => resolve({ out }))).toBe(
        `\`--out\` ${out}: the results file is CSV (UTF-8 with a byte-order mark, which Excel opens); give it a name ending in .csv`,
      );
    }
    expect(resolve({ out: 'res.csv' }).out).toBe('res.csv');
  });

  test('a plan needs the tenant, has results of its own name, and takes no option it would not use', () => {
    expect(resolve({ plan: true })).toMatchObject({ plan: true, out: 'data/po.plan.results.csv' });
    expect(message(() => resolve({ plan: true }, {}))).toMatch(/^Missing `--tenant`/);
    expect(message(() => resolve({ plan: true, 'dry-run': true }))).toBe(
      '`--plan` reads from the API and `--dry-run` sends nothing at all: choose one',
    );
    for (const other of ['skip-unchanged', 'verify', 'resume'] as const) {
      expect(message(() => resolve({ plan: true, [other]: true }))).toBe(
        `\`--plan\` sends no change, so \`--${other}\` has nothing to act on: run the plan first, then the real run with \`--${other}\``,
      );
    }
    for (const other of ['skip-unchanged', 'verify'] as const) {
      expect(message(() => resolve({ [other]: true, 'dry-run': true }))).toBe(
        `\`--${other}\` reads from the API and \`--dry-run\` sends nothing at all: choose one`,
      );
    }
    expect(resolve({ 'skip-unchanged': true, verify: true })).toMatchObject({
      skipUnchanged: true,
      verify: true,
      out: 'data/po.results.csv',
    });
  });

  test('the default results file sits beside the input', () => {
    expect(defaultOutPath('/in/po.csv')).toBe('/in/po.results.csv');
    expect(defaultOutPath('po.csv', 'dry-run')).toBe('po.dry-run.results.csv');
    expect(defaultOutPath('po.csv', 'plan')).toBe('po.plan.results.csv');
  });
});

describe('resolveSettleSeconds', () => {
  test('the inbox waits 60 seconds unless told otherwise, and 0 means not at all', () => {
    expect(resolveSettleSeconds(undefined)).toBe(60);
    expect(resolveSettleSeconds(0)).toBe(0);
    expect(resolveSettleSeconds(2.5)).toBe(2.5);
  });

  test('a negative or non-numeric settle time names the flag and what was given', () => {
    expect(message(() => resolveSettleSeconds(-1))).toBe(
      'Expected `--settle-seconds` to be a number from 0 up, got `-1`',
    );
    expect(message(() => resolveSettleSeconds(NaN))).toContain('got `NaN`');
    expect(message(() => resolveSettleSeconds('soon'))).toContain('got `soon`');
    expect(resolveSettleSeconds('5')).toBe(5);
  });
});

describe('clashes from a config file', () => {
  const fromConfig = (config: RawFlags, flags: RawFlags = {}) =>
    resolveOptions('po-numbers', 'data/po.csv', flags, env, config);

  test('a clash names where each value came from: the flag, or the key in the config file', () => {
    expect(message(() => fromConfig({ plan: true, 'dry-run': true }))).toBe(
      '`plan` in the config file reads from the API and `dry-run` in the config file sends nothing at all: choose one',
    );
    expect(message(() => fromConfig({ plan: true }, { verify: true }))).toBe(
      '`plan` in the config file sends no change, so `--verify` has nothing to act on: run the plan first, then the real run with `--verify`',
    );
    expect(message(() => fromConfig({ verify: true }, { 'dry-run': true }))).toBe(
      '`verify` in the config file reads from the API and `--dry-run` sends nothing at all: choose one',
    );
  });

  test('so do --resume, --overwrite, --dry-run and --retry-failed', () => {
    expect(message(() => fromConfig({ resume: true }, { 'dry-run': true }))).toBe(
      '`resume` in the config file continues a real run; it cannot be combined with `--dry-run`',
    );
    expect(message(() => fromConfig({ 'dry-run': true, resume: true }))).toBe(
      '`resume` in the config file continues a real run; it cannot be combined with `dry-run` in the config file',
    );
    expect(message(() => fromConfig({ overwrite: true }, { resume: true }))).toBe(
      '`--resume` and `overwrite` in the config file contradict each other: choose one',
    );
    expect(message(() => fromConfig({ 'retry-failed': true }))).toMatch(
      /^`retry-failed` in the config file sends again the rows .*; add `--resume`$/,
    );
  });
});
