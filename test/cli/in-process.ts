/** Calls the command line's `main` in this process, as the property and cli tests do. */
import { main } from '../../src/cli/cli.js';
import { Collector } from '../helpers/collector.js';

export { Collector };

/** How one call of `main` ended. */
export interface MainRun {
  readonly code: number;
  readonly stderr: string;
  /** The lines on stderr, blank ones left out. */
  readonly lines: string[];
}

/**
 * Run `main(args)` with `env` as its whole environment and its own stderr; passing a signal
 * keeps `main` from installing signal handlers or tuning V8 in the test's process.
 */
export async function runMain(args: string[], env: NodeJS.ProcessEnv): Promise<MainRun> {
  const stderr = new Collector();
  const code = await main(args, { env: { ...env }, stderr, signal: new AbortController().signal });
  return { code, stderr: stderr.text, lines: stderr.text.split('\n').filter((l) => l.trim() !== '') };
}
