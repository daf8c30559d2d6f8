/**
 * Validation of one data row before anything is sent: ids must be UUIDs, values at most 255
 * characters, empty values only with `--allow-clear`, and no value Excel damaged (an error shown
 * by a failed formula, digits lost to scientific notation). Problems are data, not exceptions.
 */
import type { HeaderMap } from './header.js';
import type { Change } from '../kinds.js';
import { NO_SAVED_RESULT } from './record.js';

/** One thing wrong with a row, in the same shape as the API's `errors[]`. */
export interface RowProblem {
  readonly propertyName: string;
  readonly description: string;
}

/** Either a change ready to send, or the reasons it cannot be sent. */
export type Validation = { readonly change: Change } | { readonly problems: readonly RowProblem[] };

/** What validation may be told. */
export interface ValidateOptions {
  /** An empty value clears it rather than being invalid. */
  readonly allowClear: boolean;
  /** Accept values that look like numbers whose digits Excel lost (`4.5E+11`, `450001234567890000`). */
  readonly acceptNumbers?: boolean;
}

// Excel shows long numbers as `4.5E+11` and saves them that way: the real digits are lost.
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?E[+-]?\d+$/i;

/**
 * True if `value` looks like a number Excel cut to its 15 significant digits: more than 15 digits,
 * no leading zero (a number has none), and nothing but zeros after the 15th. Shown with a number
 * format such as `0`, or read from a workbook, such a number has all its digits, but wrong ones.
 */
export function lostDigits(value: string): boolean {
  return value.length > 15 && /^[1-9]\d+$/.test(value) && /^0+$/.test(value.slice(15));
}

/**
 * The value a failed formula shows in Excel (and writes into a CSV export): `#N/A`, `#VALUE!`,
 * `#REF!`, `#DIV/0!`, `#NAME?`…, also in Excel's other languages (`#NV`, `#WERT!`, `#NOMBRE!`), and
 * what the workbook reader gives for an error it cannot name (`#ERROR`). Every name but #N/A's
 * ends in `!` or `?`, so a PO number such as `#4500012345` is not taken for one.
 */
const EXCEL_ERROR = /^#(?:N\/A|NV|N\/D|ND|NB|ERROR|[A-Z\u00c0-\u024f][A-Z\u00c0-\u024f0-9_/.]*[!?])$/iu;

/** True if `cell` is what Excel shows for a formula that failed. */
export function isExcelError(cell: string): boolean {
  return cell.charCodeAt(0) === 0x23 && cell.length <= 20 && EXCEL_ERROR.test(cell); // '#'
}

const FAILED_FORMULA = 'a formula failed in the spreadsheet; correct it in Excel and save the file again';
const UNCALCULATED =
  'is a formula with no saved result (the program that wrote the workbook did not calculate it): ' +
  'open the file in Excel and save it, so that its results are stored, then run again';

/**
 * The API's limit for a PO number and an internal identifier. The API is .NET, whose string length
 * counts UTF-16 code units, as JavaScript's does: so does this limit.
 */
export const MAX_VALUE_LENGTH = 255;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Why a value is too long, in numbers a person can check: the characters they see, and, when it
 * differs, the length the API counts (an emoji, or a letter with a separate accent, counts 2 or more).
 */
export function tooLong(value: string): string {
  let shown = 0;
  for (const _ of graphemes.segment(value)) shown++;
  return shown === value.length
    ? `is ${value.length} characters long; the API accepts at most ${MAX_VALUE_LENGTH}`
    : `is ${shown} characters long as shown, which the API counts as ${value.length} ` +
        `(it counts UTF-16 code units: an emoji, or a letter with a separate accent, counts 2 or more); ` +
        `it accepts at most ${MAX_VALUE_LENGTH}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Spreadsheets carry invisible characters into ids: non-breaking and zero-width spaces, BOMs.
const INVISIBLE = /[\s\u00a0\u200b-\u200d\u2060\ufeff]/g;

/** The canonical (lower-case, no braces) form of a GUID, or undefined if it is not one. */
export function canonicalUuid(cell: string): string | undefined {
  // Most ids are canonical already: checked by hand, that costs a third of the regular expressions.
  if (isCanonicalUuid(cell)) return cell;
  let id = cell.replace(INVISIBLE, '').toLowerCase();
  if (id.startsWith('{') && id.endsWith('}')) id = id.slice(1, -1);
  return UUID.test(id) ? id : undefined;
}

/** 1 at the char code of each lower-case hexadecimal digit. */
const HEX_DIGIT = new Uint8Array(128);
for (const digit of '0123456789abcdef') HEX_DIGIT[digit.charCodeAt(0)] = 1;

/** `cell` is a UUID as `canonicalUuid` returns it: 8-4-4-4-12 lower-case hexadecimal digits. */
function isCanonicalUuid(cell: string): boolean {
  const dash = 0x2d;
  return (
    cell.length === 36 &&
    cell.charCodeAt(8) === dash &&
    cell.charCodeAt(13) === dash &&
    cell.charCodeAt(18) === dash &&
    cell.charCodeAt(23) === dash &&
    hexDigits(cell, 0, 8) &&
    hexDigits(cell, 9, 13) &&
    hexDigits(cell, 14, 18) &&
    hexDigits(cell, 19, 23) &&
    hexDigits(cell, 24, 36)
  );
}

/** Every character of `cell` from `from` to `to` (excluded) is a lower-case hexadecimal digit. */
function hexDigits(cell: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (HEX_DIGIT[cell.charCodeAt(i)] !== 1) return false;
  return true;
}

function shorten(value: string): string {
  return value.length > 40 ? `${value.slice(0, 37)}…` : value;
}

/** Check one data record against its header. */
export function validateRecord(
  header: HeaderMap,
  cells: readonly string[],
  options: ValidateOptions,
): Validation {
  const { kind } = header;
  const problems: RowProblem[] = [];
  if (cells.length < header.width) {
    problems.push({
      propertyName: 'row',
      description: `has ${cells.length} cell${cells.length === 1 ? '' : 's'} but the header has ${header.width}; check for a missing delimiter`,
    });
  } else if (cells.slice(header.width).some((c) => c.trim() !== '')) {
    problems.push({
      propertyName: 'row',
      description: `has ${cells.length} cells but the header has ${header.width}; check for an unquoted delimiter inside a value`,
    });
  }
  const values: Record<string, string | null> = {};
  for (const { name, optional } of kind.idColumns) {
    const cell = (cells[header.indexes[kind.columns.indexOf(name)] ?? -1] ?? '').trim();
    if (cell === '' && optional) {
      values[name] = null;
      continue;
    }
    const id = canonicalUuid(cell);
    if (id === undefined) {
      problems.push({
        propertyName: name,
        description:
          cell === ''
            ? 'is empty; a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6 is required'
            : cell === NO_SAVED_RESULT
              ? UNCALCULATED
              : isExcelError(cell)
                ? `is the Excel error ${cell}: ${FAILED_FORMULA}`
                : `"${shorten(cell)}" is not a UUID (expected 8-4-4-4-12 hexadecimal digits)`,
      });
    } else {
      values[name] = id;
    }
  }
  const value = (cells[header.indexes[2]] ?? '').trim();
  if (value === '') {
    if (options.allowClear) values[kind.valueColumn] = null;
    else
      problems.push({
        propertyName: kind.valueColumn,
        description: 'is empty; give a value, or use --allow-clear to clear it',
      });
  } else if (value === NO_SAVED_RESULT) {
    problems.push({ propertyName: kind.valueColumn, description: UNCALCULATED });
  } else if (value.length > MAX_VALUE_LENGTH) {
    problems.push({ propertyName: kind.valueColumn, description: tooLong(value) });
  } else if (isExcelError(value)) {
    problems.push({
      propertyName: kind.valueColumn,
      description: `is the Excel error ${value}, not a value: ${FAILED_FORMULA}`,
    });
  } else if (!options.acceptNumbers && SCIENTIFIC.test(value)) {
    problems.push({
      propertyName: kind.valueColumn,
      description:
        `"${value}" looks like a number Excel turned into scientific notation, losing digits; ` +
        'format the column as Text in Excel and export again, or use --accept-numbers to send it as written',
    });
  } else if (!options.acceptNumbers && lostDigits(value)) {
    problems.push({
      propertyName: kind.valueColumn,
      description:
        `"${value}" has ${value.length} digits and ends in zeros after the 15th: Excel keeps only 15 digits of a number, ` +
        'so the last ones were probably lost; format the column as Text in Excel and enter them again, ' +
        'or use --accept-numbers to send it as written',
    });
  } else {
    values[kind.valueColumn] = value;
  }
  return problems.length > 0 ? { problems } : { change: { values } };
}

/** One sentence for the results' errorDescription: the first problem, and how many more. */
export function describeProblems(problems: readonly RowProblem[]): string {
  const [first] = problems;
  if (!first) return '';
  const more =
    problems.length > 1
      ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}, see errorDetails)`
      : '';
  return `Not sent: ${first.propertyName} ${first.description}${more}`;
}
