/**
 * The rows to fix as a one-sheet `.xlsx`, streamed to disk. A workbook rather than a CSV because
 * the file goes to Excel and comes back: every cell is written as text (an inline string), which
 * Excel never runs as a formula, so nothing needs the `'` a CSV would need in front of `=`, `+`,
 * `-` or `@`, and each value is uploaded again exactly as it was (a CSV's `'-PO-1` came back as
 * `'-PO-1`). The sheet is deflated as it is written (sizes in a data descriptor after it), so a
 * file of a million rows to fix takes no more memory than one of ten.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { crc32, createDeflateRaw } from 'node:zlib';
import { columnName } from '../input/xlsx-sheet.js';

const PARTS: readonly [string, string][] = [
  [
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
  ],
  [
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
  ],
  [
    'xl/workbook.xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Rows to fix" sheetId="1" r:id="rId1"/></sheets></workbook>',
  ],
  [
    'xl/_rels/workbook.xml.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
  ],
];
const SHEET = 'xl/worksheets/sheet1.xml';
const SHEET_START =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
const SHEET_END = '</sheetData></worksheet>';
/** Sheet text gathered before it is handed to the deflater. */
const BATCH_CHARS = 64 * 1024;

/**
 * `text` as an XML text node Excel reads back as it was: `&`, `<`, `>` escaped; characters XML
 * cannot hold (control characters, a carriage return, which XML would turn into a line feed, and
 * lone surrogates) as `_xHHHH_`; and a literal `_xHHHH_` guarded by `_x005F_`, as Excel does.
 */
export function cellXmlText(text: string): string {
  return text
    .replace(/_(?=x[0-9A-Fa-f]{4}_)/g, '_x005F_')
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
    .replace(
      // eslint-disable-next-line no-control-regex -- control characters are what is being escaped
      /[\x00-\x08\x0B-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
      (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`,
    );
}

/**
 * Row `number` of text cells, every row and cell with its reference: the standard lets them be
 * left out, but not every reader copes (exceljs refuses such a sheet), and Excel writes them.
 */
function rowXml(number: number, cells: readonly string[]): string {
  let xml = `<row r="${number}">`;
  for (const [i, cell] of cells.entries()) {
    if (cell === '') continue;
    xml += `<c r="${columnName(i)}${number}" t="inlineStr"><is><t xml:space="preserve">${cellXmlText(cell)}</t></is></c>`;
  }
  return `${xml}</row>`;
}

/** The zip's record of one entry, for its central directory. */
interface Entry {
  readonly name: Buffer;
  readonly crc: number;
  readonly compressed: number;
  readonly size: number;
  readonly offset: number;
  readonly method: number;
  readonly flags: number;
}

/**
 * Write what a local header and a central directory record both say of `entry`, in the same
 * order, from `at`: the version needed, flags, method, time and date (0), checksum, sizes, and
 * the name's length.
 */
function describe(entry: Omit<Entry, 'offset'>, record: Buffer, at: number): void {
  record.writeUInt16LE(20, at);
  record.writeUInt16LE(entry.flags, at + 2);
  record.writeUInt16LE(entry.method, at + 4);
  record.writeUInt32LE(entry.crc, at + 10);
  record.writeUInt32LE(entry.compressed, at + 14);
  record.writeUInt32LE(entry.size, at + 18);
  record.writeUInt16LE(entry.name.length, at + 22);
}

/** A zip being written to a file, entry after entry. */
class ZipFile {
  private offset = 0;
  private readonly entries: Entry[] = [];

  constructor(private readonly file: FileHandle) {}

  private async put(bytes: Buffer): Promise<void> {
    await this.file.write(bytes);
    this.offset += bytes.length;
  }

  /** The local header of an entry (sizes and checksum 0 when a data descriptor follows). */
  private localHeader(entry: Omit<Entry, 'offset'>): Buffer {
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    describe(entry, header, 4);
    return Buffer.concat([header, entry.name]);
  }

  /** A small entry, stored as it is. */
  async stored(name: string, text: string): Promise<void> {
    const data = Buffer.from(text);
    const entry = { name: Buffer.from(name), crc: crc32(data), compressed: data.length, size: data.length };
    const full = { ...entry, method: 0, flags: 0, offset: this.offset };
    this.entries.push(full);
    await this.put(this.localHeader(full));
    await this.put(data);
  }

  /** An entry deflated as `chunks` come, its checksum and sizes in a data descriptor after it. */
  async streamed(name: string, chunks: AsyncIterable<string>): Promise<void> {
    const offset = this.offset;
    const head = { name: Buffer.from(name), crc: 0, compressed: 0, size: 0, method: 8, flags: 0x08 };
    await this.put(this.localHeader(head));
    let crc = 0;
    let size = 0;
    const start = this.offset;
    await pipeline(
      async function* () {
        for await (const chunk of chunks) {
          const bytes = Buffer.from(chunk);
          crc = crc32(bytes, crc);
          size += bytes.length;
          yield bytes;
        }
      },
      createDeflateRaw(),
      async (deflated: AsyncIterable<Buffer>) => {
        for await (const bytes of deflated) await this.put(bytes);
      },
    );
    const compressed = this.offset - start;
    if (size > 0xffffffff || this.offset > 0xffffffff) throw new Error('the rows to fix exceed 4 GB');
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(compressed, 8);
    descriptor.writeUInt32LE(size, 12);
    await this.put(descriptor);
    this.entries.push({ ...head, crc, compressed, size, offset });
  }

  /** The central directory and its end record. */
  async finish(): Promise<void> {
    const start = this.offset;
    for (const entry of this.entries) {
      const central = Buffer.alloc(46);
      central.writeUInt32LE(0x02014b50, 0);
      central.writeUInt16LE(20, 4);
      describe(entry, central, 6);
      central.writeUInt32LE(entry.offset, 42);
      await this.put(Buffer.concat([central, entry.name]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(this.offset - start, 12);
    end.writeUInt32LE(start, 16);
    await this.put(end);
  }
}

/** The sheet's XML, a batch of rows at a time. */
async function* sheetXml(rows: AsyncIterable<readonly string[]>): AsyncGenerator<string> {
  let batch = SHEET_START;
  let number = 0;
  for await (const row of rows) {
    batch += rowXml(++number, row);
    if (batch.length >= BATCH_CHARS) {
      yield batch;
      batch = '';
    }
  }
  yield batch + SHEET_END;
}

/** Write `rows` (the header first) as a one-sheet workbook of text cells at `target`. */
export async function writeRowsWorkbook(
  rows: AsyncIterable<readonly string[]>,
  target: string,
): Promise<void> {
  const file = await open(target, 'w');
  try {
    const zip = new ZipFile(file);
    for (const [name, text] of PARTS) await zip.stored(name, text);
    await zip.streamed(SHEET, sheetXml(rows));
    await zip.finish();
  } finally {
    await file.close();
  }
}
