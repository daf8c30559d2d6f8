/**
 * A workbook's zip, read by its central directory with yauzl: any part can be read at any time,
 * whatever order the writer stored them in, so what is read never depends on the order or on
 * timing. Parts are found by name as the package names them (case-insensitively, as OPC part names
 * compare). A part that would unpack to far more than a spreadsheet holds (a zip bomb) is refused
 * before a byte of it is unpacked; yauzl checks that no entry unpacks to more than it declares.
 */
import { Transform, type Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { InputError } from '../errors.js';
import { InputChangedError, type Fingerprint, type ReadGuard } from './fingerprint.js';
import { GuardedReader } from './xlsx-guard.js';
import { damaged } from './xlsx-workbook.js';

const MB = 1024 * 1024;
/** A part held in memory (shared strings, styles, the workbook part) unpacks to at most this. */
export const MAX_HELD_PART_BYTES = 256 * MB;
/** A sheet is streamed, so it may be larger; beyond this it is not a spreadsheet of changes. */
export const MAX_SHEET_BYTES = 2048 * MB;
/**
 * XML deflates well, but spreadsheets stay below about 30:1 (a sheet of one repeated value, seen
 * ~25:1); a zip bomb is near deflate's 1032:1. Parts above this ratio and this size are refused.
 */
const MAX_RATIO = 150;
const RATIO_FLOOR_BYTES = 8 * MB;

/** An opened workbook zip: its entries by part name, each readable on demand. */
export class WorkbookZip {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly reader: GuardedReader,
    private readonly entries: ReadonlyMap<string, yauzl.Entry>,
    private readonly displayName: string,
  ) {}

  /** The zip of `file`, its bytes guarded (see xlsx-guard.ts). Throws `InputError` for a damaged zip. */
  static async open(file: string, displayName: string, guard: ReadGuard): Promise<WorkbookZip> {
    const reader = await GuardedReader.open(file, displayName, guard);
    let zip: yauzl.ZipFile;
    try {
      zip = await yauzl.fromRandomAccessReaderPromise(reader, reader.size, {
        lazyEntries: true,
        autoClose: false,
        strictFileNames: false,
      });
    } catch (error) {
      await new Promise<void>((resolve) => reader.close(() => resolve()));
      throw reader.failure ?? damaged(displayName, error, undefined);
    }
    const opened = new WorkbookZip(zip, reader, new Map(), displayName);
    try {
      await opened.list();
    } catch (error) {
      opened.close();
      throw error;
    }
    return opened;
  }

  /** Read the central directory; two entries of one name are refused, as no reader can tell which is meant. */
  private async list(): Promise<void> {
    const entries = this.entries as Map<string, yauzl.Entry>;
    try {
      for await (const entry of this.zip.eachEntry()) {
        const key = partKey(entry.fileName);
        if (entries.has(key)) {
          throw new InputError(
            this.displayName,
            `is not a readable .xlsx workbook: it holds two parts named "${entry.fileName}", so which one to read is unknown; open it in Excel and save it again`,
          );
        }
        entries.set(key, entry);
      }
    } catch (error) {
      throw this.failure(error, undefined);
    }
  }

  /** The fingerprint the bytes were read against (recorded by a first read). */
  get fingerprint(): Fingerprint {
    return this.reader.expected;
  }

  /** Whether the zip holds part `name` (with or without its leading `/`). */
  has(name: string): boolean {
    return this.entries.has(partKey(name));
  }

  /**
   * The unpacked bytes of part `name` as a stream, after its size is checked: `held` parts at most
   * `MAX_HELD_PART_BYTES`, any part at most `MAX_SHEET_BYTES` and `MAX_RATIO` times its packed size.
   */
  async open(name: string, held: boolean): Promise<Readable> {
    const entry = this.entries.get(partKey(name));
    if (entry === undefined) {
      throw new InputError(this.displayName, `is not a readable .xlsx workbook: its part ${name} is missing`);
    }
    this.refuseBomb(entry, held);
    let stream: Readable;
    try {
      stream = await this.zip.openReadStreamPromise(entry);
    } catch (error) {
      throw this.failure(error, undefined);
    }
    const checked = checksummed(entry, this.displayName);
    stream.on('error', (error) => checked.destroy(error));
    checked.on('close', () => stream.destroy());
    return stream.pipe(checked);
  }

  private refuseBomb(entry: yauzl.Entry, held: boolean): void {
    const { uncompressedSize: size, compressedSize: packed, fileName } = entry;
    const limit = held ? MAX_HELD_PART_BYTES : MAX_SHEET_BYTES;
    const ratio = size / Math.max(1, packed);
    if (size > limit || (size > RATIO_FLOOR_BYTES && ratio > MAX_RATIO)) {
      throw new InputError(
        this.displayName,
        `is not read: its part ${fileName} would unpack to ${sizeText(size)} from ${sizeText(packed)}, ` +
          'more than a spreadsheet holds (a damaged file or a zip bomb); save the sheet as CSV and try again',
      );
    }
  }

  /** What a failure while reading means: the bytes changed, a refusal already said, or a damaged zip. */
  failure(error: unknown, lastRow: number | undefined): InputError {
    if (this.reader.failure) return this.reader.failure;
    if (error instanceof InputChangedError || error instanceof InputError) return error;
    return damaged(this.displayName, error, lastRow);
  }

  /** Let go of the file. */
  close(): void {
    if (this.zip.isOpen) this.zip.close();
  }
}

/**
 * The part's bytes passed on, their CRC-32 compared with the one the zip records at the end: yauzl
 * does not, and a damaged stored part would otherwise read as other values (Excel refuses it too).
 */
function checksummed(entry: yauzl.Entry, displayName: string): Transform {
  let crc = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      crc = crc32(chunk, crc);
      callback(null, chunk);
    },
    flush(callback) {
      if (crc >>> 0 === entry.crc32 >>> 0) return callback();
      callback(
        new InputError(
          displayName,
          `is not a readable .xlsx workbook: its part ${entry.fileName} is damaged (its checksum is wrong); open it in Excel and save it again`,
        ),
      );
    },
  });
}

/** A size as a person reads it. */
function sizeText(bytes: number): string {
  return bytes >= MB ? `${Math.round(bytes / MB)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** A part name as compared: without a leading `/`, case folded. */
function partKey(name: string): string {
  return name.replace(/^\/+/, '').toLowerCase();
}
