#!/usr/bin/env node
/** The `cloudcockpit-bulk` executable: everything is in `main`, so tests can call it without a process. */
import { hideBin } from 'yargs/helpers';
import { main } from './cli.js';

process.exitCode = await main(hideBin(process.argv));
