import { describe, expect, jest, test } from '@jest/globals';
import { parseCommandLine } from '../../src/cli/parser.js';

describe('parseCommandLine', () => {
  test('a data command gives its file and only the flags that were given, under their flag names', async () => {
    expect(await parseCommandLine(['po-numbers', 'orders.csv', '--rate', '5', '--dry-run'])).toEqual({
      command: 'po-numbers',
      file: 'orders.csv',
      flags: { rate: 5, 'dry-run': true },
    });
  });

  test('a lone - names standard input, not an empty flag', async () => {
    expect(await parseCommandLine(['run', '-', '--out', 'results.csv'])).toEqual({
      command: 'run',
      file: '-',
      flags: { out: 'results.csv' },
    });
  });

  test('the inbox gives its folder and its settle time as given, checked later', async () => {
    expect(
      await parseCommandLine(['inbox', 'drop', '--settle-seconds', '5', '--tenant', 't.example']),
    ).toEqual({ command: 'inbox', dir: 'drop', flags: { tenant: 't.example' }, settleSeconds: 5 });
    expect(await parseCommandLine(['inbox', 'drop'])).toMatchObject({ settleSeconds: undefined });
  });

  test('the inbox refuses the flags that choose or reuse a results file', async () => {
    for (const flag of ['--out=x.csv', '--resume', '--overwrite', '--dry-run']) {
      expect(await parseCommandLine(['inbox', 'drop', flag])).toEqual({
        usageError: expect.stringContaining('Unknown argument'),
      });
    }
  });

  test('an unknown flag, a value outside the choices and a missing command are usage errors', async () => {
    expect(await parseCommandLine(['run', 'a.csv', '--frobnicate'])).toEqual({
      usageError: expect.stringContaining('frobnicate'),
    });
    expect(await parseCommandLine(['run', 'a.csv', '--log-level', 'loud'])).toEqual({
      usageError: expect.stringContaining('log-level'),
    });
    expect(await parseCommandLine([])).toEqual({
      usageError: 'Give a command: po-numbers, internal-identifiers, run or inbox',
    });
  });

  test('--version is shown by yargs and asks for nothing more', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await parseCommandLine(['--version'])).toEqual({ shown: true });
    } finally {
      log.mockRestore();
    }
  });
});
