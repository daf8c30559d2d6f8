/**
 * `cloudcockpit-bulk serve`: resolve the server's own options as for a run (connection,
 * credentials from the environment, an env file or a secret file, pace), check the page's own
 * flags, start the page's server and print the link to open; an interrupt stops it, finishing the
 * rows in flight of a run that goes, as it would for a CLI run. The only importer of src/server.
 */
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { checkLogFile } from '../report/logger.js';
import type { Writable } from 'node:stream';
import type { NumberRange, RawFlags } from './option-table.js';
import { SERVE_OPTION_SPECS, type ServeFlagName } from './serve-options.js';
import type { ServeCommand } from './parser.js';
import { resolveOptions } from './resolve-options.js';

/** The page's own settings, checked. */
interface ServeFlags {
  readonly host: string;
  readonly port: number;
  readonly maxUploadMb: number;
  readonly dataDir: string;
}

/** A number flag of `serve`, within its range (`` Expected `--port` to be an integer from 0 to 65535, got `x` ``). */
function number(given: ServeCommand['serve'], name: ServeFlagName): number {
  const { range } = SERVE_OPTION_SPECS[name] as { range: NumberRange };
  const value = given[name];
  if (value === undefined) return range.default;
  const n = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value);
  if (!(range.integer ? Number.isInteger(n) : Number.isFinite(n)) || n < range.min || n > range.max) {
    const what = `${range.integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max}`;
    throw new UsageError(`Expected \`--${name}\` to be ${what}, got \`${String(value)}\``);
  }
  return n;
}

/** A text flag of `serve`, or its default. */
function text(given: ServeCommand['serve'], name: ServeFlagName, fallback: string): string {
  const value = given[name];
  if (value === undefined) return fallback;
  if (String(value).trim() === '')
    throw new UsageError(`Expected \`--${name}\` to be a non-empty text, got \`\``);
  return String(value).trim();
}

/** Check the page's flags. */
export function resolveServeFlags(given: ServeCommand['serve'], env: NodeJS.ProcessEnv): ServeFlags {
  const home = env.HOME ?? os.homedir();
  const host = text(given, 'host', '127.0.0.1');
  // Requests must name the bound address in their Host header (against DNS rebinding): a wildcard
  // address has no one name to check against.
  if (host === '0.0.0.0' || host === '::' || host === '[::]') {
    throw new UsageError(
      `\`--host ${host}\` listens on every address, so the page could not check which one it was reached at; ` +
        "give the one address of this machine's network interface to listen on (e.g. 192.168.1.20)",
    );
  }
  return {
    host,
    port: number(given, 'port'),
    maxUploadMb: number(given, 'max-upload-mb'),
    dataDir: path.resolve(text(given, 'data-dir', path.join(home, '.cloudcockpit-bulk', 'serve'))),
  };
}

/** Whether `host` is this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Resolves when `signal` aborts (never, without one). */
function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** What `serve` needs of `main`'s world (its `MainIo`). */
interface ServeIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stderr: Writable;
  /** Aborted by an interrupt: the server stops. */
  readonly signal?: AbortSignal | undefined;
}

/** Serve the page until interrupted; resolves to the exit code (0: stopped as asked). */
export async function runServeCommand(line: ServeCommand, config: RawFlags, io: ServeIo): Promise<number> {
  const base = resolveOptions('run', 'serve', line.flags, io.env, config);
  const flags = resolveServeFlags(line.serve, io.env);
  if (base.logFile !== undefined) await checkLogFile(base.logFile);
  if (!isLoopback(flags.host)) {
    io.stderr.write(
      `cloudcockpit-bulk serve: warning: --host ${flags.host} makes the page reachable from other machines; ` +
        "anyone with the link can run changes with this server's credentials, over plain http. Prefer the default, 127.0.0.1.\n",
    );
  }
  // Imported here, not at the top: Fastify and the page's modules cost a run that never serves
  // (every other command) about a tenth of a second of start-up, several times that on a busy machine.
  const { startPageServer } = await import('../server/server.js');
  const server = await startPageServer({
    host: flags.host,
    port: flags.port,
    maxUploadMb: flags.maxUploadMb,
    dataDir: flags.dataDir,
    base,
    env: io.env,
    stderr: io.stderr,
  });
  io.stderr.write(
    `cloudcockpit-bulk serve: the page is ready. Open this link in your browser (it holds the access token: do not share it):\n` +
      `    ${server.url}\n` +
      `Uploads and results are kept in ${flags.dataDir}. Press Ctrl-C to stop.\n`,
  );
  await aborted(io.signal);
  await server.close();
  return 0;
}
