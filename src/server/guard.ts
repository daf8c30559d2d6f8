/**
 * What stands between the page and anyone else on the machine or the network. Every request needs
 * the access token printed at start: given once in the URL, it becomes an HttpOnly, SameSite=Strict
 * cookie. The Host header must name the address the server is bound to (a DNS-rebinding page's
 * host does not), and a request that changes something must come from the page's own origin (not
 * from another site's form or script). Every answer carries a Content-Security-Policy with no
 * inline script, and is never cached.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The cookie the token is kept in. */
export const TOKEN_COOKIE = 'ccb_access';

/** Scripts and styles from the page's own files only; nothing inline, no frames, no other hosts. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** A fresh random access token (192 bits). */
export function newAccessToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Whether `given` is the token, compared in constant time. */
function sameToken(given: unknown, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** What the guard checks against: the token, and the origin the page is served from. */
export interface GuardSettings {
  readonly token: string;
  /** `http://127.0.0.1:PORT`: the only Host (with the port) and Origin accepted. */
  readonly origin: () => string;
}

/** A refusal with a plain-text reason (no page, no hint of what is behind it). */
function refuse(reply: FastifyReply, status: number, reason: string): FastifyReply {
  return reply.code(status).type('text/plain; charset=utf-8').send(reason);
}

/** Why `request` is refused, or undefined when it may go on (the token is checked apart). */
function refusal(request: FastifyRequest, origin: string): [number, string] | undefined {
  if (request.headers.host !== new URL(origin).host) {
    return [421, 'This server answers only at its own address, as printed when it started.'];
  }
  if (SAFE_METHODS.has(request.method)) return undefined;
  const from = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  if (from !== undefined ? from !== origin : site !== 'same-origin') {
    return [403, 'Changes are accepted only from the page itself.'];
  }
  return undefined;
}

/** Install the checks on every request, and the security headers on every answer. */
export function installGuard(app: FastifyInstance, settings: GuardSettings): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Cache-Control', 'no-store');
    const origin = settings.origin();
    const refused = refusal(request, origin);
    if (refused) return refuse(reply, ...refused);
    const query = request.query as Record<string, unknown>;
    if (request.method === 'GET' && request.url.split('?')[0] === '/' && query.token !== undefined) {
      if (!sameToken(query.token, settings.token))
        return refuse(reply, 401, 'This link is not valid (any more).');
      // The token leaves the address bar at once: it would stay in the history and in screenshots.
      reply.setCookie(TOKEN_COOKIE, settings.token, { httpOnly: true, sameSite: 'strict', path: '/' });
      return reply.redirect('/', 303);
    }
    if (!sameToken(request.cookies[TOKEN_COOKIE], settings.token)) {
      return refuse(
        reply,
        401,
        'Open the page with the link that `cloudcockpit-bulk serve` printed when it started (it holds the access token).',
      );
    }
    return undefined;
  });
}
