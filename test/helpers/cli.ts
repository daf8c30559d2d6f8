/** Runs the built CLI as a real process, the way a person or cron would. */
import { spawn } from 'node:child_process';
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

/** The built executable (`npm test` builds first). */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/bin.js');

/** What a finished process left behind. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment for a run: nothing inherited that could change behaviour, plus `env`. */
export function cleanEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, ...env };
}

/** The bearer token the simulator always accepts. */
export const SIM_TOKEN = 'sim-static-token';

/** The environment that points a run at the simulator at `url`, with its static token, plus `extra`. */
export function simEnv(url: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    CLOUDCOCKPIT_TENANT: 'portal.cloudcockpit.com',
    CLOUDCOCKPIT_BASE_URL: url,
    CLOUDCOCKPIT_TOKEN: SIM_TOKEN,
    ...extra,
  };
}

/** Run the CLI with `args` and `env`, optionally feeding `stdin`; resolves when it exits. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string): Promise<CliRun> {
  return runProcess(process.execPath, [BIN, ...args], env, stdin);
}

/**
 * Run the built executable itself, through its `#!` line, as the installed `cloudcockpit-bulk`
 * command runs (npm makes the file executable on install; so does this).
 */
export async function runInstalled(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  await chmod(BIN, 0o755);
  return runProcess(BIN, args, env);
}

/** Run the CLI as the user and group ids given (root's tests use nobody, 65534, to meet read-only folders). */
export function runCliAs(
  args: string[],
  env: NodeJS.ProcessEnv,
  ids: { readonly uid: number; readonly gid: number },
): Promise<CliRun> {
  return runProcess(process.execPath, [BIN, ...args], env, undefined, ids);
}

function runProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdin?: string,
  ids: { readonly uid?: number; readonly gid?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: cleanEnv(env), stdio: 'pipe', ...ids });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/** A results file as objects keyed by column name (BOM checked and dropped). */
export async function readResults(file: string): Promise<Record<string, string>[]> {
  const text = await readFile(file, 'utf8');
  if (!text.startsWith('\ufeff')) throw new Error(`${file} does not start with a BOM`);
  return parse(text.slice(1), { columns: true }) as Record<string, string>[];
}
