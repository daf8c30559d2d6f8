/**
 * What every route of the page's server shares: the data folder, the runner, the server's own
 * options and environment (its credentials stay here: no answer carries them), and the limits.
 */
import type { Writable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Options } from '../options.js';
import type { Plans } from './plan.js';
import type { Runner } from './runner.js';
import type { JobStore } from './store.js';

/** The routes' shared state. */
export interface ServerContext {
  readonly store: JobStore;
  readonly runner: Runner;
  readonly plans: Plans;
  /** The server's own options: connection, credentials' whereabouts, pace; file and out are per job. */
  readonly base: Options;
  readonly env: NodeJS.ProcessEnv;
  /** Where the server says what went wrong on its side. */
  readonly stderr: Writable;
  readonly maxUploadMb: number;
  /** Milliseconds between heartbeats on an event stream. */
  readonly heartbeatMs: number;
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Answer with a CSV or `.xlsx` download named `name` (an ASCII fallback, and the name itself per RFC 6266). */
export function attachment(reply: FastifyReply, name: string): FastifyReply {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return reply
    .type(name.endsWith('.xlsx') ? XLSX_TYPE : 'text/csv; charset=utf-8')
    .header(
      'Content-Disposition',
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    );
}
