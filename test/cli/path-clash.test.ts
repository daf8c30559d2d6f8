import { beforeEach, describe, expect, test } from '@jest/globals';
import { link, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveOptions } from '../../src/cli/resolve-options.js';
import {
  checkPathClash,
  fileCommandPaths,
  findPathClash,
  givenPaths,
  inboxPaths,
  summaryPath,
  type NamedPath,
} from '../../src/cli/path-clash.js';
import { UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/files.js';

let dir: string;
let input: string;

beforeEach(async () => {
  dir = await tempDir();
  input = path.join(dir, 'orders.csv');
  await writeFile(input, 'customerId,subscriptionId,poNumber\n');
});

const read = (role: string, file: string): NamedPath => ({ role, path: file, writes: false });
const written = (role: string, file: string): NamedPath => ({ role, path: file, writes: true });

describe('findPathClash', () => {
  test('a written path that is a read one is named first, with both paths', async () => {
    expect(await findPathClash([read('the input file', input), written('`--log-file`', input)])).toBe(
      `\`--log-file\` ${input} is the same file as the input file ${input}; nothing was sent. ` +
        'Give `--log-file` a path of its own',
    );
  });

  test('two paths only read never clash', async () => {
    expect(await findPathClash([read('the input file', input), read('the `--config` file', input)])).toBe(
      undefined,
    );
  });

  test('a symbolic link, a link to a folder and a hard link are the file they lead to', async () => {
    await symlink(input, path.join(dir, 'link.csv'));
    await symlink(dir, path.join(dir, 'folder-link'));
    await link(input, path.join(dir, 'hard.csv'));
    for (const name of ['link.csv', 'folder-link/orders.csv', 'hard.csv']) {
      const clash = await findPathClash([
        read('the input file', input),
        written('`--out`', path.join(dir, name)),
      ]);
      expect(clash).toContain('is the same file as the input file');
    }
  });

  test('a link to a file not written yet is the file it will write', async () => {
    const results = path.join(dir, 'orders.results.csv');
    await symlink(results, path.join(dir, 'summary.json'));
    const clash = await findPathClash([
      written('`--summary-json`', path.join(dir, 'summary.json')),
      written('the results file', results),
    ]);
    expect(clash).toContain('`--summary-json`');
  });

  test('paths not there yet are compared through their real folder, relative or not', async () => {
    await mkdir(path.join(dir, 'logs'));
    await symlink(path.join(dir, 'logs'), path.join(dir, 'logs-link'));
    expect(
      await findPathClash([
        written('`--log-file`', path.join(dir, 'logs-link', 'night.log')),
        written('`--summary-json`', path.join(dir, 'logs', '.', 'night.log')),
      ]),
    ).toContain('is the same file as `--summary-json`');
    expect(
      await findPathClash([
        written('`--log-file`', path.join(dir, 'logs', 'a.log')),
        written('`--summary-json`', path.join(dir, 'logs', 'b.json')),
      ]),
    ).toBeUndefined();
  });

  test('a name that begins with an owned prefix, or a path inside an owned folder, is taken', async () => {
    const prefix: NamedPath = { ...written('the lock file', `${input}.lock`), match: 'prefix' };
    expect(await findPathClash([written('`--log-file`', `${input}.lock.takeover`), prefix])).toBe(
      `\`--log-file\` ${input}.lock.takeover is named as the lock file (${input}.lock…); nothing was sent. ` +
        'Give `--log-file` a path of its own',
    );
    const inbox: NamedPath = { ...written('the inbox folder', dir), match: 'inside' };
    expect(
      await findPathClash([inbox, written('`--log-file`', path.join(dir, 'processed', 'x.log'))]),
    ).toContain(`is inside the inbox folder ${dir}`);
    expect(await findPathClash([inbox, written('`--log-file`', dir)])).toContain(
      'is inside the inbox folder',
    );
    expect(await findPathClash([inbox, read('the `--config` file', input)])).toBeUndefined();
    expect(await findPathClash([inbox, written('`--log-file`', `${dir}-other/x.log`)])).toBeUndefined();
  });

  test('with one path given, only its own clashes count', async () => {
    const others = [read('the input file', input), written('`--log-file`', input)];
    expect(await findPathClash(others, summaryPath(path.join(dir, 'summary.json')))).toBeUndefined();
    expect(await findPathClash(others, summaryPath(input))).toContain('`--summary-json`');
  });

  test('checkPathClash throws the message as a usage error', async () => {
    const error = await checkPathClash([read('the input file', input), written('`--out`', input)]).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
  });
});

describe('the paths of a run', () => {
  const options = (flags: Parameters<typeof resolveOptions>[2]) =>
    resolveOptions('po-numbers', input, { tenant: 't.example', ...flags }, {});

  test('the results file cannot be the input file', async () => {
    expect(await findPathClash(fileCommandPaths(options({ out: input, overwrite: true }), {}))).toContain(
      `the results file (\`--out\`) ${input} is the same file as the input file`,
    );
  });

  test('the summary and the log are named before the results and the lock they would destroy', async () => {
    const out = path.join(dir, 'orders.results.csv');
    expect(await findPathClash(fileCommandPaths(options({}), { summaryJson: out }))).toMatch(
      /^`--summary-json` .* is the same file as the results file/,
    );
    expect(await findPathClash(fileCommandPaths(options({ 'log-file': `${out}.lock` }), {}))).toMatch(
      /^`--log-file` .* is named as the lock file of the results/,
    );
    expect(await findPathClash(fileCommandPaths(options({ 'log-file': `${out}.partial-2` }), {}))).toMatch(
      /is named as a resume file of the results/,
    );
  });

  test('the results file is named as what it is: `--out`, or the default name when no --out is given', async () => {
    const out = path.join(dir, 'orders.results.csv');
    expect(await findPathClash(fileCommandPaths(options({}), { summaryJson: out }, false))).toBe(
      `\`--summary-json\` ${out} is the same file as the default results file (no \`--out\` given) ${out}; ` +
        'nothing was sent. Give `--summary-json` a path of its own',
    );
    const dry = path.join(dir, 'orders.dry-run.results.csv');
    expect(
      await findPathClash(fileCommandPaths(options({ 'dry-run': true }), { summaryJson: dry }, false)),
    ).toContain('the same file as the default results file (no `--out` given)');
    const given = path.join(dir, 'r.csv');
    expect(await findPathClash(fileCommandPaths(options({ out: given }), { summaryJson: given }))).toContain(
      `the same file as the results file (\`--out\`) ${given}`,
    );
    expect(await findPathClash(givenPaths({ file: input }, {}), summaryPath(out))).toContain(
      'the same file as the default results file (no `--out` given)',
    );
  });

  test('the setting files and the secret files are read, so the log may not be one of them', async () => {
    const config = path.join(dir, 'settings.json');
    const paths = fileCommandPaths(options({ 'log-file': config }), { config });
    expect(await findPathClash(paths)).toContain('is the same file as the `--config` file');
    const token = path.join(dir, 'token.txt');
    expect(
      await findPathClash(fileCommandPaths(options({ 'token-file': token }), { summaryJson: token })),
    ).toContain('is the same file as the `--token-file`');
  });

  test('standard input has no input path, and a run without clashes passes', async () => {
    const fromStdin = resolveOptions('run', '-', { tenant: 't', out: path.join(dir, 'r.csv') }, {});
    expect(await findPathClash(fileCommandPaths(fromStdin, { summaryJson: path.join(dir, 's.json') }))).toBe(
      undefined,
    );
  });

  test('the inbox folder is the inbox own: no log or summary inside it', async () => {
    const shared = resolveOptions(
      'run',
      'inbox-check.csv',
      { tenant: 't', 'log-file': `${dir}/.work/x` },
      {},
    );
    expect(await findPathClash(inboxPaths(dir, shared, {}))).toContain('is inside the inbox folder');
  });

  test('before the options are resolved, both default results files are counted', async () => {
    const dry = path.join(dir, 'orders.dry-run.results.csv');
    expect(await findPathClash(givenPaths({ file: input }, {}), summaryPath(dry))).toContain(
      'is the same file as the default results file (no `--out` given)',
    );
    expect(await findPathClash(givenPaths({ file: input }, { out: ' r.csv ' }), summaryPath(dry))).toBe(
      undefined,
    );
    expect(await findPathClash(givenPaths({ dir }, {}), summaryPath(path.join(dir, 's.json')))).toContain(
      'inside the inbox folder',
    );
  });
});
