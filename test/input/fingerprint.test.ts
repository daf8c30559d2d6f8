/** The preflight's fingerprint of the input, and every later read checked against it. */
import { describe, expect, test } from '@jest/globals';
import { appendFile, rename, truncate, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BLOCK_BYTES, InputChangedError, openInput, type Fingerprint } from '../../src/input/fingerprint.js';
import { tempFile } from '../helpers/files.js';

/** Every byte `openInput` passes on, and why they ended early, if they did. */
async function readAll(
  file: string,
  against?: Fingerprint,
): Promise<{ bytes: Buffer; fingerprint: Fingerprint; failure: InputChangedError | undefined }> {
  const input = await openInput(file, 'in.csv', against);
  const chunks: Buffer[] = [];
  for await (const chunk of input.bytes as AsyncIterable<Buffer>) chunks.push(chunk);
  return { bytes: Buffer.concat(chunks), fingerprint: input.fingerprint(), failure: input.failure() };
}

/** How the file differs from `fingerprint` when it is opened against it. */
async function refusedAtOpen(file: string, fingerprint: Fingerprint): Promise<string | undefined> {
  const error = await openInput(file, 'in.csv', fingerprint).then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof InputChangedError ? error.detail : undefined;
}

/** `blocks` blocks and a bit of distinct bytes. */
function content(blocks: number): Buffer {
  const bytes = Buffer.alloc(blocks * BLOCK_BYTES + 100);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 16)) & 0xff;
  return bytes;
}

describe('openInput', () => {
  test('records a hash per block and the identity, passing every byte on as it is', async () => {
    const bytes = content(3);
    const file = await tempFile('in.csv', bytes);
    const read = await readAll(file);
    expect(read.bytes.equals(bytes)).toBe(true);
    expect(read.fingerprint.blocks).toHaveLength(4);
    expect(read.fingerprint.complete).toBe(true);
    expect(read.fingerprint.identity.size).toBe(BigInt(bytes.length));
    // Read again unchanged: the same bytes pass.
    expect((await readAll(file, read.fingerprint)).bytes.equals(bytes)).toBe(true);
  });

  test('a block that changed is never passed on: the bytes end at the block before it, saying why', async () => {
    const bytes = content(3);
    const file = await tempFile('in.csv', bytes);
    const { fingerprint } = await readAll(file);
    const changed = Buffer.from(bytes);
    changed.writeUInt8((changed[2 * BLOCK_BYTES + 5] as number) ^ 1, 2 * BLOCK_BYTES + 5);
    await writeFile(file, changed);
    // Same size, new time: the identity tells at once, before any byte is read.
    const atOnce = await openInput(file, 'in.csv', fingerprint).catch((e: unknown) => e);
    expect(atOnce).toBeInstanceOf(InputChangedError);
    expect((atOnce as InputChangedError).message).toMatch(
      /^in\.csv: changed while it was being read \(it was written again at /,
    );
    // With the old time put back only the hashes can tell: they do, at the block that changed.
    const seconds = Number(fingerprint.identity.mtimeNs) / 1e9;
    await utimes(file, seconds, seconds);
    const read = await readAll(file, {
      ...fingerprint,
      identity: { ...fingerprint.identity, mtimeNs: (await readAll(file)).fingerprint.identity.mtimeNs },
    });
    expect(read.failure).toBeInstanceOf(InputChangedError);
    expect(read.failure?.detail).toBe(`its bytes from byte ${2 * BLOCK_BYTES} on are not those checked`);
    expect(read.bytes.equals(bytes.subarray(0, 2 * BLOCK_BYTES))).toBe(true);
  });

  test('a file cut short, grown or replaced is told as such', async () => {
    const bytes = content(2);
    const file = await tempFile('in.csv', bytes);
    const { fingerprint } = await readAll(file);
    /** Open the file as it was fingerprinted, change it, then read it. */
    const changedAfterOpen = async (change: () => Promise<void>) => {
      await writeFile(file, bytes);
      const seconds = Number(fingerprint.identity.mtimeNs) / 1e9;
      await utimes(file, seconds, seconds);
      const input = await openInput(file, 'in.csv', {
        ...fingerprint,
        identity: (await readAll(file)).fingerprint.identity,
      });
      await change();
      const chunks: Buffer[] = [];
      for await (const chunk of input.bytes as AsyncIterable<Buffer>) chunks.push(chunk);
      return { passed: Buffer.concat(chunks).length, detail: input.failure()?.detail };
    };
    // Cut short: only whole checked blocks pass. How many depends on how far the stream had read
    // ahead before the cut (on a loaded machine, both blocks were read before it), so either.
    const cut = await changedAfterOpen(() => truncate(file, BLOCK_BYTES + 10));
    expect([BLOCK_BYTES, 2 * BLOCK_BYTES]).toContain(cut.passed);
    expect(cut.detail).toMatch(new RegExp(`^it ends after \\d+ of the ${bytes.length} bytes checked$`));
    // Grown: what was there is all checked and passed on, the rest is not.
    expect(await changedAfterOpen(() => appendFile(file, 'more'))).toEqual({
      passed: bytes.length,
      detail: `it is longer than the ${bytes.length} bytes checked`,
    });
    // Checked at open: the size, and which file it is.
    await truncate(file, 10);
    expect(await refusedAtOpen(file, fingerprint)).toBe(`its size went from ${bytes.length} to 10 bytes`);
    const other = path.join(path.dirname(file), 'other.csv');
    await writeFile(other, bytes);
    await rename(other, file);
    expect(await refusedAtOpen(file, fingerprint)).toBe('it was replaced by another file');
  });

  test('after a header-only read, the blocks read are checked and the rest passes as it is', async () => {
    const bytes = content(2);
    const file = await tempFile('in.csv', bytes);
    const input = await openInput(file, 'in.csv');
    for await (const _ of input.bytes) break;
    const partial = input.fingerprint();
    expect(partial.complete).toBe(false);
    expect(partial.blocks.length).toBeGreaterThan(0);
    const read = await readAll(file, partial);
    expect(read.failure).toBeUndefined();
    expect(read.bytes.equals(bytes)).toBe(true);
  });
});
