import { describe, expect, test } from '@jest/globals';
import { Writable } from 'node:stream';
import { abortOnInterrupt } from '../../src/cli/interrupts.js';

/** A stderr that keeps what it is told. */
function stderr(): Writable & { text: string } {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      sink.text += chunk.toString();
      done();
    },
  }) as Writable & { text: string };
  sink.text = '';
  return sink;
}

describe('abortOnInterrupt', () => {
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    test(`${name} aborts the run with its name as the reason, and says the rows in flight finish`, () => {
      const err = stderr();
      const interrupts = abortOnInterrupt(err);
      try {
        process.emit(name, name);
        expect(interrupts.signal.aborted).toBe(true);
        expect(interrupts.signal.reason).toBe(name);
        expect(err.text).toBe(
          `\ncloudcockpit-bulk: ${name}: finishing the rows in flight (interrupt again to quit at once)\n`,
        );
      } finally {
        interrupts.release();
      }
    });
  }

  test('after a SIGHUP a stderr that refuses writes (a closed terminal) does not end the run', () => {
    const err = stderr();
    const interrupts = abortOnInterrupt(err);
    try {
      process.emit('SIGHUP', 'SIGHUP');
      expect(() => err.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }))).not.toThrow();
    } finally {
      interrupts.release();
    }
  });

  test('once released, it listens no more', () => {
    const before = process.listenerCount('SIGHUP');
    abortOnInterrupt(stderr()).release();
    expect(process.listenerCount('SIGHUP')).toBe(before);
  });
});
