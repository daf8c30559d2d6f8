/**
 * Everything a real run needs before its first row: agents (through a proxy if the environment
 * names one), credentials, a first token (so wrong credentials stop the run before anything is
 * sent) and the API client. A dry run needs none of it.
 */
import { ApiClient, type ClientOptions } from '../api/client.js';
import { tokenProvider } from '../api/credentials.js';
import { RunError } from '../errors.js';
import type { Logger } from '../report/logger.js';
import type { Options } from '../options.js';
import { connectionFor } from '../api/proxy.js';
import type { RateLimiter } from '../pacing/rate-limiter.js';
import { TokenError } from '../api/token.js';

/** A ready API client and what it holds open. */
export interface Connected {
  readonly client: ApiClient;
  /** Close every kept-alive socket. */
  close(): void;
}

/** Set up the API client; throws `RunError` (exit 2) for missing or refused credentials. */
export async function connect(
  options: Options,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  limiter: RateLimiter,
  hooks: Pick<ClientOptions, 'onRetry' | 'onResponse'>,
): Promise<Connected> {
  const api = connectionFor(options.baseUrl, options.concurrency);
  const login = connectionFor(options.tokenUrl, 2);
  const close = (): void => {
    for (const agent of [api.agents.http, api.agents.https, login.agents.http, login.agents.https])
      agent.destroy();
  };
  try {
    if (api.proxy) logger.info(`connecting to ${options.baseUrl} through the proxy ${api.proxy}`);
    const token = await tokenProvider(options, env, (m) => logger.warn(m), login.agents);
    try {
      await token.get();
    } catch (error) {
      if (error instanceof TokenError) throw new RunError('AUTH', error.message, { cause: error });
      throw error;
    }
    if (login.proxy && token.requests > 0)
      logger.info(`connecting to ${options.tokenUrl} through the proxy ${login.proxy}`);
    const client = new ApiClient({
      baseUrl: options.baseUrl,
      tenant: options.tenant ?? '',
      token,
      limiter,
      agents: api.agents,
      retries: options.retries,
      timeoutMs: options.timeoutSeconds * 1000,
      maxRetryAfterMs: options.maxRetryAfterSeconds * 1000,
      ...hooks,
    });
    return { client, close };
  } catch (error) {
    close();
    throw error;
  }
}
