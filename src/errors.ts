/**
 * Errors that stop the run before anything is sent (exit 2). Row failures are never exceptions:
 * they are `RowResult` values; a run stopped part-way ends with a summary (exit 3), not an error.
 */

/** Stable codes, so callers never tell errors apart by their message text. */
export type RunErrorCode =
  | 'USAGE' // a bad option or combination of options
  | 'CONFIG' // missing configuration: tenant, token, credentials
  | 'INPUT' // the input file is unreadable or malformed
  | 'OUTPUT' // the results file cannot be written (exists, locked, unwritable)
  | 'AUTH'; // the token endpoint refused the credentials before anything was sent

/** Base class: a message meant for the person running the program, and the exit code. */
export class RunError extends Error {
  readonly code: RunErrorCode;
  readonly exitCode: number;

  constructor(code: RunErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunError';
    this.code = code;
    // A run that stops part-way is not an error but a summary (exit 3): these all mean nothing was sent.
    this.exitCode = 2;
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
