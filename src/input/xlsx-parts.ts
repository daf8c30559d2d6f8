/**
 * How a workbook's parts are found and what the small ones hold: the package's relationships lead
 * to the workbook part (`_rels/.rels`), its relationships to its sheets, shared strings and styles
 * (targets absolute, `/xl/worksheets/sheet1.xml` as openpyxl writes them, or relative to the part's
 * folder), and the workbook part names the sheets in Excel's order, hidden or not. Nothing here
 * depends on where in the zip a part is stored.
 */
import path from 'node:path/posix';
import { InputError } from '../errors.js';
import type { SheetEntry } from './xlsx-workbook.js';
import { parseXml, prefixedAttribute } from './xlsx-xml.js';
import type { WorkbookZip } from './xlsx-zip.js';

/** A sheet as the workbook part names it, with the part that holds its cells (if there is one). */
export interface WorkbookSheet extends SheetEntry {
  readonly part: string | undefined;
}

/** Where a workbook's parts are, and how its dates count. */
export interface WorkbookStructure {
  readonly sheets: readonly WorkbookSheet[];
  readonly sharedStrings: string | undefined;
  readonly styles: string | undefined;
  /** Dates count from 1904 (old Mac Excel), not 1900. */
  readonly date1904: boolean;
}

interface Relationship {
  readonly id: string;
  /** The type's last segment: `officeDocument`, `worksheet`, `sharedStrings`, `styles`… */
  readonly kind: string;
  readonly part: string;
}

/** Part name of `target`, relative to the folder of `source` unless it is absolute. */
function resolveTarget(source: string, target: string): string {
  let decoded = target;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    // Not percent-encoded after all: the target as written.
  }
  const joined = decoded.startsWith('/') ? decoded : path.join(path.dirname(source), decoded);
  return path.normalize(joined).replace(/^\/+/, '');
}

/** The relationships of part `source` ('' for the package), or undefined when it has none. */
async function relationships(zip: WorkbookZip, source: string): Promise<Relationship[] | undefined> {
  const rels = path.join(path.dirname(source), '_rels', `${path.basename(source)}.rels`);
  if (!zip.has(rels)) return undefined;
  const found: Relationship[] = [];
  await parseXml(await zip.open(rels, true), {
    open(name, a) {
      if (name !== 'Relationship' || a.TargetMode === 'External') return;
      if (a.Id === undefined || a.Target === undefined || a.Type === undefined) return;
      const kind = a.Type.slice(a.Type.lastIndexOf('/') + 1);
      found.push({ id: a.Id, kind, part: resolveTarget(source, a.Target) });
    },
  });
  return found;
}

/** The workbook part: as the package's relationships name it, else where every writer puts it. */
async function workbookPart(zip: WorkbookZip, displayName: string): Promise<string> {
  const office = (await relationships(zip, ''))?.find((r) => r.kind === 'officeDocument');
  if (office && zip.has(office.part)) return office.part;
  if (zip.has('xl/workbook.xml')) return 'xl/workbook.xml';
  throw new InputError(displayName, 'is a zip archive but not an Excel workbook (it has no workbook part)');
}

/** The structure of the workbook in `zip`: its sheets in order, and where its other parts are. */
export async function readStructure(zip: WorkbookZip, displayName: string): Promise<WorkbookStructure> {
  const workbook = await workbookPart(zip, displayName);
  const rels = await relationships(zip, workbook);
  if (rels === undefined) {
    throw new InputError(
      displayName,
      `is not a readable .xlsx workbook: its workbook part has no relationships (${path.join(path.dirname(workbook), '_rels', `${path.basename(workbook)}.rels`)}), so its sheets cannot be found; open it in Excel and save it again`,
    );
  }
  const byId = new Map(rels.map((r) => [r.id, r]));
  const sheets: WorkbookSheet[] = [];
  let date1904 = false;
  await parseXml(await zip.open(workbook, true), {
    open(name, a) {
      if (name === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
      if (name !== 'sheet' || a.name === undefined) return;
      const rel = byId.get(prefixedAttribute(a, 'id') ?? a.id ?? '');
      // Chart and dialog sheets hold no rows: they are not sheets to read.
      if (rel !== undefined && rel.kind !== 'worksheet') return;
      sheets.push({ name: a.name, state: a.state, part: rel?.part });
    },
  });
  const of = (kind: string) => rels.find((r) => r.kind === kind && zip.has(r.part))?.part;
  return { sheets, sharedStrings: of('sharedStrings'), styles: of('styles'), date1904 };
}
