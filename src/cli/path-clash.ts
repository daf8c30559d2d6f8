/**
 * No path the program writes may be a path it reads or writes for another purpose:
 * `--summary-json orders.csv` once replaced the input with JSON, `--log-file` appended to it, and
 * a summary named like the results replaced the only record of the correlation ids. Every path is
 * compared after resolving links (the file's real path, or its folder's when it does not exist
 * yet) and, for files that exist, by identity, so a hard link is found too. Checked before
 * anything is sent or written; a clash is one usage error naming both roles.
 */
import { readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Options } from '../options.js';
import type { RawFlags } from './option-table.js';
import { defaultOutPath } from './resolve-options.js';

/** How a path owns others: itself only, everything inside it (a folder), or every name it begins. */
export type PathMatch = 'same' | 'inside' | 'prefix';

/** One path the program reads or writes, with the role a message names it by. */
export interface NamedPath {
  /** As a message names it: "the input file", "`--log-file`". */
  readonly role: string;
  /** As given. */
  readonly path: string;
  /** A path that is only read cannot be destroyed, so two reads never clash. */
  readonly writes: boolean;
  /** @default 'same' */
  readonly match?: PathMatch;
}

/** The files that set the options, besides the options themselves. */
export interface SettingFiles {
  readonly summaryJson?: string | undefined;
  readonly config?: string | undefined;
  readonly envFile?: string | undefined;
}

/** Where a path really is: its real path, and for a file that exists its identity (device, inode). */
interface Located {
  readonly named: NamedPath;
  readonly real: string;
  readonly id: string | undefined;
}

/**
 * The real path of `file`: links resolved, also a link that points to a file not written yet;
 * for a path that does not exist, its nearest existing folder's real path and the rest as given.
 */
async function realPathOf(file: string, links = 0): Promise<string> {
  const absolute = path.resolve(file);
  const real = await realpath(absolute).catch(() => undefined);
  if (real !== undefined) return real;
  const target = links < 32 ? await readlink(absolute).catch(() => undefined) : undefined;
  if (target !== undefined) return realPathOf(path.resolve(path.dirname(absolute), target), links + 1);
  const parent = path.dirname(absolute);
  return parent === absolute ? absolute : path.join(await realPathOf(parent, links), path.basename(absolute));
}

async function locate(named: NamedPath): Promise<Located> {
  const real = await realPathOf(named.path);
  const info = named.match === 'prefix' ? undefined : await stat(real).catch(() => undefined);
  return { named, real, id: info ? `${info.dev}:${info.ino}` : undefined };
}

/** A clash: the path that would be written, and what it would destroy. */
interface Clash {
  readonly writer: NamedPath;
  readonly other: NamedPath;
}

const owns = (p: Located): boolean => p.named.match === 'inside' || p.named.match === 'prefix';

/**
 * Whether writing one of `a` and `b` would touch the other. The writer named is the path inside
 * a folder or name (the owner) that it is not, else the one written, else the first.
 */
function clashOf(a: Located, b: Located): Clash | undefined {
  if (!a.named.writes && !b.named.writes) return undefined;
  if (owns(a) || owns(b)) {
    const [owner, other] = owns(b) ? [b, a] : [a, b];
    // The inbox moves only what it finds to process: a file it merely reads is safe in its folder.
    if (owner.named.match === 'inside' && !other.named.writes) return undefined;
    const inside =
      owner.named.match === 'inside'
        ? other.real === owner.real || other.real.startsWith(owner.real + path.sep)
        : other.real.startsWith(owner.real);
    return inside ? { writer: other.named, other: owner.named } : undefined;
  }
  const same = (a.id !== undefined && a.id === b.id) || a.real === b.real;
  if (!same) return undefined;
  return a.named.writes ? { writer: a.named, other: b.named } : { writer: b.named, other: a.named };
}

function clashMessage({ writer, other }: Clash): string {
  const where =
    other.match === 'inside'
      ? `is inside ${other.role} ${other.path}, whose files the program moves and writes`
      : other.match === 'prefix'
        ? `is named as ${other.role} (${other.path}…)`
        : `is the same file as ${other.role} ${other.path}`;
  return `${writer.role} ${writer.path} ${where}; nothing was sent. Give ${writer.role} a path of its own`;
}

/**
 * The first clash among `paths` as a usage-error message, or undefined. With `only`, just the
 * clashes of that one path with the others (is the summary safe to write?).
 */
export async function findPathClash(
  paths: readonly NamedPath[],
  only?: NamedPath,
): Promise<string | undefined> {
  const located = await Promise.all([...(only ? [only] : []), ...paths].map(locate));
  for (let i = 0; i < located.length; i++) {
    for (let j = i + 1; j < located.length; j++) {
      if (only && i > 0) return undefined;
      const clash = clashOf(located[i] as Located, located[j] as Located);
      if (clash) return clashMessage(clash);
    }
  }
  return undefined;
}

/** Throw the usage error for the first clash among `paths`, if any. */
export async function checkPathClash(paths: readonly NamedPath[]): Promise<void> {
  const clash = await findPathClash(paths);
  if (clash !== undefined) throw new UsageError(clash);
}

/** `--summary-json`, as it is compared with the rest. */
export function summaryPath(file: string): NamedPath {
  return { role: '`--summary-json`', path: file, writes: true };
}

/** The paths of the setting files and the secret files: read only. */
function readPaths(
  files: SettingFiles,
  secrets: { clientSecretFile?: unknown; tokenFile?: unknown },
): NamedPath[] {
  const read = (role: string, file: unknown): NamedPath[] =>
    typeof file === 'string' && file !== '' ? [{ role, path: file, writes: false }] : [];
  return [
    ...read('the `--config` file', files.config),
    ...read('the `--env-file`', files.envFile),
    ...read('the `--client-secret-file`', secrets.clientSecretFile),
    ...read('the `--token-file`', secrets.tokenFile),
  ];
}

/**
 * The results file and the files named after it: its lock, and a resume's partial files. `given`:
 * `--out` named it; else it is the default name beside the input, and a message says so.
 */
function resultsPaths(out: string, given: boolean): NamedPath[] {
  return [
    {
      role: given ? 'the results file (`--out`)' : 'the default results file (no `--out` given)',
      path: out,
      writes: true,
    },
    { role: 'the lock file of the results', path: `${out}.lock`, writes: true, match: 'prefix' },
    { role: 'a resume file of the results', path: `${out}.partial-`, writes: true, match: 'prefix' },
  ];
}

/** The log file and the summary file, when asked for. */
function reportPaths(logFile: unknown, summaryJson: string | undefined): NamedPath[] {
  return [
    ...(typeof logFile === 'string' && logFile !== ''
      ? [{ role: '`--log-file`', path: logFile, writes: true }]
      : []),
    ...(summaryJson === undefined ? [] : [summaryPath(summaryJson)]),
  ];
}

/** Every path one file's run reads or writes, from its resolved options (`outGiven`: by `--out`). */
export function fileCommandPaths(options: Options, files: SettingFiles, outGiven = true): NamedPath[] {
  // The log and the summary first, so a message names them rather than the results they would destroy.
  return [
    ...reportPaths(options.logFile, files.summaryJson),
    ...resultsPaths(options.out, outGiven),
    ...(options.file === '-' ? [] : [{ role: 'the input file', path: options.file, writes: false }]),
    ...readPaths(files, options),
  ];
}

/** Every path the inbox reads or writes: its whole folder is its own. */
export function inboxPaths(dir: string, shared: Options, files: SettingFiles): NamedPath[] {
  return [
    { role: 'the inbox folder', path: dir, writes: true, match: 'inside' },
    ...reportPaths(shared.logFile, files.summaryJson),
    ...readPaths(files, shared),
  ];
}

/**
 * The paths named by raw values (the command line over the config file), for a run that failed
 * before its options were resolved: without `--out`, both default results files are counted.
 */
export function givenPaths(target: { file: string } | { dir: string }, values: RawFlags): NamedPath[] {
  const given = (name: 'out' | 'log-file' | 'config' | 'env-file') => {
    const value = values[name];
    return typeof value === 'string' ? value.trim() : undefined;
  };
  const secrets = { clientSecretFile: values['client-secret-file'], tokenFile: values['token-file'] };
  const files = { config: given('config'), envFile: given('env-file') };
  if ('dir' in target) {
    return [
      { role: 'the inbox folder', path: target.dir, writes: true, match: 'inside' },
      ...reportPaths(given('log-file'), undefined),
      ...readPaths(files, secrets),
    ];
  }
  const out = given('out');
  const defaults =
    target.file === '-'
      ? []
      : ([undefined, 'dry-run', 'plan'] as const).map((preview) => defaultOutPath(target.file, preview));
  return [
    ...reportPaths(given('log-file'), undefined),
    ...(out ? resultsPaths(out, true) : defaults.flatMap((d) => resultsPaths(d, false))),
    ...(target.file === '-' ? [] : [{ role: 'the input file', path: target.file, writes: false }]),
    ...readPaths(files, secrets),
  ];
}
