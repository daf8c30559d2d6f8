import { describe, expect, test } from '@jest/globals';
import { flagValues, scanBooleanFlags, singleValue } from '../../src/cli/flag-values.js';
import { OPTION_SPECS } from '../../src/cli/option-table.js';

describe('scanBooleanFlags', () => {
  test('reads each boolean flag as written: bare, =true/=false, a following true/false, or --no-', () => {
    expect(
      scanBooleanFlags(['run', 'a.csv', '--dry-run', '--strict=false', '--resume', 'true', '--no-progress']),
    ).toEqual({ 'dry-run': true, strict: false, resume: true, progress: false });
  });

  test('leaves flags that take values, and everything after --, to yargs', () => {
    expect(scanBooleanFlags(['run', 'a.csv', '--rate', '5', '--', '--dry-run=yes'])).toEqual({});
  });

  test('a camelCase spelling is the same flag, as yargs reads it', () => {
    expect(scanBooleanFlags(['--dryRun', '--dry-run=false'])).toEqual({
      usageError: expect.stringContaining('`--dry-run` is given twice'),
    });
  });

  test('a flag named after a secret is refused by its name, whatever follows', () => {
    expect(scanBooleanFlags(['--access_token=abc'])).toEqual({
      usageError:
        'Unknown argument `--access_token`: a secret is never given on the command line ' +
        '(it would show in ps and the shell history); use `--token-file FILE` or CLOUDCOCKPIT_TOKEN',
    });
  });
});

describe('singleValue', () => {
  const rate = OPTION_SPECS.rate;

  test('one value, or the same value twice, is that value', () => {
    expect(singleValue('rate', 5, rate)).toBe(5);
    expect(singleValue('rate', [5, 5], rate)).toBe(5);
    expect(singleValue('rate', undefined, rate)).toBeUndefined();
  });

  test('yargs marks a missing value as true (untyped) or empty text (a string flag)', () => {
    expect(singleValue('rate', true, rate)).toEqual({
      usageError: '`--rate` needs a value: a number from 0 to 10000',
    });
    expect(singleValue('log-level', '', OPTION_SPECS['log-level'])).toEqual({
      usageError: '`--log-level` needs a value: one of error, warn, info, debug',
    });
    expect(singleValue('rate', [5, true], rate)).toEqual({
      usageError: '`--rate` needs a value: a number from 0 to 10000',
    });
  });

  test('two different values are refused, both shown', () => {
    expect(singleValue('tenant', ['a', 'b'], OPTION_SPECS.tenant)).toEqual({
      usageError: '`--tenant` is given twice with different values (`a`, then `b`); give it once',
    });
  });
});

describe('flagValues', () => {
  test('takes the booleans from the raw tokens and the rest from yargs, under their flag names', () => {
    expect(flagValues({ rate: 5, tenant: 't.example', 'dry-run': false }, { 'dry-run': true })).toEqual({
      'dry-run': true,
      rate: 5,
      tenant: 't.example',
    });
  });
});
