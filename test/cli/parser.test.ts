import { describe, expect, jest, test } from '@jest/globals';
import { parseCommandLine } from '../../src/cli/parser.js';
import { OPTION_SPECS } from '../../src/cli/option-table.js';

describe('parseCommandLine', () => {
  test('a data command gives its file and only the flags that were given, under their flag names', async () => {
    expect(await parseCommandLine(['po-numbers', 'orders.csv', '--rate', '5', '--dry-run'])).toEqual({
      command: 'po-numbers',
      file: 'orders.csv',
      flags: { rate: '5', 'dry-run': true },
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
    ).toEqual({ command: 'inbox', dir: 'drop', flags: { tenant: 't.example' }, settleSeconds: '5' });
    expect(await parseCommandLine(['inbox', 'drop'])).toMatchObject({ settleSeconds: undefined });
  });

  test('the inbox refuses the flags that choose or reuse a results file', async () => {
    for (const flag of ['--out=x.csv', '--resume', '--overwrite', '--dry-run']) {
      expect(await parseCommandLine(['inbox', 'drop', flag])).toEqual({
        usageError: expect.stringContaining('Unknown argument'),
      });
    }
  });

  test('an unknown flag and a missing command are usage errors', async () => {
    expect(await parseCommandLine(['run', 'a.csv', '--frobnicate'])).toEqual({
      usageError: expect.stringContaining('frobnicate'),
    });
    expect(await parseCommandLine([])).toEqual({
      usageError: 'Give a command: po-numbers, internal-identifiers, run, inbox or serve',
    });
  });

  test('a choice is passed on as given, for resolveOptions to check with the other sources', async () => {
    expect(await parseCommandLine(['run', 'a.csv', '--log-level', 'loud'])).toMatchObject({
      flags: { 'log-level': 'loud' },
    });
  });

  test('a boolean flag takes no value, or exactly true or false', async () => {
    const flags = async (...args: string[]) => await parseCommandLine(['run', 'a.csv', ...args]);
    expect(await flags('--dry-run=true', '--strict', 'false', '--no-progress')).toMatchObject({
      flags: { 'dry-run': true, strict: false, progress: false },
    });
    for (const value of ['yes', '1', 'on', 'TRUE', '']) {
      expect(await flags(`--dry-run=${value}`)).toEqual({
        usageError: `\`--dry-run\` takes no value, or exactly \`true\` or \`false\`; got \`${value}\``,
      });
    }
    expect(await flags('--dryRun=yes')).toEqual({ usageError: expect.stringContaining('`--dry-run`') });
    expect(await flags('--no-strict=true')).toEqual({
      usageError: '`--no-strict` takes no value, got `true`',
    });
  });

  test('a flag given twice must say the same thing both times', async () => {
    const flags = async (...args: string[]) => await parseCommandLine(['run', 'a.csv', ...args]);
    expect(await flags('--dry-run', '--dry-run', '--rate', '5', '--rate=5')).toMatchObject({
      flags: { 'dry-run': true, rate: '5' },
    });
    expect(await flags('--dry-run', '--dry-run=false')).toEqual({
      usageError:
        '`--dry-run` is given twice with different values (`--dry-run`, then `--dry-run=false`); give it once',
    });
    expect(await flags('--rate', '5', '--rate', '50')).toEqual({
      usageError: '`--rate` is given twice with different values (`5`, then `50`); give it once',
    });
    expect(await flags('--tenant', 'a.example', '--tenant', 'b.example')).toEqual({
      usageError: expect.stringContaining('`--tenant` is given twice'),
    });
  });

  test('a number flag given twice is never added up: the same value is that value, a 1 after it is refused', async () => {
    // yargs counts an untyped flag whose value is 1 (`--rate 2 --rate 1` was 3, `--rate 1 --rate 1` was 2).
    const flags = async (...args: string[]) => await parseCommandLine(['run', 'a.csv', ...args]);
    expect(await flags('--rate', '1', '--rate', '1')).toMatchObject({ flags: { rate: '1' } });
    expect(await flags('--rate', '2', '--rate', '1')).toEqual({
      usageError: '`--rate` is given twice with different values (`2`, then `1`); give it once',
    });
    expect(await flags('--concurrency', '8', '--concurrency=1')).toEqual({
      usageError: '`--concurrency` is given twice with different values (`8`, then `1`); give it once',
    });
    expect(
      await parseCommandLine(['inbox', 'drop', '--settle-seconds', '0.3', '--settle-seconds', '1']),
    ).toEqual({
      usageError: '`--settle-seconds` is given twice with different values (`0.3`, then `1`); give it once',
    });
  });

  test('a flag that takes a value is refused without one, wherever the value would be', async () => {
    const flags = async (...args: string[]) => await parseCommandLine(['run', 'a.csv', ...args]);
    const needs = { usageError: '`--rate` needs a value: a number from 0 to 10000' };
    expect(await flags('--rate')).toEqual(needs);
    expect(await flags('--rate', '--dry-run')).toEqual(needs);
    expect(await flags('--rate=')).toEqual(needs);
    expect(await flags('--out')).toEqual({ usageError: '`--out` needs a value' });
    expect(await flags('--no-rate')).toEqual({
      usageError: '`--no-rate` is not an option: only on/off flags have a --no- form',
    });
    expect(await parseCommandLine(['inbox', 'drop', '--settle-seconds'])).toEqual({
      usageError: '`--settle-seconds` needs a value: a number',
    });
  });

  test('a number that is not one reaches resolveOptions as the text given, never NaN', async () => {
    expect(await parseCommandLine(['run', 'a.csv', '--timeout', 'abc'])).toMatchObject({
      flags: { timeout: 'abc' },
    });
  });

  test('a secret given as a flag is refused with where it belongs, without its value', async () => {
    for (const args of [
      ['--client-secret', 's3cr3t'],
      ['--client-secret=s3cr3t'],
      ['--clientSecret', 's3cr3t'],
      ['--token', 's3cr3t'],
      ['--password=s3cr3t'],
    ]) {
      const line = await parseCommandLine(['run', 'a.csv', ...args]);
      expect(line).toEqual({ usageError: expect.stringMatching(/--client-secret-file|--token-file/) });
      expect(JSON.stringify(line)).not.toContain('s3cr3t');
    }
    expect(await parseCommandLine(['run', 'a.csv', '--token', 'x'])).toEqual({
      usageError: expect.stringContaining('use `--token-file FILE` or CLOUDCOCKPIT_TOKEN'),
    });
  });

  test('an unknown command gets the command it was likely meant to be', async () => {
    expect(await parseCommandLine(['po-number', 'a.csv'])).toEqual({
      usageError: 'Unknown command `po-number`: did you mean `po-numbers`?',
    });
    expect(await parseCommandLine(['inbx', 'drop'])).toEqual({
      usageError: 'Unknown command `inbx`: did you mean `inbox`?',
    });
    expect(await parseCommandLine(['orders.csv'])).toEqual({
      usageError:
        'Unknown command `orders.csv`; the commands are po-numbers, internal-identifiers, run, inbox, serve',
    });
  });

  test('-h shows the help as --help does', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await parseCommandLine(['-h'])).toEqual({ shown: true });
      expect(await parseCommandLine(['po-numbers', '-h'])).toEqual({ shown: true });
    } finally {
      log.mockRestore();
    }
  });

  test('the help lists every exit code the program itself returns', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await parseCommandLine(['--help']);
      const help = log.mock.calls.map((call) => call.join(' ')).join('\n');
      for (const code of ['0', '1', '2', '3', '70', '130', '143'])
        expect(help).toMatch(new RegExp(`\\b${code}\\b`));
    } finally {
      log.mockRestore();
    }
  });

  test("a command's help says what every flag does and shows its examples", async () => {
    // The descriptions and examples reach yargs only when the help is asked for (start-up).
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await parseCommandLine(['po-numbers', 'orders.csv', '--help']);
      const help = log.mock.calls.map((call) => call.join(' ')).join('\n');
      for (const [name, spec] of Object.entries(OPTION_SPECS)) {
        expect(help).toContain(`--${name}`);
        expect(help.replace(/\s+/g, ' ')).toContain(spec.describe.replace(/\s+/g, ' '));
      }
      expect(help).toContain('Check the file first: nothing is sent');
    } finally {
      log.mockRestore();
    }
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
