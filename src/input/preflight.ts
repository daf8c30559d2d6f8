/**
 * The first pass over the whole input, before anything is sent: find the encoding, delimiter,
 * header and kind, and make sure the file is well-formed all the way to its end. A malformed file
 * is refused here with its line and column, so it changes nothing. Memory stays flat: records are
 * counted, not kept; what is kept is the file's fingerprint, so that a later pass sends only what
 * was checked here, and the row number of each data row (see row-lines.ts).
 */
import { InputError } from '../errors.js';
import { answerBadBytes } from './encoding-refusal.js';
import { currentIdentity, identityChange } from './file-identity.js';
import { InputChangedError, type Fingerprint } from './fingerprint.js';
import { matchHeader, type HeaderMap } from './header.js';
import type { Kind } from '../kinds.js';
import { EncodingError, readRecords, sniffInput, type InputFormat } from './reader.js';
import { RowLines } from './row-lines.js';
import { describeProblems, validateRecord } from './validate.js';

/** What the first pass learnt. */
export interface PreflightResult {
  readonly format: InputFormat;
  readonly header: HeaderMap;
  /** Data rows (blank rows not counted); undefined when only the header was read. */
  readonly rows: number | undefined;
  /** The row number of each data row; undefined when only the header was read. */
  readonly lines: RowLines | undefined;
  /** Rows that fail local validation; undefined when only the header was read. */
  readonly invalid: number | undefined;
  /** The first few invalid rows, for `--strict`'s message. */
  readonly firstInvalid: readonly { readonly line: number; readonly problem: string }[];
  /** The file as this pass read it: every later pass is checked against it. */
  readonly fingerprint: Fingerprint;
  /** Things a person should know, e.g. the encoding was guessed. */
  readonly warnings: readonly string[];
}

/** What the first pass needs. */
export interface PreflightOptions {
  readonly kind: Kind | undefined;
  readonly encoding: string | undefined;
  readonly delimiter: string | undefined;
  /** The worksheet of a workbook to read. */
  readonly sheet?: string | undefined;
  readonly allowClear: boolean;
  readonly acceptNumbers: boolean;
  /**
   * Read only as far as the header. A dry run does this: it reads every row once anyway, and
   * deletes its results if the file turns out malformed, so a second pass would only cost time.
   */
  readonly headerOnly?: boolean;
}

async function scan(file: string, displayName: string, format: InputFormat, options: PreflightOptions) {
  let header: HeaderMap | undefined;
  let fingerprint: Fingerprint | undefined;
  const lines = new RowLines();
  let invalid = 0;
  const firstInvalid: { line: number; problem: string }[] = [];
  const guard = { recorded: (f: Fingerprint) => (fingerprint = f) };
  for await (const record of readRecords(file, displayName, format, guard)) {
    if (header === undefined) {
      header = matchHeader(record.cells, options.kind, displayName, record.line);
      if (options.headerOnly) break;
      continue;
    }
    lines.add(record.line);
    const validation = validateRecord(header, record.cells, options);
    if ('problems' in validation) {
      invalid++;
      if (firstInvalid.length < 5)
        firstInvalid.push({ line: record.line, problem: describeProblems(validation.problems) });
    }
  }
  if (header === undefined)
    throw new InputError(displayName, 'the file is empty: expected a header line and rows');
  fingerprint = fingerprint as unknown as Fingerprint;
  if (fingerprint.complete) await refuseChangedWhileRead(file, displayName, fingerprint);
  return options.headerOnly
    ? { header, rows: undefined, lines: undefined, invalid: undefined, firstInvalid, fingerprint }
    : { header, rows: lines.size, lines, invalid, firstInvalid, fingerprint };
}

/** The file was written while this pass read it: what was checked may be half old, half new. */
async function refuseChangedWhileRead(file: string, displayName: string, read: Fingerprint): Promise<void> {
  const now = await currentIdentity(file);
  const change = typeof now === 'string' ? now : identityChange(read.identity, now);
  if (change !== undefined) throw new InputChangedError(displayName, change);
}

/** Read the whole file once and check it; throws `InputError` if it cannot be used. */
export async function preflight(
  file: string,
  displayName: string,
  options: PreflightOptions,
): Promise<PreflightResult> {
  let format = await sniffInput(
    file,
    { encoding: options.encoding, delimiter: options.delimiter, sheet: options.sheet },
    displayName,
  );
  const warnings: string[] = [];
  try {
    return { format, ...(await scan(file, displayName, format, options)), warnings };
  } catch (error) {
    if (!(error instanceof EncodingError)) throw error;
    warnings.push(await answerBadBytes(file, displayName, format, options.encoding !== undefined));
    format = await sniffInput(
      file,
      { encoding: 'windows-1252', delimiter: options.delimiter, sheet: options.sheet },
      displayName,
    );
    return { format, ...(await scan(file, displayName, format, options)), warnings };
  }
}
