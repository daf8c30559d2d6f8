/**
 * A CSV file as a stream of numbered records: its bytes decoded strictly (so a wrong encoding is
 * noticed), parsed by csv-parse, each record carrying the row Excel shows for it and the line of
 * the file it starts on.
 */
import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { Parser, type Options } from 'csv-parse';
import { MAX_RECORD_BYTES, type InputFormat, type InputRecord } from './record.js';

/**
 * csv-parse with where each record is. Excel numbers rows, not lines: a line break inside a quoted
 * cell stays in its row, and a blank line is a row. So the row of a record is one more than the
 * records and blank lines before it, and its file line adds the line breaks inside earlier cells.
 * Both are counted as records are pushed, which happens synchronously inside the parser, so when
 * it fails `line` is the row of the failing record even if earlier records are still unread.
 * (csv-parse's `on_record` hook would do the same but builds an info object per record: 15% of a
 * dry run's time; its `info.lines` counts a CRLF inside quotes twice.)
 *
 * The records of each chunk of text are handed on together, as one array: a stream object, and a
 * step of every async loop reading them, per record cost a dry run of a million rows more than
 * csv-parse itself.
 */
export class NumberedParser extends Parser {
  private records = 0;
  private breaks = 0;
  /** The text so far ends with a line break. */
  private endsWithBreak = false;
  /** The records of the chunk being parsed, handed on when it is done. */
  private batch: InputRecord[] = [];

  /**
   * `skipFirst`: the first record is Excel's `sep=` line, a row but no record. `cut`: true when
   * the bytes ended early: then the text after the last line break, or inside quotes, is no whole
   * record and is dropped.
   */
  constructor(
    options: Options,
    private skipFirst: boolean,
    private readonly cut: () => boolean,
  ) {
    // Each object is a chunk's records: two of them ahead of the reader are enough to keep it busy.
    super({ ...options, readableHighWaterMark: 1 } as Options);
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    if (chunk.length > 0) {
      const last = chunk[chunk.length - 1];
      this.endsWithBreak = last === 0x0a || last === 0x0d;
    }
    super._transform(chunk, encoding, (error) => {
      this.handOn();
      callback(error);
    });
  }

  override _flush(callback: TransformCallback): void {
    const quoting = (this as unknown as { state: { quoting: boolean } }).state.quoting;
    if (this.cut() && (!this.endsWithBreak || quoting)) return callback();
    super._flush((error) => {
      this.handOn();
      callback(error);
    });
  }

  /** Hand on the records parsed so far, as one array. */
  private handOn(): void {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    super.push(batch);
  }

  /** The row number Excel shows for the next record (the first line being row 1). */
  get line(): number {
    return 1 + this.records + this.info.empty_lines;
  }

  /** The line of the file the next record starts on, as a text editor counts them. */
  get fileLine(): number {
    return this.line + this.breaks;
  }

  /** Called by csv-parse with each record's cells, and with null at the end. */
  override push(cells: unknown, encoding?: BufferEncoding): boolean {
    if (!Array.isArray(cells)) {
      this.handOn();
      return super.push(cells, encoding);
    }
    const line = this.line;
    const record: InputRecord = { line, fileLine: line + this.breaks, cells: cells as string[] };
    for (const cell of cells as string[]) {
      if (cell.length > 0 && (cell.indexOf('\n') !== -1 || cell.indexOf('\r') !== -1))
        this.breaks += lineBreaks(cell);
    }
    this.records++;
    if (this.skipFirst) {
      this.skipFirst = false;
      return true;
    }
    this.batch.push(record);
    return true;
  }
}

/** The records of `parser` one by one (it hands them on in arrays, one per chunk of text). */
export async function* eachRecord(parser: NumberedParser): AsyncGenerator<InputRecord> {
  for await (const batch of parser as AsyncIterable<InputRecord[]>) yield* batch;
}

/** Bytes to text, refusing bytes that are not valid in the encoding (so a wrong guess is noticed). */
class Decoder extends Transform {
  private readonly decoder: TextDecoder;

  /** `tail`: text to add after the last byte; `cut`: the bytes ended early (a character may be cut in two). */
  constructor(
    encoding: string,
    private readonly tail: string,
    private readonly cut: () => boolean,
  ) {
    // The default sixteen decoded chunks ahead of the parser are the read-ahead that lets a run
    // whose input changes under it keep the cells of every row it had checked (input-trust.test.ts);
    // one chunk would save a dry run some garbage collection, but lose those rows' cells.
    super({ readableObjectMode: true });
    // fatal: invalid bytes throw instead of becoming U+FFFD, so UTF-8 that is really Windows-1252 is caught.
    this.decoder = new TextDecoder(encoding, { fatal: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const text = this.decoder.decode(chunk, { stream: true });
      if (text !== '') this.push(text);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.cut()) return callback();
    try {
      const text = this.decoder.decode() + this.tail;
      if (text !== '') this.push(text);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}

/** What else a parse is told. */
export interface ParseOptions {
  /** Text to parse after the last byte. */
  readonly tail?: string;
  /** True once the bytes ended early: whatever follows the last whole record is then dropped. */
  readonly cut?: () => boolean;
}

/**
 * `bytes` decoded and parsed as `format` says. An error anywhere (the bytes, their decoding, the
 * CSV) ends up on the parser, where the records are read; the caller destroys `bytes` when done.
 */
export function parseCsv(bytes: Readable, format: InputFormat, options: ParseOptions = {}): NumberedParser {
  const cut = options.cut ?? (() => false);
  const decoder = new Decoder(format.encoding, options.tail ?? '', cut);
  const parser = new NumberedParser(
    {
      delimiter: format.delimiter,
      // Any of the three line endings, even mixed in one file; quoted cells keep theirs as written.
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      // Empty lines are skipped by csv-parse itself (NumberedParser still counts them): left in, a
      // blank first line would set the expected cell count to 1 and every later record would cost
      // csv-parse an error object.
      skip_empty_lines: true,
      max_record_size: MAX_RECORD_BYTES,
    },
    format.sepLine === true,
    cut,
  );
  bytes.on('error', (error) => decoder.destroy(error));
  decoder.on('error', (error) => parser.destroy(error));
  bytes.pipe(decoder).pipe(parser);
  return parser;
}

/** Number of line breaks (CRLF, LF or CR) inside a cell: quoted cells keep them as written. */
export function lineBreaks(cell: string): number {
  let count = 0;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    if (c === 10) count++;
    else if (c === 13) {
      count++;
      if (cell.charCodeAt(i + 1) === 10) i++;
    }
  }
  return count;
}
