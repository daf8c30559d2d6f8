/**
 * The yardstick for the dry run (figure 6): the same file through csv-parse and csv-stringify and
 * nothing else (no options, validation, results order, lock or logs), each row written back with
 * a status column as the dry run's results file has. Run as its own process:
 * `node dist/bench/bare-pipeline.js IN OUT`; prints one JSON line with the rows it wrote.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('Usage: bare-pipeline IN OUT\n');
  process.exit(2);
}
let rows = 0;
const withStatus = new Transform({
  objectMode: true,
  transform(record: string[], _encoding, done) {
    rows++;
    done(null, [...record, 'valid']);
  },
});
await pipeline(
  createReadStream(input),
  parse({ bom: true, from_line: 2 }),
  withStatus,
  stringify(),
  createWriteStream(output),
);
process.stdout.write(`${JSON.stringify({ rows })}\n`);
