/**
 * The signals that stop a run whose process `main` owns: Ctrl-C (SIGINT), a stop from a service
 * manager or Docker (SIGTERM), a terminal that closed (SIGHUP). Each stops the run cleanly; a
 * second one exits at once.
 */
import type { Writable } from 'node:stream';
import { interruptExitCode } from '../report/summary.js';

/** The interrupt signal of a run `main` owns the process for, and how to stop listening. */
export interface Interrupts {
  readonly signal: AbortSignal;
  readonly release: () => void;
}

/** The signals that stop a run: Ctrl-C, a stop from a service manager, a terminal that closed. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * SIGINT, SIGTERM and SIGHUP abort the run through the returned signal: the rows in flight finish,
 * the rest are `not_attempted`, the summary is written and the lock released. A second one exits at
 * once (128 + the signal's number).
 */
export function abortOnInterrupt(stderr: Writable): Interrupts {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (name: (typeof STOP_SIGNALS)[number]): void => {
    interrupts++;
    // A second interrupt means "now": the results file already holds a valid prefix.
    if (interrupts > 1) process.exit(interruptExitCode(name));
    // A terminal that closed refuses writes (EIO): the run must still finish, so they are dropped.
    if (name === 'SIGHUP') stderr.on('error', () => undefined);
    stderr.write(
      `\ncloudcockpit-bulk: ${name}: finishing the rows in flight (interrupt again to quit at once)\n`,
    );
    controller.abort(name);
  };
  const handlers = STOP_SIGNALS.map((name) => [name, () => onSignal(name)] as const);
  for (const [name, handler] of handlers) process.on(name, handler);
  const release = () => {
    for (const [name, handler] of handlers) process.off(name, handler);
  };
  return { signal: controller.signal, release };
}
