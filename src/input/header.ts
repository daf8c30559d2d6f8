/**
 * Matching a header line to a kind. Names match case-insensitively, ignoring spaces, underscores and
 * hyphens (`Customer ID`, `customer_id`, `CUSTOMERID`); anything else is an extra column. A results
 * file of this program given back as input is refused: its cells were changed for Excel.
 */
import { InputError } from '../errors.js';
import { KINDS, type Kind } from '../kinds.js';

/** Where each of a kind's columns is in the input, and which other columns there are. */
export interface HeaderMap {
  readonly kind: Kind;
  /** Index in the record of each of `kind.columns`, in the same order. */
  readonly indexes: readonly [number, number, number];
  /** Columns that are not the kind's, with their names as written (for `--keep-columns`). */
  readonly extras: readonly { readonly name: string; readonly index: number }[];
  /** Number of cells in the header line. */
  readonly width: number;
}

/** A header cell fit to quote in a message: control characters escaped, at most 40 characters. */
function printable(name: string): string {
  const escaped = JSON.stringify(name).slice(1, -1);
  return escaped.length > 40 ? `${escaped.slice(0, 39)}…` : escaped;
}

/** A record's cells for the kind's three columns, trimmed, in the kind's order. */
export function kindCells(header: HeaderMap, cells: readonly string[]): [string, string, string] {
  const [a, b, c] = header.indexes;
  return [(cells[a] ?? '').trim(), (cells[b] ?? '').trim(), (cells[c] ?? '').trim()];
}

/** The comparable form of a header name. */
export function normaliseName(name: string): string {
  return name.replace(/[\s_\-\u00a0\u200b-\u200d\ufeff]/g, '').toLowerCase();
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The header cell most like `wanted`, if one is reasonably close. */
function nearest(wanted: string, cells: readonly string[], taken: ReadonlySet<number>): string | undefined {
  let best: { name: string; distance: number } | undefined;
  cells.forEach((cell, index) => {
    const name = normaliseName(cell);
    if (taken.has(index) || name === '') return;
    const distance =
      name.includes(wanted.toLowerCase()) || wanted.toLowerCase().includes(name)
        ? 1
        : editDistance(name, wanted.toLowerCase());
    if (distance <= Math.max(2, Math.floor(wanted.length / 3)) && (!best || distance < best.distance)) {
      best = { name: cell, distance };
    }
  });
  return best?.name;
}

function positions(cells: readonly string[]): Map<string, number[]> {
  const found = new Map<string, number[]>();
  cells.forEach((cell, index) => {
    const name = normaliseName(cell);
    if (name !== '') found.set(name, [...(found.get(name) ?? []), index]);
  });
  return found;
}

/**
 * Columns that together only a results file of this program has, normalised. They are the
 * contract's (`RESULT_COLUMNS` in results/results-writer.ts, which this stage may not import; a
 * test holds the two together).
 */
export const RESULTS_FILE_COLUMNS = ['line', 'status', 'httpstatus', 'attempts', 'correlationid'] as const;

/**
 * A results file given back as input. Sending it would send what it holds, and that is not what
 * the input held: a value that could run as a formula has a ' before it there.
 */
function refuseResultsFile(found: Map<string, number[]>, file: string, line: number): void {
  if (!RESULTS_FILE_COLUMNS.every((name) => found.has(name))) return;
  throw new InputError(
    file,
    'is a results file written by cloudcockpit-bulk (its columns include line, status, attempts and correlationId), ' +
      "not an input: values in it were changed for Excel (a ' put before any that could run as a formula), so " +
      'nothing is sent from it. Run the original input file instead, with --resume and --out naming this results ' +
      'file, to send only the rows not yet applied',
    { line },
  );
}

/** Map a header to `kind` (or detect the kind when undefined); throws `InputError` naming what is wrong. */
export function matchHeader(
  cells: readonly string[],
  kind: Kind | undefined,
  file: string,
  line = 1,
): HeaderMap {
  const found = positions(cells);
  refuseResultsFile(found, file, line);
  const candidates = kind ? [kind] : KINDS;
  const complete = candidates.filter((k) => k.columns.every((c) => found.has(c.toLowerCase())));
  if (complete.length > 1) {
    throw new InputError(
      file,
      `the header has the columns of both kinds (${complete.map((k) => k.columns.join(', ')).join(' and ')}); ` +
        'use the `po-numbers` or `internal-identifiers` command instead of `run`',
      { line },
    );
  }
  const chosen = complete[0];
  if (!chosen) throw missingColumns(cells, candidates, found, file, line);
  const indexes = chosen.columns.map((c) => {
    const at = found.get(c.toLowerCase()) ?? [];
    if (at.length > 1) {
      throw new InputError(
        file,
        `the header has the ${c} column ${at.length} times (columns ${at.map((i) => i + 1).join(' and ')}); keep one`,
        { line, column: (at[1] ?? 0) + 1 },
      );
    }
    return at[0] ?? 0;
  }) as unknown as [number, number, number];
  const extras = cells
    .map((name, index) => ({ name, index }))
    .filter(({ name, index }) => normaliseName(name) !== '' && !indexes.includes(index));
  return { kind: chosen, indexes, extras, width: cells.length };
}

function missingColumns(
  cells: readonly string[],
  candidates: readonly Kind[],
  found: Map<string, number[]>,
  file: string,
  line: number,
): InputError {
  // Explain against the kind the header is closest to: the one with the most columns present.
  const closest = [...candidates].sort(
    (a, b) =>
      b.columns.filter((c) => found.has(c.toLowerCase())).length -
      a.columns.filter((c) => found.has(c.toLowerCase())).length,
  )[0] as Kind;
  const taken = new Set(closest.columns.flatMap((c) => found.get(c.toLowerCase()) ?? []));
  const missing = closest.columns.filter((c) => !found.has(c.toLowerCase()));
  const hints = missing.map((c) => {
    const guess = nearest(c, cells, taken);
    return guess === undefined ? c : `${c} (did you mean "${printable(guess)}"?)`;
  });
  const named = cells.filter((c) => c.trim() !== '');
  const shown =
    named
      .slice(0, 10)
      .map((c) => `"${printable(c)}"`)
      .join(', ') + (named.length > 10 ? ` and ${named.length - 10} more` : '') || 'nothing';
  const expectedWhat =
    candidates.length > 1
      ? `the columns ${KINDS.map((k) => k.columns.join(', ')).join(' or ')}`
      : `the columns ${closest.columns.join(', ')}`;
  return new InputError(
    file,
    `the header is missing ${hints.join(', ')}. Found ${shown}; expected ${expectedWhat} (case, spaces, _ and - do not matter)`,
    { line },
  );
}
