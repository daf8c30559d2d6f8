/**
 * The page's server lets in only its own page: the access token (from the printed link, then an
 * HttpOnly SameSite=Strict cookie), its own Host (DNS rebinding), its own Origin for changes
 * (CSRF), and a Content-Security-Policy that allows no inline script.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { rawRequest, setUp, type Setup } from './server-setup.js';

let setup: Setup;
beforeAll(async () => {
  setup = await setUp();
});
afterAll(async () => {
  await setup.close();
});

const host = () => new URL(setup.server.origin).host;

describe('the access token', () => {
  test('the printed link sets an HttpOnly, SameSite=Strict cookie and takes the token out of the address', async () => {
    const answer = await fetch(setup.server.url, { redirect: 'manual' });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/');
    const cookie = answer.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
  });

  test('without the cookie every page and answer is refused, the page itself included', async () => {
    for (const path of ['/', '/index.html', '/app.js', '/api/config', '/api/runs']) {
      const answer = await fetch(`${setup.server.origin}${path}`);
      expect([path, answer.status]).toEqual([path, 401]);
    }
  });

  test('a wrong token in the link, or a wrong cookie, is refused', async () => {
    const wrong = await fetch(`${setup.server.origin}/?token=not-the-token`, { redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const cookie = await fetch(`${setup.server.origin}/api/config`, {
      headers: { cookie: 'ccb_access=guess' },
    });
    expect(cookie.status).toBe(401);
  });

  test('with the cookie the page and its answers are served', async () => {
    expect((await setup.client.get('/')).status).toBe(200);
    expect(await (await setup.client.get('/api/config')).json()).toMatchObject({ maxUploadMb: 50 });
  });
});

describe('DNS rebinding and cross-site requests', () => {
  test('a Host other than the bound address is refused, even with the cookie', async () => {
    for (const other of [
      'attacker.example:80',
      `evil.example:${new URL(setup.server.origin).port}`,
      'localhost',
    ]) {
      const answer = await rawRequest(setup.server.origin, '/api/config', {
        headers: { host: other, cookie: setup.cookie },
      });
      expect([other, answer.status]).toEqual([other, 421]);
    }
    const own = await rawRequest(setup.server.origin, '/api/config', {
      headers: { host: host(), cookie: setup.cookie },
    });
    expect(own.status).toBe(200);
  });

  test('a change from another origin, or with no origin at all, is refused', async () => {
    const cases: Record<string, string>[] = [
      { origin: 'http://attacker.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      {},
    ];
    for (const headers of cases) {
      const answer = await rawRequest(setup.server.origin, '/api/runs', {
        method: 'POST',
        headers: { host: host(), cookie: setup.cookie, 'content-type': 'application/json', ...headers },
      });
      expect([headers, answer.status]).toEqual([headers, 403]);
    }
  });

  test('a change from the page itself goes through (here: an unknown run, so 404)', async () => {
    const answer = await setup.client.post('/api/runs', { id: 'ffffffffffffffffffffffff' });
    expect(answer.status).toBe(404);
    const bySite = await rawRequest(setup.server.origin, '/api/runs/ffffffffffffffffffffffff/cancel', {
      method: 'POST',
      headers: { host: host(), cookie: setup.cookie, 'sec-fetch-site': 'same-origin' },
    });
    expect(bySite.status).toBe(404);
  });
});

describe('the Content-Security-Policy', () => {
  test('every answer forbids inline scripts and other hosts', async () => {
    for (const path of ['/', '/api/config', '/nothing-here']) {
      const answer = await setup.client.get(path);
      const policy = answer.headers.get('content-security-policy') ?? '';
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("default-src 'none'");
      expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  test("the page's files hold no inline script, no inline handler and no other host", async () => {
    const dir = path.resolve('src/server/page');
    for (const name of await readdir(dir)) {
      const text = await readFile(path.join(dir, name), 'utf8');
      if (name.endsWith('.html')) {
        expect(text.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();
        expect(text).not.toMatch(/\son[a-z]+=/i);
        expect(text).not.toMatch(/style=/);
      }
      expect([name, /https?:\/\//.test(text.replace(/http:\/\/www\.w3\.org\/2000\/svg/, ''))]).toEqual([
        name,
        false,
      ]);
      expect([name, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/.test(text)]).toEqual([
        name,
        false,
      ]);
    }
  });
});
