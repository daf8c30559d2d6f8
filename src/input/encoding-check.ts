/**
 * Where bytes stop being valid in an encoding, which TextDecoder cannot say (it only throws), and
 * whether a file holds UTF-8 beyond ASCII at all. Asked only once a decoder has refused a file: to
 * name the line and column of its first bad byte, and to tell a file that mixes UTF-8 with another
 * encoding (refused: read either way, some text would be wrong) from one that is simply not UTF-8.
 */
import { createReadStream } from 'node:fs';

/** What a scan of the bytes found. */
export interface ByteScan {
  /** Offset of the first byte that is not valid (for UTF-16, of its code unit); undefined if none. */
  readonly firstInvalid: number | undefined;
  /** The byte at `firstInvalid`. */
  readonly invalidByte: number | undefined;
  /** Valid UTF-8 sequences of two bytes or more were seen. */
  readonly multiByte: boolean;
}

/** A validator fed a file's bytes in order. */
interface Scanner {
  feed(chunk: Buffer): void;
  /** Nothing more is to be learnt from further bytes. */
  readonly settled: boolean;
  end(): ByteScan;
}

/** The first fault seen; later ones do not matter. */
class Faults {
  firstInvalid: number | undefined;
  invalidByte: number | undefined;

  note(at: number, byte: number | undefined): void {
    if (this.firstInvalid !== undefined) return;
    this.firstInvalid = at;
    this.invalidByte = byte;
  }
}

/** UTF-8 as the WHATWG decoder reads it: shortest forms only, no surrogates, nothing above U+10FFFF. */
export class Utf8Scanner implements Scanner {
  private readonly faults = new Faults();
  private multiByte = false;
  private offset = 0;
  /** Continuation bytes the current sequence still needs, and the bounds of the next one. */
  private need = 0;
  private lower = 0x80;
  private upper = 0xbf;
  private lead = 0;
  private leadAt = 0;

  get settled(): boolean {
    return this.multiByte && this.faults.firstInvalid !== undefined;
  }

  feed(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (this.need === 0) {
        if (b >= 0x80) this.begin(b, this.offset + i);
      } else if (b < this.lower || b > this.upper) {
        // The sequence is broken: its lead byte is the fault, and this byte starts afresh.
        this.faults.note(this.leadAt, this.lead);
        this.need = 0;
        i--;
      } else {
        this.lower = 0x80;
        this.upper = 0xbf;
        if (--this.need === 0) this.multiByte = true;
      }
    }
    this.offset += chunk.length;
  }

  end(): ByteScan {
    if (this.need > 0) this.faults.note(this.leadAt, this.lead);
    return { ...this.faults, multiByte: this.multiByte };
  }

  private begin(b: number, at: number): void {
    this.lead = b;
    this.leadAt = at;
    this.lower = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    this.upper = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (b >= 0xc2 && b <= 0xdf) this.need = 1;
    else if (b >= 0xe0 && b <= 0xef) this.need = 2;
    else if (b >= 0xf0 && b <= 0xf4) this.need = 3;
    else this.faults.note(at, b);
  }
}

/** UTF-16: every high surrogate followed by a low one, no low one alone, no odd byte at the end. */
export class Utf16Scanner implements Scanner {
  private readonly faults = new Faults();
  private offset = 0;
  private odd: number | undefined;
  private highAt: number | undefined;
  private highByte: number | undefined;

  constructor(private readonly littleEndian: boolean) {}

  get settled(): boolean {
    return this.faults.firstInvalid !== undefined;
  }

  feed(chunk: Buffer): void {
    let i = 0;
    if (this.odd !== undefined && chunk.length > 0) {
      this.unit(this.odd, chunk[0] as number, this.offset - 1);
      this.odd = undefined;
      i = 1;
    }
    for (; i + 1 < chunk.length; i += 2)
      this.unit(chunk[i] as number, chunk[i + 1] as number, this.offset + i);
    if (i < chunk.length) this.odd = chunk[i];
    this.offset += chunk.length;
  }

  end(): ByteScan {
    if (this.highAt !== undefined) this.faults.note(this.highAt, this.highByte);
    if (this.odd !== undefined) this.faults.note(this.offset - 1, this.odd);
    return { ...this.faults, multiByte: false };
  }

  private unit(first: number, second: number, at: number): void {
    const unit = this.littleEndian ? first | (second << 8) : (first << 8) | second;
    const byte = this.littleEndian ? second : first;
    if (this.highAt !== undefined) {
      const paired = unit >= 0xdc00 && unit <= 0xdfff;
      if (!paired) this.faults.note(this.highAt, this.highByte);
      this.highAt = undefined;
      if (paired) return;
    }
    if (unit >= 0xd800 && unit <= 0xdbff) {
      this.highAt = at;
      this.highByte = byte;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) this.faults.note(at, byte);
  }
}

/** The scanner for `encoding`; undefined for a single-byte encoding, where every byte is valid. */
function scannerFor(encoding: string): Scanner | undefined {
  if (encoding === 'utf-8') return new Utf8Scanner();
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return new Utf16Scanner(encoding === 'utf-16le');
  return undefined;
}

/** Scan `file` as `encoding`, reading no further than needed. */
export async function scanFile(file: string, encoding: string): Promise<ByteScan> {
  const scanner = scannerFor(encoding);
  if (!scanner) return { firstInvalid: undefined, invalidByte: undefined, multiByte: false };
  const source = createReadStream(file);
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      scanner.feed(chunk);
      if (scanner.settled) break;
    }
  } finally {
    source.destroy();
  }
  return scanner.end();
}
