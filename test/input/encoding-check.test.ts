/** Finding the first byte that is not valid in an encoding, as TextDecoder would refuse it. */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { TextDecoder } from 'node:util';
import { scanFile, Utf16Scanner, Utf8Scanner, type ByteScan } from '../../src/input/encoding-check.js';
import { tempFile } from '../helpers/files.js';

/** Scan `bytes` fed in chunks of `size`. */
function scan(scanner: Utf8Scanner | Utf16Scanner, bytes: Buffer, size = bytes.length || 1): ByteScan {
  for (let at = 0; at < bytes.length; at += size) scanner.feed(bytes.subarray(at, at + size));
  return scanner.end();
}

/**
 * Where a strict TextDecoder first fails on `bytes`: the end of the longest prefix it decodes as a
 * whole, which is where the first bad sequence starts (or undefined when all of it decodes).
 */
function decoderFailsAt(encoding: string, bytes: Buffer): number | undefined {
  for (let n = bytes.length; n >= 0; n--) {
    try {
      new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(0, n));
      return n === bytes.length ? undefined : n;
    } catch {
      // a shorter prefix, then
    }
  }
  return 0;
}

describe('Utf8Scanner', () => {
  test('valid text, with and without multi-byte characters', () => {
    expect(scan(new Utf8Scanner(), Buffer.from('plain ASCII'))).toEqual({
      firstInvalid: undefined,
      invalidByte: undefined,
      multiByte: false,
    });
    expect(scan(new Utf8Scanner(), Buffer.from('Müller € 😀'), 1).multiByte).toBe(true);
  });

  test('a stray Windows-1252 byte is found at its offset, with the byte', () => {
    const bytes = Buffer.concat([Buffer.from('Müller,Gr'), Buffer.from([0xfc]), Buffer.from('n')]);
    expect(scan(new Utf8Scanner(), bytes, 3)).toEqual({
      firstInvalid: 10,
      invalidByte: 0xfc,
      multiByte: true,
    });
  });

  test('overlong forms, surrogates, code points beyond U+10FFFF and cut sequences are faults at their lead byte', () => {
    for (const [bytes, at] of [
      [[0x41, 0xc0, 0x80], 1],
      [[0xe0, 0x80, 0x80], 0],
      [[0xed, 0xa0, 0x80], 0],
      [[0xf4, 0x90, 0x80, 0x80], 0],
      [[0x41, 0x42, 0xe2, 0x82], 2],
      [[0x80], 0],
      [[0xff], 0],
    ] as const) {
      expect(scan(new Utf8Scanner(), Buffer.from(bytes), 1).firstInvalid).toBe(at);
    }
  });

  test('agrees with TextDecoder on where random bytes stop being UTF-8, however they are chunked', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 1, max: 8 }), (array, size) => {
        const bytes = Buffer.from(array);
        expect(scan(new Utf8Scanner(), bytes, size).firstInvalid).toBe(decoderFailsAt('utf-8', bytes));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Utf16Scanner', () => {
  test('a lone surrogate or an odd last byte is a fault at its code unit', () => {
    const pair = Buffer.from('a😀b', 'utf16le');
    expect(scan(new Utf16Scanner(true), pair, 1).firstInvalid).toBeUndefined();
    const lone = Buffer.concat([Buffer.from('ab', 'utf16le'), Buffer.from([0x00, 0xd8, 0x41, 0x00])]);
    expect(scan(new Utf16Scanner(true), lone, 3)).toMatchObject({ firstInvalid: 4, invalidByte: 0xd8 });
    expect(scan(new Utf16Scanner(false), Buffer.from([0x00, 0x41, 0xdc, 0x00])).firstInvalid).toBe(2);
    expect(scan(new Utf16Scanner(true), Buffer.from([0x41, 0x00, 0x42])).firstInvalid).toBe(2);
  });

  test('agrees with TextDecoder on random bytes, both byte orders', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 30 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 5 }),
        (array, le, size) => {
          // Surrogates are rare in random bytes: make many units land in their range.
          const bytes = Buffer.from(
            array.map((b, i) => (i % 2 === (le ? 1 : 0) && b & 1 ? 0xd8 | (b & 0x07) : b)),
          );
          expect(scan(new Utf16Scanner(le), bytes, size).firstInvalid).toBe(
            decoderFailsAt(le ? 'utf-16le' : 'utf-16be', bytes),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('scanFile', () => {
  test('scans a file as its encoding; a single-byte encoding has no faults', async () => {
    const file = await tempFile('in.csv', Buffer.from([0x41, 0xfc, 0x42]));
    expect((await scanFile(file, 'utf-8')).firstInvalid).toBe(1);
    expect((await scanFile(file, 'windows-1252')).firstInvalid).toBeUndefined();
  });
});
