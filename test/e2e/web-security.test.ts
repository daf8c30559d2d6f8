/**
 * The page's security in a real browser: cell values are text (a cell holding HTML or a formula
 * runs nothing), the Content-Security-Policy blocks an injected script, the page needs its access
 * token, answers only at its own address (DNS rebinding), and ignores changes another site's page
 * sends it (CSRF), even though the browser sends that site the cookie.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { launchBrowser, openPage, uploadThroughPage } from '../helpers/browser.js';
import { simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { browserTestsRun, startServe, type ServeProcess } from '../helpers/web.js';

const run = browserTestsRun('test/e2e/web-security.test.ts');
const IMG = '<img src=x onerror=alert(1)>';
const FORMULA = '=HYPERLINK("http://example.invalid","click")';
/** The formula as a CSV cell (quoted, its quotes doubled). */
const FORMULA_CELL = `"${FORMULA.replace(/"/g, '""')}"`;
let sim: Simulator;
let serve: ServeProcess;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  if (!run) return;
  sim = await startSimulator({});
  dataDir = await tempDir();
  serve = await startServe(['--data-dir', dataDir, '--rate', '0'], simEnv(sim.url));
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  if (!run) return;
  await browser?.close();
  await serve?.stop();
  await sim?.close();
});

/** The uploads the server holds (each is a folder of jobs/). */
const uploads = async () => readdir(path.join(dataDir, 'jobs')).catch(() => []);

(run ? describe : describe.skip)('the page’s security', () => {
  test('cells holding HTML or a formula are shown as text and run nothing, in the check, the run and the list', async () => {
    const { page, dialogs, errors } = await openPage(browser, serve);
    const file = path.join(await tempDir(), `${IMG}.csv`);
    const rows = [
      'customerId,subscriptionId,poNumber',
      `${IMG},${randomUUID()},PO-1`,
      `${randomUUID()},${randomUUID()},${IMG}`,
      `${randomUUID()},${randomUUID()},${FORMULA_CELL}`,
      `${randomUUID()},${FORMULA_CELL},PO-4`,
    ];
    await writeFile(file, rows.join('\n') + '\n');
    await uploadThroughPage(page, file);
    await page.locator('#only-errors').uncheck();
    await page.locator('#rows tbody tr', { hasText: 'PO-4' }).waitFor();
    const cells = await page.locator('#rows tbody td').allTextContents();
    expect(cells).toContain(IMG);
    expect(cells.some((c) => c.includes('=HYPERLINK('))).toBe(true);
    expect(await page.locator('#rows img, #check-facts img').count()).toBe(0);
    expect(await page.textContent('#check-facts')).toContain(`${IMG}.csv`);
    await page.click('#to-run');
    await page.click('#confirm-yes');
    await page.waitForSelector('#step-results:not([hidden])');
    await page.locator('#past-runs td', { hasText: IMG }).first().waitFor();
    expect(await page.locator('main img').count()).toBe(0);
    expect([dialogs, errors]).toEqual([[], []]);
  }, 90_000);

  test('the Content-Security-Policy blocks a script injected into the page', async () => {
    const { page, errors } = await openPage(browser, serve);
    await page.addScriptTag({ content: 'window.injected = true;' }).catch(() => undefined);
    expect(await page.evaluate('window.injected')).toBeUndefined();
    expect(errors.join('\n')).toMatch(/Content Security Policy/);
  }, 60_000);

  test('without the token the page is not served; with a wrong one neither', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const bare = await page.goto(serve.origin);
    expect(bare?.status()).toBe(401);
    expect(await page.textContent('body')).toMatch(/Open the page with the link/);
    const wrong = await page.goto(`${serve.origin}/?token=guessed`);
    expect(wrong?.status()).toBe(401);
    await context.close();
  }, 60_000);

  test('a page reached under another host name (DNS rebinding) is refused, token or not', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const other = new URL(serve.url);
    other.hostname = 'localhost';
    const answer = await page.goto(other.href);
    expect(answer?.status()).toBe(421);
    await context.close();
  }, 60_000);

  test('another site’s page cannot upload or run through the page’s server, though the browser sends it the cookie', async () => {
    const { page } = await openPage(browser, serve);
    const before = await uploads();
    // An attacker's page on another port of this machine: same site for the browser, another origin.
    const attacker = http.createServer((_request, answer) => {
      answer.setHeader('content-type', 'text/html');
      answer.end(`<form id=f method=post enctype=multipart/form-data action="${serve.origin}/api/uploads">
        <input type=hidden name=x value=y></form>
        <script>
          fetch(${JSON.stringify(serve.origin)} + '/api/runs', { method: 'POST', mode: 'no-cors', credentials: 'include',
            headers: { 'content-type': 'text/plain' }, body: '{"id":"x"}' }).finally(() => document.getElementById('f').submit());
        </script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    const { port } = attacker.address() as { port: number };
    const navigated = page.waitForURL(`${serve.origin}/api/uploads`);
    await page.goto(`http://127.0.0.1:${port}/`);
    await navigated;
    expect(await page.textContent('body')).toContain('Changes are accepted only from the page itself');
    expect(await uploads()).toEqual(before);
    attacker.close();
  }, 60_000);
});
