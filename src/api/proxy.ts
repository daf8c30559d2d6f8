/**
 * Corporate proxies: HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY, read the way curl reads them
 * (proxy-from-env), with keep-alive agents that tunnel through the proxy (hpagent). TLS is verified
 * end to end through the tunnel; a corporate CA is added with NODE_EXTRA_CA_CERTS, never by turning
 * verification off.
 */
import http from 'node:http';
import https from 'node:https';
import type { Agents } from 'got';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { getProxyForUrl } from 'proxy-from-env';

/** Agents for requests to `target`, and the proxy they go through, if any. */
export interface Connection {
  readonly agents: Agents & { http: http.Agent; https: https.Agent };
  /** The proxy URL with any password hidden, for logs; undefined when connecting directly. */
  readonly proxy: string | undefined;
}

/** A proxy URL safe to log: the password replaced. */
export function displayProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable proxy URL)';
  }
}

/** Keep-alive agents for `target`, through the proxy the environment names for it, if any. */
export function connectionFor(target: string, maxSockets: number): Connection {
  const proxy = getProxyForUrl(target) || undefined;
  const options = { keepAlive: true, maxSockets };
  if (proxy === undefined) {
    return { agents: { http: new http.Agent(options), https: new https.Agent(options) }, proxy };
  }
  return {
    agents: {
      http: new HttpProxyAgent({ ...options, proxy }),
      https: new HttpsProxyAgent({ ...options, proxy }),
    },
    proxy: displayProxy(proxy),
  };
}
