/**
 * The flags of `serve` alone (the page's server), and the data commands' flags it does not take;
 * it takes the connection, credential and pace flags of `OPTION_SPECS` too. Kept apart from the
 * option table so the page's flags stay in one place of their own.
 */
import type { FlagName, OptionSpec } from './option-table.js';

/** The flags of `serve` alone (the page's server); it takes the connection and pace flags above too. */
export const SERVE_OPTION_SPECS = {
  host: {
    type: 'string',
    group: 'The page (serve):',
    describe:
      'Address to listen on; anything but loopback makes the page reachable from other machines [default: 127.0.0.1]',
  },
  port: {
    type: 'number',
    group: 'The page (serve):',
    describe: 'Port to listen on, 0 = a free one',
    range: { min: 0, max: 65_535, integer: true, default: 0 },
  },
  'max-upload-mb': {
    type: 'number',
    group: 'The page (serve):',
    describe: 'Largest file the page accepts, in MB',
    range: { min: 1, max: 4096, integer: false, default: 50 },
  },
  'data-dir': {
    type: 'string',
    group: 'The page (serve):',
    describe: 'Folder for uploads, results and the list of past runs [default: ~/.cloudcockpit-bulk/serve]',
  },
} as const satisfies Record<string, OptionSpec>;

/** A flag of `serve` alone. */
export type ServeFlagName = keyof typeof SERVE_OPTION_SPECS;

/** Flags of the data commands that `serve` does not take: the page chooses files and sheets per upload. */
export const NOT_FOR_SERVE: readonly FlagName[] = [
  'out',
  'plan',
  'resume',
  'retry-failed',
  'overwrite',
  'dry-run',
  'strict',
  'delimiter',
  'encoding',
  'sheet',
  'summary-json',
];
