/**
 * Preloaded with `node --import` before the bare got loop, to measure the floor of the
 * latency-bound scenario: what the decided stack and the product contract cost before the first
 * request, with nothing of ours. It loads the libraries every run of the CLI loads besides got and
 * p-limit (the loop loads those): yargs, winston and csv-stringify; then it reads the input once
 * through csv-parse, as the preflight must before anything is sent. No options, validation, lock
 * or results file: a program doing less than this cannot keep the contract with this stack.
 */
import 'yargs';
import 'winston';
import 'csv-stringify';
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

const file = process.argv[2];
let records = 0;
if (file) {
  for await (const _record of createReadStream(file).pipe(parse({ relax_column_count: true }))) records++;
}
if (file && records === 0) throw new Error(`stack-floor: no records in ${file}`);
