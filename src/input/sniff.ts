/**
 * How to read a file, told from its first bytes: a workbook (a zip) or text; for text, the encoding
 * its byte-order mark names, binary data refused (UTF-16 without its byte-order mark told apart),
 * and the delimiter: the one Excel's `sep=;` first line names, else the one the header line uses.
 */
import { open } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import { InputError } from '../errors.js';
import { unreadable } from './read-errors.js';
import type { InputFormat } from './record.js';

const SNIFF_BYTES = 64 * 1024;
const DELIMITER_CANDIDATES = [',', ';', '\t', '|'];

/** Look at the first bytes: BOM for the encoding, the header line for the delimiter. */
export async function sniffInput(
  file: string,
  forced: { encoding?: string | undefined; delimiter?: string | undefined; sheet?: string | undefined },
  displayName = file,
): Promise<InputFormat> {
  const head = await readHead(file, displayName);
  // A workbook is a zip: told by its first bytes, not its name, so standard input works too.
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    return {
      container: 'xlsx',
      sheet: forced.sheet,
      encoding: 'utf-8',
      delimiter: ',',
      guessedEncoding: false,
    };
  }
  let encoding = forced.encoding;
  if (encoding === undefined) {
    if (head[0] === 0xff && head[1] === 0xfe) encoding = 'utf-16le';
    else if (head[0] === 0xfe && head[1] === 0xff) encoding = 'utf-16be';
  }
  const guessedEncoding = encoding === undefined;
  if (!(encoding ?? '').startsWith('utf-16')) refuseBinary(head, displayName);
  const text = new TextDecoder(encoding ?? 'utf-8').decode(head);
  const sep = sepLine(text);
  return {
    container: 'csv',
    encoding: encoding ?? 'utf-8',
    delimiter: forced.delimiter ?? sep ?? detectDelimiter(text),
    guessedEncoding,
    ...(sep === undefined ? {} : { sepLine: true }),
  };
}

/**
 * Excel's `sep=;` first line (written on request, read by Excel): it names the delimiter and is a
 * row of its own, not the header. Any one character but a quote or a line break may be named.
 */
export function sepLine(text: string): string | undefined {
  return /^(?:\ufeff)?sep=([^"\r\n])\1*(?:\r\n|\n|\r|$)/i.exec(text)?.[1];
}

/** The candidate delimiter seen most often outside quotes on the first line; comma when none is. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && DELIMITER_CANDIDATES.includes(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  for (const candidate of DELIMITER_CANDIDATES) {
    if ((counts.get(candidate) ?? 0) > (counts.get(best) ?? 0)) best = candidate;
  }
  return best;
}

/** The first `SNIFF_BYTES` of the file (all of it when shorter). */
async function readHead(file: string, displayName: string): Promise<Buffer> {
  try {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw unreadable(displayName, error);
  }
}

/**
 * UTF-16 text without its byte-order mark: mostly Latin text, so most code units have a zero high
 * byte, which falls on the odd offsets (little-endian) or the even ones (big-endian) and not the others.
 */
export function utf16WithoutBom(head: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const pairs = Math.floor(head.length / 2);
  if (pairs < 4) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  if (oddNul >= pairs / 2 && evenNul <= pairs / 20) return 'utf-16le';
  if (evenNul >= pairs / 2 && oddNul <= pairs / 20) return 'utf-16be';
  return undefined;
}

/**
 * A CSV has no NUL bytes and few control characters. Refuse binary data (an .xls, a PDF, a zip
 * that is not a workbook, UTF-16 without its byte-order mark) by name, with where it starts,
 * rather than with whatever CSV error its bytes happen to cause first.
 */
function refuseBinary(head: Buffer, displayName: string): void {
  let controls = 0;
  let first = -1;
  for (let i = 0; i < head.length; i++) {
    const b = head[i] as number;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) {
      controls++;
      if (first === -1) first = i;
    }
  }
  // A stray NUL or two in a real CSV is reported by the reader, at its cell.
  if (controls <= Math.max(8, head.length / 100)) return;
  const utf16 = utf16WithoutBom(head);
  if (utf16) {
    throw new InputError(
      displayName,
      `this looks like ${utf16.toUpperCase()} text without its byte-order mark; ` +
        `run again with --encoding ${utf16}, or save the spreadsheet as "CSV UTF-8"`,
    );
  }
  const before = head.subarray(0, first).toString('latin1');
  const line = 1 + (before.match(/\r\n|\n|\r/g)?.length ?? 0);
  throw new InputError(
    displayName,
    'this is binary data, not a CSV file (it is full of NUL bytes and control characters). ' +
      'Save the spreadsheet as "CSV UTF-8", or give the .xlsx workbook itself',
    { line },
  );
}
