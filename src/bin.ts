#!/usr/bin/env node
/** The `cloudcockpit-bulk` executable: everything is in `main`, so tests can call it without a process. */
import { hideBin } from 'yargs/helpers';
import { EXIT_INTERNAL, main } from './cli.js';
import { redactor } from './redact.js';

// A bug that escapes every handler still ends with a one-line message and exit 70, not a stack.
const crash = (error: unknown): void => {
  process.stderr.write(
    `cloudcockpit-bulk: unexpected error: ${redactor.redact(error instanceof Error ? error.message : String(error))}\n`,
  );
  if (process.env.CLOUDCOCKPIT_DEBUG)
    process.stderr.write(`${redactor.redact(String((error as Error)?.stack))}\n`);
  process.exit(EXIT_INTERNAL);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

process.exitCode = await main(hideBin(process.argv));
