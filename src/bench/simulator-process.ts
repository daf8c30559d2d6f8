/**
 * The simulator in its own process, steered over its admin endpoints. A separate process keeps its
 * CPU and memory out of the figures measured for the CLI and out of the benchmark's event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { SimulatorStats } from '../simulator/admin.js';
import type { SimulatorOptions } from '../simulator/options.js';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** A running simulator process. */
export class SimulatorProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** Base URL of the API. */
    readonly url: string,
  ) {}

  /** Starts `<dist>/simulator/cli.js` on a free port and resolves once it has printed where it listens. */
  static start(dist: string, cwd: string, env: Record<string, string>): Promise<SimulatorProcess> {
    const cli = path.join(dist, 'simulator', 'cli.js');
    const args = [cli, '--port', '0', '--world', 'open', '--no-record'];
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Even if the benchmark dies of a bug, it must not leave a server behind.
    const orphaned = () => child.kill('SIGTERM');
    process.once('exit', orphaned);
    child.once('exit', () => process.off('exit', orphaned));
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      const fail = (why: string): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`The simulator did not start: ${why}${stderr ? `\n${stderr.trim()}` : ''}`));
      };
      const timer = setTimeout(() => fail(`no address within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4096)));
      child.once('error', (error) => fail(error.message));
      child.once('exit', (code) => fail(`it exited with code ${code}`));
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        const end = stdout.indexOf('\n');
        if (end < 0) return;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout.removeAllListeners('data');
        child.stdout.resume(); // nothing more is expected, but a full pipe must never block it
        try {
          const { url } = JSON.parse(stdout.slice(0, end)) as { url: string };
          resolve(new SimulatorProcess(child, url));
        } catch {
          fail(`unexpected first line ${JSON.stringify(stdout.slice(0, end))}`);
        }
      });
    });
  }

  private async admin(method: 'GET' | 'POST', route: string, body?: unknown): Promise<string> {
    const response = await fetch(`${this.url}/_sim/${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /_sim/${route} answered ${response.status}: ${text}`);
    return text;
  }

  /** Its process id, so its CPU time can be told apart from other processes'. */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Changes knobs (POST /_sim/config). */
  async configure(partial: Partial<SimulatorOptions>): Promise<void> {
    await this.admin('POST', 'config', partial);
  }

  /** Clears counters, stored values and the rate-limit window (POST /_sim/reset). */
  async reset(): Promise<void> {
    await this.admin('POST', 'reset');
  }

  /** The counters since the last reset (GET /_sim/stats). */
  async stats(): Promise<SimulatorStats> {
    return JSON.parse(await this.admin('GET', 'stats')) as SimulatorStats;
  }

  /** SIGTERM, then SIGKILL if it has not gone within a few seconds. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}
