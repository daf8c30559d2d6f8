/**
 * Errors that stop the run itself. Row failures are never exceptions: they are `RowResult` values.
 * Each class carries the exit code it leads to, so the exit code is decided in one place (`exitCodeOf`).
 */

/** Stable codes, so callers never tell errors apart by their message text. */
export type RunErrorCode =
  | 'USAGE' // a bad option or combination of options
  | 'CONFIG' // missing configuration: tenant, token, credentials
  | 'INPUT' // the input file is unreadable or malformed
  | 'OUTPUT' // the results file cannot be written (exists, locked, unwritable)
  | 'AUTH' // the token endpoint refused the credentials before anything was sent
  | 'ABORTED'; // the run stopped part-way (token refused mid-run, --max-failures)

/** Base class: a message meant for the person running the program, and the exit code. */
export class RunError extends Error {
  readonly code: RunErrorCode;
  readonly exitCode: number;

  constructor(code: RunErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunError';
    this.code = code;
    this.exitCode = code === 'ABORTED' ? 3 : 2;
  }
}

/** A bad option value: names the option, what was expected and what was given. */
export class UsageError extends RunError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/** Missing configuration (tenant, token, credentials). */
export class ConfigError extends RunError {
  constructor(message: string) {
    super('CONFIG', message);
    this.name = 'ConfigError';
  }
}

/** A structurally malformed or unreadable input file, with where the problem is. */
export class InputError extends RunError {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(file: string, message: string, where: { line?: number; column?: number } = {}) {
    const place = [
      file,
      where.line === undefined ? undefined : `line ${where.line}`,
      where.column === undefined ? undefined : `column ${where.column}`,
    ]
      .filter(Boolean)
      .join(', ');
    super('INPUT', `${place}: ${message}`);
    this.name = 'InputError';
    this.file = file;
    this.line = where.line;
    this.column = where.column;
  }
}

/** The results file cannot be created or written. */
export class OutputError extends RunError {
  constructor(message: string) {
    super('OUTPUT', message);
    this.name = 'OutputError';
  }
}

/** The run stopped part-way; the rows not sent are written as `not_attempted`. */
export class AbortError extends RunError {
  constructor(message: string) {
    super('ABORTED', message);
    this.name = 'AbortError';
  }
}
