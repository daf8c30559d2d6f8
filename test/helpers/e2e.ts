/**
 * The set-up the end-to-end files share: a simulator and a temporary folder for each test, the
 * environment that points the CLI at that simulator, and the CLI started as a process to stop.
 */
import { afterEach, beforeEach } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server.js';
import { BIN, cleanEnv, simEnv } from './cli.js';
import { tempDir } from './files.js';

/** The simulator of the running test (a live binding: read it inside a test, not at import). */
export let sim: Simulator;
/** The running test's own temporary folder. */
export let dir: string;

/** Before each test a simulator started with `options` and a new folder; the simulator closed after. */
export function simulatorForEachTest(options: () => SimulatorOptions = () => ({})): void {
  beforeEach(async () => {
    sim = await startSimulator(options());
    dir = await tempDir();
  });
  afterEach(async () => {
    await sim.close();
  });
}

/** Before each test a new folder; after it, the simulator the test started for itself closed. */
export function folderForEachTest(started: () => Simulator): void {
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await started().close();
  });
}

/** The environment that points a run at this test's simulator, plus `extra`. */
export const env = (extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv => simEnv(sim.url, extra);

/** PATCH requests the simulator received: the rows sent (a ready token's check is a GET). */
export const patches = (): number => sim.counters.byMethod.PATCH ?? 0;

/** Start the CLI with `args`; `done` resolves with its exit code and stderr once it has exited. */
export function start(
  args: string[],
  environment: NodeJS.ProcessEnv = env(),
): { child: ChildProcess; done: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(environment), stdio: 'pipe' });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return { child, done };
}

/** Data lines fully written so far (a torn last line does not count). */
export async function writtenRows(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return Math.max(0, text.split('\r\n').length - 2);
}

/** A correlation id's shape: a lower-case UUID. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Write `lines` as the file `name` in this test's folder, each ended by CRLF; returns its path. */
export async function input(name: string, lines: string[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, lines.join('\r\n') + '\r\n');
  return file;
}
