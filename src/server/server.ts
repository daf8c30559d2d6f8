/**
 * `cloudcockpit-bulk serve`: a local web page over the same runs as the CLI, for people who do not
 * use a terminal. It binds to 127.0.0.1 unless told otherwise, answers only with the access token
 * it prints, and runs uploads through `run()` with the server's own options and credentials.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Options } from '../options.js';
import type { ServerContext } from './context.js';
import { installGuard, newAccessToken } from './guard.js';
import { Plans } from './plan.js';
import { planRoutes } from './routes-plan.js';
import { runRoutes } from './routes-runs.js';
import { uploadRoutes } from './routes-uploads.js';
import { Runner } from './runner.js';
import { JobStore } from './store.js';

/**
 * The page's files: beside this module in src/ and in dist/server/ (where `npm run build` copies
 * them), or, from the bundled executable's chunk in dist/chunks/, in dist/server/ beside it.
 */
const PAGE_DIR = pageDir();

function pageDir(): string {
  for (const relative of ['./page/', '../server/page/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path.join(dir, 'index.html'))) return dir;
  }
  throw new Error(`The page's files are not beside ${fileURLToPath(import.meta.url)}: run npm run build`);
}

/** How to start the page's server. */
export interface ServeSettings {
  /** Address to bind. @default '127.0.0.1' */
  readonly host: string;
  /** Port; 0 = a free one. */
  readonly port: number;
  /** Largest upload in MB. @default 50 */
  readonly maxUploadMb: number;
  /** Where uploads, results and the list of runs are kept. */
  readonly dataDir: string;
  /** The server's options for every run (file and out are chosen per upload). */
  readonly base: Options;
  readonly env: NodeJS.ProcessEnv;
  /** Where runs log, as the CLI's do. */
  readonly stderr: Writable;
  /** Milliseconds between heartbeats on an event stream. @default 15000 */
  readonly heartbeatMs?: number;
}

/** A started server. */
export interface PageServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** The link to open: the origin with the access token. */
  readonly url: string;
  /** Cancel the run that goes (as SIGTERM would), wait for it, and stop listening. */
  close(): Promise<void>;
}

/** The host part of a URL for `host` (an IPv6 address goes in brackets). */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

async function buildApp(ctx: ServerContext, token: string, origin: () => string): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, forceCloseConnections: true });
  await app.register(fastifyCookie);
  installGuard(app, { token, origin });
  await app.register(fastifyMultipart, {
    limits: { fileSize: ctx.maxUploadMb * 1024 * 1024, files: 1, fields: 4, parts: 5 },
  });
  await app.register(fastifyStatic, {
    root: PAGE_DIR,
    prefix: '/',
    index: 'index.html',
    cacheControl: false,
  });
  app.get('/api/config', async () => ({
    tenant: ctx.base.tenant,
    maxUploadMb: ctx.maxUploadMb,
    running: ctx.runner.running?.id,
  }));
  await uploadRoutes(app, ctx);
  await runRoutes(app, ctx);
  planRoutes(app, ctx);
  app.setErrorHandler((error, _request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500)
      ctx.stderr.write(`cloudcockpit-bulk serve: unexpected error: ${(error as Error).message}\n`);
    void reply.code(status).send({
      error:
        status >= 500 ? 'Something went wrong on the server (see its window).' : (error as Error).message,
    });
  });
  return app;
}

/** Start the server; resolves once it listens. */
export async function startPageServer(settings: ServeSettings): Promise<PageServer> {
  const store = await JobStore.open(settings.dataDir);
  const runner = new Runner(store, settings.base, settings.env, settings.stderr);
  const plans = new Plans(store, settings.base, settings.env, settings.stderr);
  const ctx: ServerContext = {
    store,
    runner,
    plans,
    base: settings.base,
    env: settings.env,
    stderr: settings.stderr,
    maxUploadMb: settings.maxUploadMb,
    heartbeatMs: settings.heartbeatMs ?? 15_000,
  };
  const token = newAccessToken();
  let origin = '';
  const app = await buildApp(ctx, token, () => origin);
  await app.listen({ host: settings.host, port: settings.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
  origin = `http://${urlHost(settings.host)}:${port}`;
  return {
    origin,
    url: `${origin}/?token=${token}`,
    async close() {
      await Promise.all([runner.stop(), plans.stop()]);
      await app.close();
    },
  };
}
