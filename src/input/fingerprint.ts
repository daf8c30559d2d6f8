/**
 * What the preflight read, so that a run sends only that: the file's identity when it was opened
 * (device, inode, size, modification time) and a hash of each 64 KiB block of its bytes. A later
 * pass checks the identity when it opens the file and each block's hash before the block goes on
 * to the parser, so a file changed in between, or while it is read, is noticed, and no byte of the
 * change is ever parsed. Memory stays flat: 32 bytes a block, 50 KB for a 100 MB file.
 */
import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { InputError } from '../errors.js';
import { identityChange, identityOf, type FileIdentity } from './file-identity.js';

/** The bytes hashed together: the unit in which a change is noticed. */
export const BLOCK_BYTES = 64 * 1024;

/** The file as the preflight read it. */
export interface Fingerprint {
  readonly identity: FileIdentity;
  /** The hash of each block read, in order: the last, shorter one too when `complete`. */
  readonly blocks: readonly Buffer[];
  /** Every byte was read (not, as in a dry run, only as far as the header). */
  readonly complete: boolean;
}

/** The input is not what the preflight read any more: `detail` says how. */
export class InputChangedError extends InputError {
  constructor(
    file: string,
    readonly detail: string,
  ) {
    super(file, `changed while it was being read (${detail})`);
    this.name = 'InputChangedError';
  }
}

/** Block hashes of a byte stream, whatever the size of its chunks. */
class BlockHasher {
  /** Blocks completed so far. */
  index = 0;
  /** Bytes of the current block so far. */
  filled = 0;
  private hash: Hash = createHash('sha256');

  /** Hash `part` (at most what the current block still lacks); the digest if it completes it. */
  add(part: Buffer): Buffer | undefined {
    this.hash.update(part);
    this.filled += part.length;
    return this.filled === BLOCK_BYTES ? this.close() : undefined;
  }

  /** The current block's digest, and start the next. */
  close(): Buffer {
    const digest = this.hash.digest();
    this.hash = createHash('sha256');
    this.filled = 0;
    this.index++;
    return digest;
  }

  /** Each piece of `chunk` that fits in the current block, in order. */
  *pieces(chunk: Buffer): Generator<Buffer> {
    for (let at = 0; at < chunk.length;) {
      const take = Math.min(BLOCK_BYTES - this.filled, chunk.length - at);
      yield chunk.subarray(at, at + take);
      at += take;
    }
  }
}

/** Passes the bytes on as they come, recording their block hashes. */
class Recording extends Transform {
  private readonly hasher = new BlockHasher();
  private readonly blocks: Buffer[] = [];
  private complete = false;

  constructor(private readonly identity: FileIdentity) {
    super();
  }

  get fingerprint(): Fingerprint {
    return { identity: this.identity, blocks: this.blocks, complete: this.complete };
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (const part of this.hasher.pieces(chunk)) {
      const digest = this.hasher.add(part);
      if (digest) this.blocks.push(digest);
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.hasher.filled > 0) this.blocks.push(this.hasher.close());
    this.complete = true;
    callback();
  }
}

/**
 * Holds each block until its hash is the one recorded, then passes it on. At the first that is
 * not, the bytes simply end there and the error is kept as `failure`: a stream that fails drops
 * what it still holds, and the rows of the blocks checked before the change are good to use.
 */
class Verifying extends Transform {
  failure: InputChangedError | undefined;
  private readonly hasher = new BlockHasher();
  private held: Buffer[] = [];
  private bytes = 0n;

  constructor(
    private readonly expected: Fingerprint,
    private readonly displayName: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const { blocks, complete, identity } = this.expected;
    if (this.failure) return callback();
    for (const part of this.hasher.pieces(chunk)) {
      // Beyond what a header-only preflight read there is nothing to compare with.
      if (!complete && this.hasher.index >= blocks.length) {
        this.push(part);
        continue;
      }
      const room = complete ? Number(identity.size - this.bytes) : part.length;
      // Bytes beyond the end checked: the last block is checked as far as it went, then refused.
      if (part.length > room) {
        if (room > 0) this.hold(part.subarray(0, room));
        if (this.hasher.filled > 0 && !this.release(this.hasher.close()))
          return this.fail(this.differs(), callback);
        return this.fail(`it is longer than the ${identity.size} bytes checked`, callback);
      }
      if (!this.hold(part)) return this.fail(this.differs(), callback);
    }
    callback();
  }

  /** Hold `part` of the current block; false if it completes the block and the block is not the one checked. */
  private hold(part: Buffer): boolean {
    this.bytes += BigInt(part.length);
    this.held.push(part);
    const digest = this.hasher.add(part);
    return digest === undefined || this.release(digest);
  }

  override _flush(callback: TransformCallback): void {
    const { complete, identity } = this.expected;
    if (!complete || this.failure) return callback();
    if (this.bytes < identity.size)
      return this.fail(`it ends after ${this.bytes} of the ${identity.size} bytes checked`, callback);
    if (this.hasher.filled > 0 && !this.release(this.hasher.close()))
      return this.fail(this.differs(), callback);
    callback();
  }

  /** Pass the held block on if its digest is the one recorded for it. */
  private release(digest: Buffer): boolean {
    if (!this.expected.blocks[this.hasher.index - 1]?.equals(digest)) return false;
    for (const part of this.held) this.push(part);
    this.held = [];
    return true;
  }

  /** Where the bytes stopped being the same: the block just hashed. */
  private differs(): string {
    return `its bytes from byte ${(this.hasher.index - 1) * BLOCK_BYTES} on are not those checked`;
  }

  private fail(detail: string, callback: TransformCallback): void {
    this.failure = new InputChangedError(this.displayName, detail);
    this.held = [];
    this.push(null);
    callback();
  }
}

/** How a read guards the bytes it reads. */
export interface ReadGuard {
  /** Check every byte against the preflight's fingerprint: `InputChangedError` where they differ. */
  readonly against?: Fingerprint | undefined;
  /** Told, when the read ends, the fingerprint of what it read. */
  readonly recorded?: (fingerprint: Fingerprint) => void;
}

/** An opened input: its bytes, and what is known of them once read. */
export interface OpenedInput {
  readonly bytes: Readable;
  /** What was read (so far): the fingerprint recorded, or the one checked against. */
  fingerprint(): Fingerprint;
  /** Why the bytes ended early: they stopped being those of the fingerprint checked against. */
  failure(): InputChangedError | undefined;
}

/**
 * Open `file` to read its bytes: recording their fingerprint, or, given `against`, checking them
 * against it: an `InputChangedError` at once if the file is not the one fingerprinted, and where
 * its bytes stop being the same they end, with `failure()` saying why (see `Verifying`). Destroying
 * `bytes` closes the file.
 */
export async function openInput(
  file: string,
  displayName: string,
  against?: Fingerprint,
): Promise<OpenedInput> {
  const handle = await open(file, 'r');
  let identity: FileIdentity;
  try {
    identity = identityOf(await handle.stat({ bigint: true }));
    const change = against && identityChange(against.identity, identity);
    if (change) throw new InputChangedError(displayName, change);
  } catch (error) {
    await handle.close();
    throw error;
  }
  const source = handle.createReadStream();
  const guard = against ? new Verifying(against, displayName) : new Recording(identity);
  source.on('error', (error) => guard.destroy(error));
  guard.on('close', () => source.destroy());
  source.pipe(guard);
  return {
    bytes: guard,
    fingerprint: () => (guard instanceof Recording ? guard.fingerprint : (against as Fingerprint)),
    failure: () => (guard instanceof Verifying ? guard.failure : undefined),
  };
}
