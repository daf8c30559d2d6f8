/**
 * The page's server in this process, against a simulator on loopback, for the server's tests; and
 * a raw request for the headers `fetch` will not send as given (Host).
 */
import http from 'node:http';
import { Writable } from 'node:stream';
import { resolveOptions } from '../../src/cli/resolve-options.js';
import type { RawFlags } from '../../src/cli/option-table.js';
import { startPageServer, type PageServer } from '../../src/server/server.js';
import type { SimulatorOptions } from '../../src/simulator/options.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { accessCookie, pageClient, type PageClient } from '../helpers/web.js';

/** The client credentials the simulator accepts by default. */
export const SIM_CLIENT_ID = 'sim-client-id';
export const SIM_CLIENT_SECRET = 'sim-client-secret';

/** A running page server, its simulator, and a client logged in as the page. */
export interface Setup {
  readonly sim: Simulator;
  readonly server: PageServer;
  readonly client: PageClient;
  readonly cookie: string;
  readonly dataDir: string;
  /** What runs logged. */
  readonly log: () => string;
  close(): Promise<void>;
}

/** Start the simulator and the page's server (`flags` as for the CLI, `env` added to the simulator's). */
export async function setUp(
  settings: {
    flags?: RawFlags;
    env?: NodeJS.ProcessEnv;
    maxUploadMb?: number;
    dataDir?: string;
    /** Client credentials (the simulator's defaults) instead of its static token. */
    credentials?: boolean;
    /** The simulator's options. */
    sim?: Partial<SimulatorOptions>;
  } = {},
): Promise<Setup> {
  const sim = await startSimulator(settings.sim ?? {});
  const credentials = settings.credentials
    ? {
        CLOUDCOCKPIT_TOKEN: '',
        CLOUDCOCKPIT_TOKEN_URL: sim.tokenUrl,
        CLOUDCOCKPIT_CLIENT_ID: SIM_CLIENT_ID,
        CLOUDCOCKPIT_CLIENT_SECRET: SIM_CLIENT_SECRET,
      }
    : {};
  const env = simEnv(sim.url, { ...credentials, ...settings.env });
  const dataDir = settings.dataDir ?? (await tempDir());
  let log = '';
  const stderr = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      log += chunk.toString();
      done();
    },
  });
  const server = await startPageServer({
    host: '127.0.0.1',
    port: 0,
    maxUploadMb: settings.maxUploadMb ?? 50,
    dataDir,
    base: resolveOptions('run', 'serve', { rate: 0, ...settings.flags }, env),
    env,
    stderr,
    heartbeatMs: 100,
  });
  const cookie = await accessCookie(server.url);
  return {
    sim,
    server,
    cookie,
    client: pageClient(server.origin, cookie),
    dataDir,
    log: () => log,
    async close() {
      await server.close();
      await sim.close();
    },
  };
}

/** A request with exactly these headers (Host included); resolves to the status and body. */
export function rawRequest(
  origin: string,
  path: string,
  { method = 'GET', headers = {} }: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const request = http.request({ hostname, port, path, method, headers }, (answer) => {
      let body = '';
      answer.setEncoding('utf8').on('data', (d: string) => (body += d));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}
