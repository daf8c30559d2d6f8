/**
 * Which sheet of a workbook to read, and the refusals about a workbook's structure: a sheet that
 * is not there, no sheet at all, a damaged file.
 */
import { InputError } from '../errors.js';

/** A sheet as the workbook part names it: its name, and `hidden` or `veryHidden` if Excel hides it. */
export interface SheetEntry {
  readonly name: string;
  readonly state?: string;
}

/** The sheet to read: the one named (case-insensitively, as Excel compares them), else the first visible. */
export function chooseSheet(
  sheets: readonly SheetEntry[],
  wanted: string | undefined,
): SheetEntry | undefined {
  if (wanted === undefined)
    return sheets.find((s) => s.state === undefined || s.state === 'visible') ?? sheets[0];
  const exact = sheets.find((s) => s.name === wanted);
  if (exact) return exact;
  const folded = wanted.trim().toLocaleLowerCase();
  return sheets.find((s) => s.name.trim().toLocaleLowerCase() === folded);
}

/** The sheet asked for is not in the workbook: refused, naming those that are. */
export function missingSheet(displayName: string, wanted: string, sheets: readonly SheetEntry[]): InputError {
  const names = sheets.map((s) => `"${s.name}"`).join(', ');
  return new InputError(
    displayName,
    sheets.length === 0
      ? `has no sheet named "${wanted}": it has no sheets at all`
      : `has no sheet named "${wanted}"; its sheets are: ${names}`,
  );
}

/** No sheet was asked for and the workbook has none to read. */
export function noSheets(displayName: string): InputError {
  return new InputError(displayName, 'has no worksheet to read');
}

/** A failure reading the zip or its XML (damaged, truncated) as an `InputError` on one line. */
export function damaged(displayName: string, error: unknown, lastRow: number | undefined): InputError {
  if (error instanceof InputError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const where = lastRow === undefined ? '' : ` after row ${lastRow}`;
  return new InputError(
    displayName,
    `is not a readable .xlsx workbook: it is damaged or truncated${where} (${reason.split('\n')[0]})`,
  );
}
