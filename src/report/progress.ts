/**
 * Progress for long runs. On a terminal: a bar (cli-progress) with rows done of the total known
 * from the preflight, rate, time left and failures so far; log lines are printed above it rather
 * than through it. Without a terminal (cron): a progress line in the log every ten seconds.
 */
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import type { MultiBar } from 'cli-progress';
import { plural } from './plural.js';

/** What progress is drawn from. */
export interface ProgressCounts {
  /** Rows whose result is written. */
  readonly done: number;
  readonly failed: number;
  readonly invalid: number;
}

/** How to report progress. */
export interface ProgressOptions {
  /** Rows in all; undefined when not known (a dry run reads the file once, so it counts as it goes). */
  readonly total: number | undefined;
  readonly read: () => ProgressCounts;
  /** The terminal, if there is one and a bar is wanted. */
  readonly terminal: TerminalStream | undefined;
  /** Where progress lines go when there is no bar (the logger). */
  readonly log: (line: string) => void;
  /** @default 10000 */
  readonly intervalMs?: number;
}

/**
 * stderr as the logger sees it: while a bar is shown, each log line is printed above the bar
 * instead of being written through it.
 */
export class TerminalStream extends Writable {
  /** The bar being shown, if any. */
  bar: MultiBar | undefined;

  constructor(readonly target: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }) {
    super();
  }

  get isTTY(): boolean {
    return this.target.isTTY === true;
  }

  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    const text = chunk.toString();
    if (this.bar) this.bar.log(text.endsWith('\n') ? text : `${text}\n`);
    else this.target.write(text);
    callback();
  }
}

/** Human duration: `42 s`, `3 min 5 s`, `1 h 2 min`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** One progress line for logs. */
export function progressLine(
  counts: ProgressCounts,
  total: number | undefined,
  elapsedSeconds: number,
): string {
  const rate = elapsedSeconds > 0 ? counts.done / elapsedSeconds : 0;
  const tail = `${rate.toFixed(1)} rows/s, ${counts.failed} failed, ${counts.invalid} invalid`;
  if (total === undefined) return `progress: ${plural(counts.done, 'row')} so far, ${tail}`;
  const left = rate > 0 ? (total - counts.done) / rate : Number.POSITIVE_INFINITY;
  const percent = total > 0 ? Math.floor((counts.done / total) * 100) : 100;
  return (
    `progress: ${counts.done} of ${plural(total, 'row')} (${percent}%), ${tail}, ` +
    `about ${duration(left)} left`
  );
}

/**
 * cli-progress, loaded only when a bar is drawn: a run without a terminal (cron, the benchmark,
 * the page) never needs it, and it cost every start-up 7-30 ms. Required, not imported, so that
 * starting the bar stays synchronous.
 */
function loadCliProgress(): typeof import('cli-progress') {
  return createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
}

/** Start reporting; call the returned function when the run ends. */
export function startProgress(options: ProgressOptions): () => void {
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const { terminal } = options;
  if (terminal) {
    const cliProgress = loadCliProgress();
    const bar = new cliProgress.MultiBar(
      {
        stream: terminal.target as NodeJS.WritableStream,
        format:
          ' {bar} {percentage}% | {value}/{total} rows | {speed} rows/s | {left} left | {failed} failed, {invalid} invalid',
        barCompleteChar: '█',
        barIncompleteChar: '░',
        hideCursor: true,
        clearOnComplete: false,
        fps: 5,
        etaBuffer: 100,
      },
      cliProgress.Presets.shades_classic,
    );
    const { total } = options;
    // Without a total there is no share or time left to show: the rows so far, their pace, failures.
    const unknown = { format: ' {value} rows so far | {speed} rows/s | {failed} failed, {invalid} invalid' };
    const payload = { speed: '0.0', left: '…', failed: 0, invalid: 0 };
    const line = bar.create(total ?? 0, 0, payload, total === undefined ? unknown : {});
    terminal.bar = bar;
    const update = (): void => {
      const counts = options.read();
      const rate = counts.done / Math.max(elapsed(), 0.001);
      line.update(counts.done, {
        speed: rate.toFixed(1),
        left: rate > 0 && total !== undefined ? duration((total - counts.done) / rate) : '…',
        failed: counts.failed,
        invalid: counts.invalid,
      });
    };
    const timer = setInterval(update, 200);
    return () => {
      clearInterval(timer);
      update();
      bar.stop();
      terminal.bar = undefined;
    };
  }
  const timer = setInterval(
    () => options.log(progressLine(options.read(), options.total, elapsed())),
    options.intervalMs ?? 10_000,
  );
  timer.unref();
  return () => clearInterval(timer);
}
