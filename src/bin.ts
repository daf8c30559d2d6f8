#!/usr/bin/env -S node --
// `--`: Node 20 reads an `--env-file` anywhere on its command line, even after the script, and
// exits 9 when the file is missing before this program can say so (nodejs/node#54232).
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
