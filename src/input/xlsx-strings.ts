/**
 * A workbook's shared strings, held compactly: they must all be held while the sheet is read (a
 * cell may name any of them), and a sheet of distinct ids holds hundreds of thousands. Joined into
 * blocks of 1024 with their offsets in one array, they cost their characters and 4 bytes each, not
 * a string object each, and give the garbage collector a few hundred objects to keep, not 300,000.
 */
import type { Readable } from 'node:stream';
import { unescapeText } from './xlsx-cells.js';
import { parseXml } from './xlsx-xml.js';

const BLOCK_SHIFT = 10;
const BLOCK = 1 << BLOCK_SHIFT;

/** The shared strings, by index. */
export class SharedStrings {
  private readonly blocks: string[] = [];
  private pending: string[] = [];
  private starts = new Uint32Array(1024);
  private count = 0;
  private offset = 0;

  /** A table of `strings` (for tests). */
  static of(strings: readonly string[]): SharedStrings {
    const table = new SharedStrings();
    for (const s of strings) table.add(s);
    return table.done();
  }

  /** How many there are. */
  get length(): number {
    return this.count;
  }

  /** Add the next string. */
  add(text: string): void {
    if (this.count === this.starts.length) {
      const grown = new Uint32Array(this.starts.length * 2);
      grown.set(this.starts);
      this.starts = grown;
    }
    this.starts[this.count++] = this.offset;
    this.pending.push(text);
    this.offset += text.length;
    if (this.pending.length === BLOCK) this.seal();
  }

  /** No more strings come. */
  done(): this {
    if (this.pending.length > 0) this.seal();
    return this;
  }

  /** String `index` (0 <= index < length). */
  get(index: number): string {
    const block = this.blocks[index >> BLOCK_SHIFT] as string;
    const last = (index & (BLOCK - 1)) === BLOCK - 1 || index === this.count - 1;
    return block.slice(this.starts[index], last ? block.length : this.starts[index + 1]);
  }

  private seal(): void {
    this.blocks.push(this.pending.join(''));
    this.pending = [];
    this.offset = 0;
  }
}

/**
 * The shared strings part read: each `<si>`'s text (rich text runs joined; the phonetic guide
 * `<rPh>` Excel shows above Japanese text left out, as it is not the cell's value).
 */
export async function readSharedStrings(stream: Readable): Promise<SharedStrings> {
  const strings = new SharedStrings();
  let current: string | undefined;
  let inText = false;
  let phonetic = 0;
  await parseXml(stream, {
    open(name) {
      if (name === 'si') current = '';
      else if (name === 't') inText = true;
      else if (name === 'rPh') phonetic++;
    },
    text(text) {
      if (current !== undefined && inText && phonetic === 0) current += text;
    },
    close(name) {
      if (name === 't') inText = false;
      else if (name === 'rPh') phonetic--;
      else if (name === 'si' && current !== undefined) {
        strings.add(unescapeText(current));
        current = undefined;
      }
    },
  });
  return strings.done();
}
