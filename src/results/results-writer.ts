/**
 * The results file: UTF-8 with a BOM, comma-separated, the contract's columns, one row per input
 * row in input order. Rows are on disk within FLUSH_INTERVAL_MS of being written, so a crash
 * leaves a valid prefix missing at most the last few rows. Every text cell that a spreadsheet
 * could run as a formula is neutralised.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { once } from 'node:events';
import { OutputError } from '../errors.js';
import { cannotCreate } from './cannot-create.js';
import { normaliseName } from '../input/header.js';
import type { Kind } from '../kinds.js';
import { redactor } from '../report/redact.js';
import type { ResultLine, UnrecordedRow } from '../result.js';
import { WrittenRows } from './written-rows.js';
import { BOM, csvRecord, RECORD_END } from './csv-line.js';

/** The columns after the kind's three input columns. */
export const RESULT_COLUMNS = [
  'status',
  'httpStatus',
  'attempts',
  'correlationId',
  'errorType',
  'errorDescription',
  'errorDetails',
  'previousValue',
] as const;

/** The header of a results file for `kind`, with any carried extra columns at the end. */
export function resultsHeader(kind: Kind, extraNames: readonly string[] = []): string[] {
  // Extra names come from the input's header: as any other cell, they must not run as formulas.
  return ['line', ...kind.columns, ...RESULT_COLUMNS, ...carriedNames(kind, extraNames).map(neutralise)];
}

/** What a carried column that clashes with one of the results file's own columns is called instead. */
export const CARRIED_PREFIX = 'input:';

/**
 * The names of the extra columns carried by `--keep-columns`. One named like a column of the
 * results file (`line`, `status`, `correlationId`…, compared as header names are: case, spaces,
 * `_` and `-` do not matter) would give the file two columns of that name that disagree, so it is
 * called `input:status`, and `input:input:status` if the input has that one too.
 */
export function carriedNames(kind: Kind, extraNames: readonly string[]): string[] {
  const own = new Set(['line', ...kind.columns, ...RESULT_COLUMNS].map(normaliseName));
  const taken = new Set([...own, ...extraNames.map(normaliseName)]);
  return extraNames.map((name) => {
    if (!own.has(normaliseName(name))) return name;
    let carried = `${CARRIED_PREFIX}${name}`;
    while (taken.has(normaliseName(carried))) carried = `${CARRIED_PREFIX}${carried}`;
    taken.add(normaliseName(carried));
    return carried;
  });
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell a spreadsheet would run as a formula gets a leading apostrophe, which Excel shows as text. */
export function neutralise(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** Text from the API or the network, made safe for the file: no secret, no formula. */
function safe(text: string | undefined): string {
  return text === undefined ? '' : neutralise(redactor.redact(text));
}

/** The cells of one results row, in header order. */
export function resultCells(row: ResultLine): string[] {
  const r = row.result;
  const [a, b, c] = row.cells;
  // Written out rather than spread: this runs for every row of the file.
  const cells = [
    String(row.line),
    neutralise(a),
    neutralise(b),
    neutralise(c),
    r.status,
    r.httpStatus === undefined ? '' : String(r.httpStatus),
    String(r.attempts),
    r.correlationId ?? '',
    safe(r.errorType),
    safe(r.errorDescription),
    safe(r.errorDetails),
    // Read from the API: as untrusted as its error text. A cleared value is written empty.
    safe(r.previousValue ?? undefined),
  ];
  for (const extra of row.extras) cells.push(neutralise(extra));
  return cells;
}

/**
 * How long a finished row may wait in memory before it is written. Rows that finish within it go
 * to disk in one write: at the API's pace a write per row meant a thread-pool round trip per row,
 * which delayed the answers the process was waiting for (50 ms answers, 5,000 rows: 16.8 s with a
 * write per row, 16.6 s with this). A crash loses at most this much of the file's tail; those rows
 * are missing, so `--resume` sends them again.
 */
export const FLUSH_INTERVAL_MS = 20;

/**
 * The text waiting for one write: past it, the rows go to the file at once. A dry run produces
 * rows faster than the timer fires; one write per 64 KiB keeps its system calls few.
 */
const BATCH_CHARS = 64 * 1024;

/**
 * Writes results rows, in the order given, to a new file. If the file cannot be written (a full
 * disk), `failed` says so and every later row is dropped rather than held: the run is to stop, and
 * a file that ends early is what `--resume` continues. On closing, such a file is cut back to its
 * last whole row, and `unrecorded()` names the rows sent that it does not hold.
 */
export class ResultsWriter {
  /** Set while rows are held back. */
  private flushTimer: NodeJS.Timeout | undefined;
  /** The rows held back, as the file's text. */
  private held = '';
  /** The first error writing the file, as a message for a person. */
  private failure: OutputError | undefined;
  /** Resolves with the first error writing the file; never rejects. */
  readonly failed: Promise<OutputError>;
  /** Resolves when the file is closed, after an error too. */
  private readonly fileClosed: Promise<void>;
  /** Callers of `drained()` waiting now; a failure wakes them, as 'drain' would never come. */
  private readonly drainWaiters = new Set<() => void>();
  /** Which rows are on disk, so that a failure knows where the file's last whole row ends. */
  private readonly rows = new WrittenRows();

  private constructor(
    private readonly file: WriteStream,
    readonly path: string,
    resumable: boolean,
  ) {
    let fail!: (error: OutputError) => void;
    this.failed = new Promise((resolve) => (fail = resolve));
    this.fileClosed = new Promise((resolve) => file.once('close', () => resolve()));
    // The file stream closes itself after an error.
    file.on('error', (error: NodeJS.ErrnoException) => {
      if (this.failure) return;
      this.rows.written(file.bytesWritten);
      this.failure = new OutputError(
        `the results file cannot be written (${error.message}); free some space (or fix the cause), then ` +
          (resumable ? 'run the same command with --resume' : 'run it again with --overwrite'),
      );
      fail(this.failure);
      for (const wake of this.drainWaiters) wake();
    });
  }

  /** The first error writing the file, once there was one. */
  get error(): OutputError | undefined {
    return this.failure;
  }

  /**
   * Create the file. It is opened with O_EXCL unless `overwrite`, so an existing file is never
   * replaced by accident, even by a second run started at the same moment. `resumable` (default
   * true) says whether `--resume` can continue the file: a dry run's cannot, so its messages
   * never suggest it.
   */
  static async create(
    path: string,
    header: readonly string[],
    options: { overwrite: boolean; resumable?: boolean },
  ): Promise<ResultsWriter> {
    const resumable = options.resumable ?? true;
    const file = createWriteStream(path, { flags: options.overwrite ? 'w' : 'wx' });
    try {
      await once(file, 'open');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
        throw cannotCreate('the results file', path, error);
      throw new OutputError(
        `The results file ${path} already exists. Choose another --out, ` +
          (resumable ? 'add --resume to continue it, ' : '') +
          'or --overwrite to replace it',
      );
    }
    const writer = new ResultsWriter(file, path, resumable);
    writer.hold(undefined, `${BOM}${csvRecord(header)}`);
    writer.flush();
    return writer;
  }

  /** Append one row. False means the stream wants a pause: wait for `drained()` before writing more. */
  write(row: ResultLine): boolean {
    if (this.failure) {
      this.rows.drop(row); // nothing can be written any more
      return true;
    }
    return this.hold(row, csvRecord(row.raw ?? resultCells(row)));
  }

  /** Hold `record` (of `row`, or the header) for the next write; false if the file wants a pause. */
  private hold(row: ResultLine | undefined, record: string): boolean {
    this.rows.added(row, Buffer.byteLength(record) + RECORD_END.length);
    this.held += record;
    this.held += RECORD_END;
    // Rows come faster than the timer (a dry run): write them now, not when it fires.
    if (this.held.length >= BATCH_CHARS) return this.flush();
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
    return !this.file.writableNeedDrain;
  }

  /** Write the rows held back, now; false if the file wants a pause. */
  private flush(): boolean {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.held === '' || this.failure) return !this.file.writableNeedDrain;
    this.rows.written(this.file.bytesWritten);
    const text = this.held;
    this.held = '';
    return this.file.write(text);
  }

  /** Resolves when the stream can take more after `write` returned false. */
  async drained(): Promise<void> {
    if (this.flush() || this.failure) return;
    // Not Promise.race with `failed`: each race would leave a reaction on that promise, which
    // settles at most once, and a long run waits here tens of thousands of times.
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        this.file.off('drain', wake);
        this.drainWaiters.delete(wake);
        resolve();
      };
      this.file.on('drain', wake);
      this.drainWaiters.add(wake);
    });
  }

  private closing: Promise<void> | undefined;

  /**
   * Flush everything to disk and close the file (once, however often it is called). A failure to
   * write, also of these last rows, is not thrown: `error` holds it, and the file is cut back to
   * its last whole row (cutting frees space, so it works on a full disk too).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.flush();
      if (this.failure) this.file.destroy();
      else this.file.end();
      await this.fileClosed;
      if (this.failure) await truncate(this.path, this.rows.wholeBytes).catch(() => undefined);
    })();
    return this.closing;
  }

  /** The rows this run sent whose results are not in the file because it failed; none while it works. */
  unrecorded(): UnrecordedRow[] {
    return this.failure ? this.rows.unrecorded() : [];
  }
}
