/**
 * The page in a real browser when things do not go straight: a cancel, a reload mid-run, a file
 * that cannot be used, a file over the size limit, and a server killed mid-run whose run is
 * resumed from the list after a restart.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { launchBrowser, openPage, screenshot, uploadThroughPage } from '../helpers/browser.js';
import { simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { browserTestsRun, startServe, type ServeProcess } from '../helpers/web.js';

const run = browserTestsRun('test/e2e/web-runs.test.ts');
let sim: Simulator;
let browser: Browser;
let dir: string;
const started: ServeProcess[] = [];

beforeAll(async () => {
  if (!run) return;
  sim = await startSimulator({});
  browser = await launchBrowser();
}, 60_000);
beforeEach(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  if (!run) return;
  await browser?.close();
  for (const serve of started) await serve.stop('SIGKILL');
  await sim?.close();
});

/** Start `serve` on the data folder `dataDir` at `rate` rows a second. */
async function serveAt(dataDir: string, rate = '10'): Promise<ServeProcess> {
  const serve = await startServe(
    ['--data-dir', dataDir, '--rate', rate, '--max-upload-mb', '1'],
    simEnv(sim.url),
  );
  started.push(serve);
  return serve;
}

/** A PO-number file of `n` good rows. */
async function poFile(name: string, n: number): Promise<string> {
  const file = path.join(dir, name);
  const rows = Array.from({ length: n }, (_, i) => `${randomUUID()},${randomUUID()},PO-${i}`);
  await writeFile(file, ['customerId,subscriptionId,poNumber', ...rows].join('\n') + '\n');
  return file;
}

/** The counts the results step shows, as text. */
const resultsText = (page: import('playwright-core').Page) => page.textContent('#step-results');

(run ? describe : describe.skip)('the page when things do not go straight', () => {
  test('cancel stops the run cleanly: the rows not sent are listed as not sent, and it can be resumed', async () => {
    const serve = await serveAt(await tempDir(), '5');
    const { page } = await openPage(browser, serve);
    await uploadThroughPage(page, await poFile('long.csv', 300));
    await page.click('#to-run');
    await page.click('#confirm-yes');
    await page.locator('#run-line', { hasText: /^[1-9]\d* of 300 rows/ }).waitFor();
    await page.click('#cancel');
    await page.waitForSelector('#step-results:not([hidden])');
    expect(await page.textContent('#results-line')).toMatch(/^Stopped: cancelled/);
    expect(await resultsText(page)).toMatch(/Not sent \(stopped\)\s*[1-9]/);
    await page.locator('#past-runs button', { hasText: 'Resume' }).waitFor();
    await screenshot(page, '6-cancelled');
    await serve.stop();
  }, 90_000);

  test('a reload mid-run shows the same run going on, and closing the tab does not stop it', async () => {
    const serve = await serveAt(await tempDir(), '20');
    const first = await openPage(browser, serve);
    await uploadThroughPage(first.page, await poFile('reload.csv', 60));
    await first.page.click('#to-run');
    await first.page.click('#confirm-yes');
    await first.page.locator('#run-line', { hasText: /^[1-9]\d* of 60 rows/ }).waitFor();
    await first.page.reload();
    await first.page.waitForSelector('#step-run:not([hidden])');
    expect(await first.page.textContent('#run-name')).toContain('reload.csv');
    await first.page.context().close();
    const again = await openPage(browser, serve);
    await again.page.waitForSelector('#step-results:not([hidden]), #step-run:not([hidden])');
    await again.page.waitForSelector('#step-results:not([hidden])', { timeout: 60_000 });
    expect(await again.page.textContent('#results-line')).toBe('Done: all 60 rows were changed.');
    await serve.stop();
  }, 90_000);

  test('a file that cannot be used is refused with its line and what to do; nothing is offered to run', async () => {
    const serve = await serveAt(await tempDir());
    const { page, dialogs } = await openPage(browser, serve);
    const broken = path.join(dir, 'broken.csv');
    await writeFile(broken, 'Customer,Amount\n1,2\n');
    await uploadThroughPage(page, broken);
    const notice = await page.textContent('#notice');
    expect(notice).toMatch(/^broken\.csv/);
    expect(notice).toMatch(/header/i);
    expect(await page.isVisible('#step-check')).toBe(false);
    await screenshot(page, '7-refused');
    expect(dialogs).toEqual([]);
    await serve.stop();
  }, 60_000);

  test('a file over the size limit is refused with the limit, and the limit is shown before', async () => {
    const serve = await serveAt(await tempDir());
    const { page } = await openPage(browser, serve);
    expect(await page.textContent('#limits')).toBe('Files up to 1 MB.');
    await uploadThroughPage(page, await poFile('huge.csv', 20_000));
    expect(await page.textContent('#notice')).toMatch(/^huge\.csv is larger than the limit of 1 MB/);
    await serve.stop();
  }, 60_000);

  test('a server killed mid-run: after a restart the run is listed as interrupted and resumes from the list', async () => {
    const dataDir = await tempDir();
    const serve = await serveAt(dataDir, '10');
    const { page } = await openPage(browser, serve);
    await uploadThroughPage(page, await poFile('crash.csv', 80));
    await page.click('#to-run');
    await page.click('#confirm-yes');
    await page.locator('#run-line', { hasText: /^[1-9]\d* of 80 rows/ }).waitFor();
    await serve.stop('SIGKILL');
    const restarted = await serveAt(dataDir, '0');
    const again = await openPage(browser, restarted);
    const row = again.page.locator('#past-runs tr', { hasText: 'crash.csv' });
    await expect(row.textContent()).resolves.toMatch(/Interrupted/);
    await row.locator('button', { hasText: 'Resume' }).click();
    await again.page.waitForSelector('#step-results:not([hidden])', { timeout: 60_000 });
    expect(await again.page.textContent('#results-line')).toBe('Done: all 80 rows were changed.');
    await restarted.stop();
  }, 90_000);
});
