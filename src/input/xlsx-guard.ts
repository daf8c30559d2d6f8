/**
 * A workbook's bytes read by position (a zip is read from its central directory, at its end, so
 * no order of its parts is ever assumed), guarded as the CSV reader's stream is (see
 * fingerprint.ts): every byte handed to the zip reader is in a 64 KiB block whose hash is the one
 * the preflight recorded. A first read hashes the whole file first, then reads it against that.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { identityChange, identityOf } from './file-identity.js';
import {
  BLOCK_BYTES,
  InputChangedError,
  openInput,
  type Fingerprint,
  type ReadGuard,
} from './fingerprint.js';

/** The fingerprint of every byte of `file`, read once as a stream. */
async function fingerprintOf(file: string, displayName: string): Promise<Fingerprint> {
  const input = await openInput(file, displayName);
  try {
    for await (const _ of input.bytes as AsyncIterable<Buffer>);
  } finally {
    input.bytes.destroy();
  }
  return input.fingerprint();
}

/** A file read by position, each block checked against a fingerprint before its bytes are used. */
export class GuardedReader extends yauzl.RandomAccessReader {
  /** The first change found: the bytes read since are not used, and this is what a read throws. */
  failure: InputChangedError | undefined;
  private cached: { index: number; bytes: Buffer } | undefined;

  private constructor(
    private readonly handle: FileHandle,
    private readonly displayName: string,
    readonly expected: Fingerprint,
  ) {
    super();
  }

  /**
   * `file` opened to be read by position: against `guard.against`, or against the fingerprint of
   * its bytes read now (then told to `guard.recorded` when the read ends). Throws
   * `InputChangedError` if the file is not the one fingerprinted.
   */
  static async open(file: string, displayName: string, guard: ReadGuard): Promise<GuardedReader> {
    const expected = guard.against ?? (await fingerprintOf(file, displayName));
    const handle = await open(file, 'r');
    try {
      const change = identityChange(expected.identity, identityOf(await handle.stat({ bigint: true })));
      if (change) throw new InputChangedError(displayName, change);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new GuardedReader(handle, displayName, expected);
  }

  /** The file's size as the fingerprint knows it. */
  get size(): number {
    return Number(this.expected.identity.size);
  }

  /** Block `index` of the file, checked (blocks past what a partial fingerprint covers are not). */
  async block(index: number): Promise<Buffer> {
    if (this.failure) throw this.failure;
    if (this.cached?.index === index) return this.cached.bytes;
    const start = index * BLOCK_BYTES;
    const length = Math.max(0, Math.min(BLOCK_BYTES, this.size - start));
    const bytes = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(bytes, 0, length, start);
    const { blocks, complete } = this.expected;
    if (complete || index < blocks.length) {
      const digest = createHash('sha256').update(bytes.subarray(0, bytesRead)).digest();
      if (bytesRead !== length || !blocks[index]?.equals(digest)) {
        this.failure = new InputChangedError(
          this.displayName,
          `its bytes from byte ${start} on are not those checked`,
        );
        throw this.failure;
      }
    }
    this.cached = { index, bytes };
    return bytes;
  }

  /** What yauzl reads through: the bytes from `start` to `end`, block by block as they are wanted. */
  override _readStreamForRange(start: number, end: number): Readable {
    let at = start;
    const stream = new Readable({
      read: () => {
        const index = Math.floor(at / BLOCK_BYTES);
        this.block(index).then(
          (bytes) => {
            const piece = bytes.subarray(
              at - index * BLOCK_BYTES,
              Math.min(bytes.length, end - index * BLOCK_BYTES),
            );
            // A block shorter than wanted is the end of the file: yauzl reports the shortfall.
            at = piece.length === 0 ? end : at + piece.length;
            if (piece.length > 0) stream.push(piece);
            if (at >= end) stream.push(null);
          },
          (error: Error) => stream.destroy(error),
        );
      },
    });
    return stream;
  }

  /** The file is closed once yauzl lets go of it. */
  override close(callback: (error: Error | null) => void): void {
    this.handle.close().then(
      () => callback(null),
      (error: Error) => callback(error),
    );
  }
}
