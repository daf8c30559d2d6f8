/**
 * A zip of stored (uncompressed) entries, written by hand: for workbooks whose XML a test must
 * write exactly as another program does (openpyxl, say), which exceljs would write its own way.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';

/**
 * The zip of `entries` (name, content) in the order given: stored, or deflated as most writers do.
 * `declared` makes the zip lie about an entry's unpacked size, as a crafted zip bomb does.
 */
export function storedZip(
  entries: readonly (readonly [string, string | Buffer])[],
  { deflate = false, declared = {} }: { deflate?: boolean; declared?: Record<string, number> } = {},
): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [entryName, content] of entries) {
    const name = Buffer.from(entryName);
    const raw = Buffer.from(content);
    const crc = crc32(raw);
    const body = deflate ? deflateRawSync(raw) : raw;
    const method = deflate ? 8 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(deflate ? 20 : 10, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    const size = declared[entryName] ?? raw.length;
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(deflate ? 20 : 10, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

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
