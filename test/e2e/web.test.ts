/**
 * The page in a real browser (Debian's Chromium), against the built CLI's `serve` and the
 * simulator on loopback: a person uploads a file, checks it, runs it, watches it and downloads
 * the results, which are the CLI's for the same file; every step is photographed for the README
 * and checked with axe.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { parse } from 'csv-parse/sync';
import type { SeedValues } from '../../src/simulator/values.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { sampleWorld } from '../../src/simulator/world.js';
import {
  downloadText,
  launchBrowser,
  openPage,
  screenshot,
  downloadBytes,
  seriousAccessibilityProblems,
  uploadThroughPage,
} from '../helpers/browser.js';
import { workbookRows } from '../helpers/zip.js';
import { runCli, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { browserTestsRun, startServe, type ServeProcess } from '../helpers/web.js';

const SAMPLE = path.resolve('samples/po-numbers.csv');
const run = browserTestsRun('test/e2e/web.test.ts');
let sim: Simulator;
let serve: ServeProcess;
let browser: Browser;

beforeAll(async () => {
  if (!run) return;
  // The sample's seed values: some rows are already right, which the plan tells apart.
  const seedValues = JSON.parse(
    await readFile(path.resolve('samples/seed-values.json'), 'utf8'),
  ) as SeedValues;
  sim = await startSimulator({ world: sampleWorld(), seedValues });
  // A slow pace, so the progress step can be seen (and photographed) while it goes.
  serve = await startServe(['--data-dir', await tempDir(), '--rate', '3'], simEnv(sim.url));
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  if (!run) return;
  await browser?.close();
  await serve?.stop();
  await sim?.close();
});

/** A results file's rows without the correlation ids (fresh per run). */
function comparable(text: string): Record<string, string>[] {
  const rows = parse(text, { columns: true, bom: true }) as Record<string, string>[];
  return rows.map(({ correlationId: _ignored, ...rest }) => rest);
}

(run ? describe : describe.skip)('the page, step by step', () => {
  test('upload, check, run with live progress, results: the results file is the CLI’s for the same file', async () => {
    const { page, errors, dialogs } = await openPage(browser, serve);
    expect(page.url()).toBe(`${serve.origin}/`);
    await expect(seriousAccessibilityProblems(page)).resolves.toEqual([]);
    await screenshot(page, '1-upload');

    await uploadThroughPage(page, SAMPLE);
    await page.waitForSelector('#rows tbody tr td');
    expect(await page.textContent('#check-facts')).toContain('19');
    expect(await page.locator('#rows tbody tr').count()).toBe(5);
    await expect(seriousAccessibilityProblems(page)).resolves.toEqual([]);
    await screenshot(page, '2-check');
    // Every column fits the page, the reason (the last) included: nothing scrolls out of sight,
    // at this width or in a narrow window.
    const overflow = () =>
      page.$eval('#rows', (table) => table.parentElement!.scrollWidth - table.parentElement!.clientWidth);
    expect(await overflow()).toBe(0);
    await page.setViewportSize({ width: 760, height: 900 });
    expect(await overflow()).toBe(0);
    await page.setViewportSize({ width: 1100, height: 900 });
    const toFix = await downloadBytes(page, '#to-fix');
    expect(toFix.name).toBe('po-numbers.to-fix.xlsx');
    expect((await workbookRows(toFix.bytes)).ours).toHaveLength(6);

    await page.click('#plan-start');
    await page
      .locator('#plan-line', { hasText: 'The current values were read.' })
      .waitFor({ timeout: 60_000 });
    expect(await page.textContent('#plan-facts')).toMatch(/Will change\s*\d/);
    expect(await page.locator('#plan-table tbody tr').count()).toBeGreaterThan(0);
    await expect(seriousAccessibilityProblems(page)).resolves.toEqual([]);
    await screenshot(page, '2-plan');

    await page.click('#to-run');
    expect(await page.textContent('#confirm-text')).toContain(
      'Change 14 PO numbers in portal.cloudcockpit.com',
    );
    await expect(seriousAccessibilityProblems(page)).resolves.toEqual([]);
    await screenshot(page, '3-confirm');
    await page.click('#confirm-yes');
    await page.waitForSelector('#step-run:not([hidden])');
    // Some rows done, not all: the progress step while it goes.
    await page.locator('#run-line', { hasText: /^[1-9]\d* of 19 rows/ }).waitFor();
    await expect(seriousAccessibilityProblems(page)).resolves.toEqual([]);
    await screenshot(page, '4-progress');

    await page.waitForSelector('#step-results:not([hidden])', { timeout: 60_000 });
    expect(await page.textContent('#results-line')).toMatch(/rows were changed/);
    await expect(seriousAccessibilityProblems(page)).resolves.toEqual([]);
    await screenshot(page, '5-results');
    const results = await downloadText(page, '#results-file');
    expect(results.name).toBe('po-numbers.results.csv');
    const attention = await downloadBytes(page, '#attention-file');
    expect(attention.name).toBe('po-numbers.to-fix.xlsx');

    const dir = await tempDir();
    const input = path.join(dir, 'po-numbers.csv');
    await writeFile(input, await readFile(SAMPLE));
    const cli = await runCli(['run', input, '--rate', '0'], simEnv(sim.url));
    expect(cli.code).toBe(1);
    const fromCli = await readFile(path.join(dir, 'po-numbers.results.csv'), 'utf8');
    expect(comparable(results.text)).toEqual(comparable(fromCli));
    // The rows to fix: every row that is not `success`, in the sample's own columns.
    const notDone = comparable(fromCli).filter((r) => r.status !== 'success').length;
    expect((await workbookRows(attention.bytes)).ours).toHaveLength(notDone + 1);
    expect([errors, dialogs]).toEqual([[], []]);
  }, 120_000);
});
