/**
 * Change a few rows of a finished results file: what a check after the last row learnt (the final
 * read-back of `--verify`) belongs in the rows it is about, and those were written long before.
 * The file is streamed through a temporary file beside it and renamed over it, so it stays whole
 * whatever happens, and memory stays flat however long it is.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { parse } from 'csv-parse';
import { BOM, csvRecord, RECORD_END } from './csv-line.js';

/** New cells for the row of one line, named by results column (`status`, `errorType`…). */
export type Amendment = Readonly<Record<string, string>>;

/** Rewrite `file` with the rows of the lines in `amendments` changed; other rows are copied as they are. */
export async function amendResults(file: string, amendments: ReadonlyMap<number, Amendment>): Promise<void> {
  const temporary = `${file}.amend-${process.pid}.tmp`;
  let header: string[] | undefined;
  // Each record as the results writer writes it (csv-line.ts), the file's byte-order mark first.
  const line = (cells: string[]) => `${csvRecord(cells)}${RECORD_END}`;
  const change = new Transform({
    writableObjectMode: true,
    transform(cells: string[], _encoding, done) {
      if (header === undefined) {
        header = cells;
        return done(null, `${BOM}${line(cells)}`);
      }
      const amendment = amendments.get(Number(cells[0]));
      if (amendment === undefined) return done(null, line(cells));
      const changed = [...cells];
      for (const [column, value] of Object.entries(amendment)) {
        const at = header.indexOf(column);
        if (at >= 0) changed[at] = value;
      }
      done(null, line(changed));
    },
  });
  try {
    await pipeline(
      createReadStream(file),
      parse({ bom: true, relax_column_count: true }),
      change,
      createWriteStream(temporary),
    );
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
