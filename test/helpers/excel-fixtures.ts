/**
 * One small PO-number sheet written every way Excel writes text files: "CSV UTF-8" (BOM, CRLF),
 * European "CSV" (semicolons, Windows-1252), "Unicode Text" (UTF-16 with BOM, tabs), old Mac CR
 * line endings, and a pipe-separated export, plus the plain UTF-8 original and an .xlsx workbook.
 * test/fixtures/excel/make.ts writes them; test/input/excel-files.test.ts checks the files are current.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { SAMPLE_WORLD } from '../../src/simulator/sample-world.js';

/** Where the generated files are checked in. */
export const EXCEL_FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/excel');

const { contoso, fabrikam, adatum, litware, woodgrove } = SAMPLE_WORLD.customers;

/** The header, as a finance user types it. */
export const HEADER = ['Customer ID', 'Subscription ID', 'PO Number'] as const;

/**
 * The rows: accents, leading zeros, a comma and quotes in one value, and characters (€, –) that
 * Windows-1252 has but Latin-1 lacks. Every character exists in Windows-1252.
 */
export const ROWS: readonly (readonly [string, string, string])[] = [
  [contoso.id, contoso.subscriptions.microsoft365E3, 'Müller-Lüdenscheidt'],
  [contoso.id, contoso.subscriptions.azurePlan, '00017'],
  [fabrikam.id, fabrikam.subscriptions.microsoft365BusinessPremium, 'Réf. Ø-17'],
  [fabrikam.id, fabrikam.subscriptions.dynamics365Sales, 'PO 88,1 "framework"'],
  [adatum.id, adatum.subscriptions.microsoft365E5, 'Straße 5 – Büro € 12'],
  [litware.id, litware.subscriptions.exchangeOnlinePlan1, 'Ångström-Æ 0042'],
  [woodgrove.id, woodgrove.subscriptions.microsoft365E3, 'ÇA-Œuvre ½ ß 000123'],
];

/** Excel's quoting: a cell holding the delimiter, a quote or a line break is quoted, quotes doubled. */
function delimited(delimiter: string, eol: string): string {
  const cell = (value: string) =>
    value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  return [HEADER, ...ROWS].map((row) => row.map(cell).join(delimiter) + eol).join('');
}

/**
 * Windows-1252's own characters at 0x80-0x9F (where it differs from Latin-1), from the WHATWG
 * Encoding Standard. Written out because Node 20's TextDecoder('windows-1252') decodes these bytes as
 * Latin-1 control characters (nodejs/node#56542), so a table derived from it would be wrong.
 */
const WINDOWS_1252_HIGH: Record<number, number> = {
  0x80: 0x20ac,
  0x82: 0x201a,
  0x83: 0x0192,
  0x84: 0x201e,
  0x85: 0x2026,
  0x86: 0x2020,
  0x87: 0x2021,
  0x88: 0x02c6,
  0x89: 0x2030,
  0x8a: 0x0160,
  0x8b: 0x2039,
  0x8c: 0x0152,
  0x8e: 0x017d,
  0x91: 0x2018,
  0x92: 0x2019,
  0x93: 0x201c,
  0x94: 0x201d,
  0x95: 0x2022,
  0x96: 0x2013,
  0x97: 0x2014,
  0x98: 0x02dc,
  0x99: 0x2122,
  0x9a: 0x0161,
  0x9b: 0x203a,
  0x9c: 0x0153,
  0x9e: 0x017e,
  0x9f: 0x0178,
};

/** Windows-1252 bytes for `text`, refusing any character the code page lacks. */
export function windows1252(text: string): Buffer {
  const high = new Map(Object.entries(WINDOWS_1252_HIGH).map(([byte, code]) => [code, Number(byte)]));
  return Buffer.from(
    Array.from(text, (ch) => {
      const code = ch.codePointAt(0) as number;
      const byte = code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : high.get(code);
      if (byte === undefined) throw new Error(`${JSON.stringify(ch)} does not exist in Windows-1252`);
      return byte;
    }),
  );
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const UTF16LE_BOM = Buffer.from([0xff, 0xfe]);
const UTF16BE_BOM = Buffer.from([0xfe, 0xff]);

/** One way of writing the sheet: its file name, what Excel calls it, and its bytes. */
export interface ExcelVariant {
  readonly file: string;
  readonly description: string;
  readonly bytes: () => Buffer | Promise<Buffer>;
}

/** The plain UTF-8 original every other file must read the same as. */
export const ORIGINAL: ExcelVariant = {
  file: 'po-numbers.utf8-lf.csv',
  description: 'UTF-8 without BOM, comma, LF (the original)',
  bytes: () => Buffer.from(delimited(',', '\n'), 'utf8'),
};

/** The .xlsx workbook: text cells, so '00017' keeps its zeros, as finance keeps them. */
async function xlsxBytes(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  // Fixed metadata, so the workbook's content is the same every time (the zip's own dates are not).
  wb.creator = 'cloudcockpit-bulk tests';
  wb.created = new Date(Date.UTC(2026, 0, 1));
  wb.modified = new Date(Date.UTC(2026, 0, 1));
  const ws = wb.addWorksheet('PO Numbers');
  ws.addRow([...HEADER]);
  for (const row of ROWS) ws.addRow([...row]);
  ws.getColumn(3).numFmt = '@';
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Every file, the original first. */
export const VARIANTS: readonly ExcelVariant[] = [
  ORIGINAL,
  {
    file: 'po-numbers.utf8-bom-crlf.csv',
    description: 'Excel "CSV UTF-8": UTF-8 with BOM, comma, CRLF',
    bytes: () => Buffer.concat([UTF8_BOM, Buffer.from(delimited(',', '\r\n'), 'utf8')]),
  },
  {
    file: 'po-numbers.windows-1252-semicolon.csv',
    description: 'European Excel "CSV": Windows-1252, semicolon, CRLF',
    bytes: () => windows1252(delimited(';', '\r\n')),
  },
  {
    file: 'po-numbers.utf16le-tab.txt',
    description: 'Excel "Unicode Text": UTF-16 LE with BOM, tab, CRLF',
    bytes: () => Buffer.concat([UTF16LE_BOM, Buffer.from(delimited('\t', '\r\n'), 'utf16le')]),
  },
  {
    file: 'po-numbers.utf16be-tab.txt',
    description: 'UTF-16 BE with BOM, tab, CRLF',
    bytes: () => Buffer.concat([UTF16BE_BOM, Buffer.from(delimited('\t', '\r\n'), 'utf16le').swap16()]),
  },
  {
    file: 'po-numbers.mac-cr.csv',
    description: 'old Mac Excel: comma, CR-only line endings',
    bytes: () => Buffer.from(delimited(',', '\r'), 'utf8'),
  },
  {
    file: 'po-numbers.pipe.csv',
    description: 'pipe-separated (Excel with | as list separator), UTF-8, CRLF',
    bytes: () => Buffer.from(delimited('|', '\r\n'), 'utf8'),
  },
  {
    file: 'po-numbers.xlsx',
    description: 'Excel workbook (.xlsx), text cells',
    bytes: xlsxBytes,
  },
];

/** Where the workbooks of other writers are checked in (test/fixtures/workbooks/make.sh writes them). */
export const WORKBOOK_FIXTURES = path.resolve(EXCEL_FIXTURES, '../workbooks');

/** One workbook made by another writer from the UTF-8 original: its file, its maker, what it reads as. */
export interface WorkbookFixture {
  readonly file: string;
  readonly description: string;
  /** The cells of each row as read (header first): the original's, plus any extra columns. */
  readonly cells: readonly (readonly string[])[];
}

const day = (i: number, order: 'dmy' | 'ymd') => {
  const dd = String(5 + i).padStart(2, '0');
  return order === 'dmy' ? `${dd}.01.2026` : `2026-01-${dd}`;
};

/**
 * The original's rows with the extra columns of the *-formats workbooks: a date, an amount and a
 * formula (LEN of the PO number), whose saved result is `check` of it (openpyxl saves none).
 */
function withExtras(order: 'dmy' | 'ymd', check: (po: string) => string): string[][] {
  return [
    [...HEADER, 'Order date', 'Amount', 'Check'],
    ...ROWS.map((row, i) => [...row, day(i, order), '1,234.50', check(row[2])]),
  ];
}

const PLAIN = [[...HEADER], ...ROWS.map((r) => [...r])];
const LENGTH = (po: string) => String(po.length);

/** The workbooks, each of which must send exactly what the original sends. */
export const WORKBOOKS: readonly WorkbookFixture[] = [
  {
    file: 'openpyxl.xlsx',
    description: 'openpyxl: absolute part targets, inline strings, sheet "Orders"',
    cells: PLAIN,
  },
  {
    file: 'openpyxl-hidden-first.xlsx',
    description: 'openpyxl: a hidden and a very hidden sheet first, a non-ASCII sheet name',
    cells: PLAIN,
  },
  {
    file: 'openpyxl-formats.xlsx',
    description: 'openpyxl: 00017 as a number shown as 00000, dates, a formula never calculated',
    cells: withExtras('dmy', () => '#NOT CALCULATED'),
  },
  { file: 'xlsxwriter.xlsx', description: 'XlsxWriter: shared strings, its own part order', cells: PLAIN },
  {
    file: 'xlsxwriter-formats.xlsx',
    description: 'XlsxWriter: a leading-zero format, formulas with saved results, dates',
    cells: withExtras('ymd', LENGTH),
  },
  {
    file: 'excel-order.xlsx',
    description: "Excel's part order: workbook, sheets, theme, styles, shared strings, docProps",
    cells: withExtras('ymd', LENGTH),
  },
  { file: 'libreoffice.xlsx', description: 'LibreOffice Calc: the CSV imported as text', cells: PLAIN },
  {
    file: 'libreoffice-formats.xlsx',
    description: "LibreOffice Calc: XlsxWriter's formats workbook saved again (recalculated)",
    cells: withExtras('ymd', LENGTH),
  },
  { file: 'sheetjs.xlsx', description: 'SheetJS 0.18.5: its default writer', cells: PLAIN },
  {
    file: 'shared-strings-last.xlsx',
    description: 'shared strings stored last in the zip, after the sheet',
    cells: PLAIN,
  },
  {
    file: 'minimal.xlsx',
    description: 'a minimal writer: shared strings after the sheet, no styles part',
    cells: PLAIN,
  },
  { file: 'inline-strings.xlsx', description: 'inline strings and no shared strings part', cells: PLAIN },
];
