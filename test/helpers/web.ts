/**
 * The page's server for tests: the built CLI's `serve` as a real process (or the server in this
 * process), the access cookie from its printed link, requests with or without it, and the browser
 * (Debian's Chromium through playwright-core) when the machine has one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BIN, cleanEnv } from './cli.js';

/** A `serve` process and where it listens. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** The link it printed, with the token. */
  readonly url: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** What it wrote on stderr so far. */
  stderr(): string;
  /** Stop it with `signal` and resolve to its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Start `cloudcockpit-bulk serve ARGS` with `env`; resolves once it printed its link. */
export function startServe(args: string[], env: NodeJS.ProcessEnv): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const url = /(http:\/\/\S+\/\?token=\S+)/.exec(stderr)?.[1];
      if (url === undefined) return;
      resolve({
        child,
        url,
        origin: new URL(url).origin,
        stderr: () => stderr,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`serve exited (${code}) before it was ready:\n${stderr}`)));
  });
}

/** Open the printed link as a browser would: the access cookie it sets (`name=value`). */
export async function accessCookie(url: string): Promise<string> {
  const answer = await fetch(url, { redirect: 'manual' });
  const cookie = answer.headers.get('set-cookie');
  if (answer.status !== 303 || cookie === null) throw new Error(`no cookie from ${url}: ${answer.status}`);
  return cookie.split(';')[0] as string;
}

/** Requests to the page's server as its own page makes them: with the cookie and, to change, its Origin. */
export function pageClient(origin: string, cookie: string) {
  const headers = (extra: Record<string, string> = {}) => ({ cookie, ...extra });
  return {
    get: (path: string) => fetch(`${origin}${path}`, { headers: headers() }),
    post: (path: string, body?: unknown) =>
      fetch(`${origin}${path}`, {
        method: 'POST',
        headers: headers(body === undefined ? { origin } : { origin, 'content-type': 'application/json' }),
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    upload: (name: string, content: string | Buffer) => {
      const form = new FormData();
      form.append('file', new Blob([content]), name);
      return fetch(`${origin}/api/uploads`, { method: 'POST', headers: headers({ origin }), body: form });
    },
  };
}

/** The client `pageClient` makes. */
export type PageClient = ReturnType<typeof pageClient>;

/** Where Chromium is expected (Debian's package), unless CCB_CHROMIUM names another. */
export const CHROMIUM = process.env.CCB_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run here. In CI (CI=true) they must: a missing browser is then a
 * failure, not a skip. Elsewhere they are skipped, saying so and why.
 */
export function browserTestsRun(file: string): boolean {
  if (existsSync(CHROMIUM) || process.env.CI === 'true') return true;
  console.warn(
    `${file}: browser tests SKIPPED: no Chromium at ${CHROMIUM} (install it with \`apt-get install chromium\`, ` +
      'or set CCB_CHROMIUM to a Chromium binary; in CI they run and fail instead)',
  );
  return false;
}

/** Chromium's launch options for this machine (as root it needs --no-sandbox). */
export function launchOptions() {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return { executablePath: CHROMIUM, args: root ? ['--no-sandbox'] : [] };
}

/** Wait until `check` is true, asking every 50 ms, at most `limitMs` (an outcome, not a timing figure). */
export async function until(check: () => Promise<boolean> | boolean, limitMs = 30_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('the condition never came true');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
