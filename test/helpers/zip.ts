/**
 * Workbooks for tests, zipped by hand (`storedZip`, shared with the benchmark): for workbooks whose
 * XML a test must write exactly as another program does (openpyxl, say), which exceljs would write
 * its own way; and a zip read back.
 */
import ExcelJS from 'exceljs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';
import { storedZip } from '../../src/bench/zip.js';
import { readWorkbookRecords } from '../../src/input/xlsx.js';
import { tempDir } from './files.js';

export { storedZip };

/** The entries of a zip (name, unpacked bytes), in the order it stores them. */
export async function unzipped(zip: Buffer): Promise<[string, Buffer][]> {
  const file = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const entries: [string, Buffer][] = [];
  for await (const entry of file.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await file.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    entries.push([entry.fileName, Buffer.concat(chunks)]);
  }
  file.close();
  return entries;
}

/**
 * A one-sheet workbook as openpyxl writes it: the sheet before the workbook part, inline strings,
 * and `sheetData` given as written (cells such as `<c r="A2"><f>A1</f><v/></c>`).
 */
export function openpyxlWorkbook(sheetData: string): Buffer {
  const ns = 'http://schemas.openxmlformats.org';
  return storedZip([
    [
      '[Content_Types].xml',
      `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="${ns}/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '</Types>',
    ],
    [
      'xl/worksheets/sheet1.xml',
      `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${ns}/spreadsheetml/2006/main">` +
        `<sheetData>${sheetData}</sheetData></worksheet>`,
    ],
    [
      '_rels/.rels',
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${ns}/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
        '</Relationships>',
    ],
    [
      'xl/workbook.xml',
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${ns}/spreadsheetml/2006/main" ` +
        `xmlns:r="${ns}/officeDocument/2006/relationships"><sheets>` +
        '<sheet name="Sheet" sheetId="1" r:id="rId1"/></sheets></workbook>',
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${ns}/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="${ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
        '</Relationships>',
    ],
  ]);
}

/** One sheet of a hand-made workbook: its name, whether Excel hides it, and its rows of text. */
export interface SheetSpec {
  readonly name: string;
  readonly state?: 'hidden' | 'veryHidden';
  readonly rows: readonly (readonly string[])[];
}

/** How a hand-made workbook is laid out: the ways writers differ that a reader must not mind. */
export interface BookLayout {
  /** Where xl/sharedStrings.xml is stored in the zip: before the sheets (default) or last. */
  readonly sharedStrings?: 'first' | 'last';
  /** Relationship targets as openpyxl writes them (`/xl/worksheets/sheet1.xml`), else relative. */
  readonly absoluteTargets?: boolean;
  /** Whether the workbook has a styles part (a minimal writer leaves it out). */
  readonly styles?: boolean;
}

const NS = 'http://schemas.openxmlformats.org';
const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const column = (index: number): string =>
  (index >= 26 ? column(Math.floor(index / 26) - 1) : '') + String.fromCharCode(65 + (index % 26));

/**
 * A workbook of shared-string cells, written by hand so a test decides its zip order, targets and
 * parts exactly (every writer does these its own way; exceljs writes only one of them).
 */
export function sharedStringsWorkbook(sheets: readonly SheetSpec[], layout: BookLayout = {}): Buffer {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (text: string) => {
    if (!index.has(text)) index.set(text, strings.push(text) - 1);
    return index.get(text) as number;
  };
  const sheetParts = sheets.map((sheet, s): [string, string] => {
    const rows = sheet.rows
      .map(
        (cells, r) =>
          `<row r="${r + 1}">` +
          cells.map((text, c) => `<c r="${column(c)}${r + 1}" t="s"><v>${ref(text)}</v></c>`).join('') +
          '</row>',
      )
      .join('');
    return [
      `xl/worksheets/sheet${s + 1}.xml`,
      `${XML}<worksheet xmlns="${NS}/spreadsheetml/2006/main"><sheetData>${rows}</sheetData></worksheet>`,
    ];
  });
  const target = (part: string) => (layout.absoluteTargets ? `/xl/${part}` : part);
  const rel = (id: string, type: string, part: string) =>
    `<Relationship Id="${id}" Type="${NS}/officeDocument/2006/relationships/${type}" Target="${target(part)}"/>`;
  const styles = layout.styles !== false;
  const sharedStrings: [string, string] = [
    'xl/sharedStrings.xml',
    `${XML}<sst xmlns="${NS}/spreadsheetml/2006/main" count="${strings.length}" uniqueCount="${strings.length}">` +
      strings.map((t) => `<si><t xml:space="preserve">${escapeXml(t)}</t></si>`).join('') +
      '</sst>',
  ];
  const head: [string, string][] = [
    [
      '[Content_Types].xml',
      `${XML}<Types xmlns="${NS}/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/></Types>',
    ],
    [
      '_rels/.rels',
      `${XML}<Relationships xmlns="${NS}/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="${NS}/officeDocument/2006/relationships/officeDocument" Target="${layout.absoluteTargets ? '/' : ''}xl/workbook.xml"/>` +
        '</Relationships>',
    ],
    [
      'xl/workbook.xml',
      `${XML}<workbook xmlns="${NS}/spreadsheetml/2006/main" xmlns:r="${NS}/officeDocument/2006/relationships"><sheets>` +
        sheets
          .map(
            (sheet, s) =>
              `<sheet name="${escapeXml(sheet.name)}" sheetId="${s + 1}"${sheet.state ? ` state="${sheet.state}"` : ''} r:id="rId${s + 1}"/>`,
          )
          .join('') +
        '</sheets></workbook>',
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `${XML}<Relationships xmlns="${NS}/package/2006/relationships">` +
        sheets.map((_, s) => rel(`rId${s + 1}`, 'worksheet', `worksheets/sheet${s + 1}.xml`)).join('') +
        rel('rIdS', 'sharedStrings', 'sharedStrings.xml') +
        (styles ? rel('rIdT', 'styles', 'styles.xml') : '') +
        '</Relationships>',
    ],
  ];
  const stylesPart: [string, string][] = styles
    ? [
        [
          'xl/styles.xml',
          `${XML}<styleSheet xmlns="${NS}/spreadsheetml/2006/main"><cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>`,
        ],
      ]
    : [];
  return storedZip(
    layout.sharedStrings === 'last'
      ? [...head, ...sheetParts, ...stylesPart, sharedStrings]
      : [...head, sharedStrings, ...stylesPart, ...sheetParts],
    { deflate: true },
  );
}

/**
 * The rows of a one-sheet workbook as two readers see them: ours (what an upload of it sends) and
 * exceljs (an independent reader, as Excel stands in for here), each row's cells as texts.
 */
export async function workbookRows(bytes: Buffer): Promise<{ ours: string[][]; exceljs: string[][] }> {
  const dir = await tempDir();
  const file = path.join(dir, 'book.xlsx');
  await writeFile(file, bytes);
  const ours: string[][] = [];
  for await (const record of readWorkbookRecords(file, 'book.xlsx', undefined)) ours.push([...record.cells]);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  const exceljs: string[][] = [];
  book.worksheets[0]?.eachRow({ includeEmpty: true }, (row) => {
    const values = (row.values as unknown[]).slice(1);
    exceljs.push(Array.from(values, (v) => (v === undefined || v === null ? '' : String(v))));
  });
  return { ours, exceljs };
}
