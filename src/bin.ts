#!/usr/bin/env -S node --heap-growing-percent=30 --max-semi-space-size=8 --
// `--`: Node 20 reads an `--env-file` anywhere on its command line, even after the script, and
// exits 9 when the file is missing before this program can say so (nodejs/node#54232).
// `--heap-growing-percent=30`: a run lasts as long as the API makes it, so the old generation
// grows by 30% at a time, not by V8's up to 4x: on 200,000 rows at instant answers, peak RSS
// 125 MB instead of 167, for the CPU the run took before. `--max-semi-space-size=8`: the young
// generation's two halves stay at 8 MB instead of growing to 16: 100-103 MB instead of 116-118 at
// 20,000 and 200,000 rows. It costs little since rows no longer wait long enough to be promoted
// (rows.ts, readAhead). Given here, before V8 starts, since V8 flags changed at run time may do
// nothing or crash (Node's docs); Node refuses the first in NODE_OPTIONS. `node dist/bin.js`
// runs without them, with V8's defaults.
/** The `cloudcockpit-bulk` executable: everything is in `main`, so tests can call it without a process. */
import { hideBin } from 'yargs/helpers';
import { EXIT_INTERNAL, main, reportUnexpected } from './cli/cli.js';

// A bug that escapes every handler still ends with a one-line message and exit 70, not a stack.
const crash = (error: unknown): void => {
  reportUnexpected(error);
  process.exit(EXIT_INTERNAL);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

process.exitCode = await main(hideBin(process.argv));
