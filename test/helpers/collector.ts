/** A stream that keeps what is written to it, as text: a run's log or stderr, for a test to read. */
import { Writable } from 'node:stream';

/** A stream that keeps what is written to it. */
export class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}
