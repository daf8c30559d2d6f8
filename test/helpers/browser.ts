/**
 * The browser side of the page's tests: Chromium through playwright-core, a page opened with the
 * printed link, what it would run behind our back (dialogs, errors, CSP reports), screenshots of
 * each step, and axe's accessibility check.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { launchOptions, type ServeProcess } from './web.js';

/** Where screenshots go: the README's folder with CCB_SCREENSHOTS=1, else the run's temporary folder. */
const SHOTS =
  process.env.CCB_SCREENSHOTS === '1'
    ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots')
    : path.join(process.env.TMPDIR ?? '/tmp', 'ccb-screenshots');

/** Start Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch(launchOptions());
}

/** A page of the browser, and what happened in it that a test must see. */
export interface Opened {
  readonly page: Page;
  /** Dialogs opened (alert, confirm…): a script run from a cell would open one. */
  readonly dialogs: string[];
  /** Script errors and console errors (a CSP violation is one). */
  readonly errors: string[];
}

/** Open the page with the printed link, in a fresh context (its own cookies), wait for it to be ready. */
export async function openPage(browser: Browser, serve: ServeProcess, url = serve.url): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const opened: Opened = { page, dialogs: [], errors: [] };
  page.on('dialog', (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => opened.errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') opened.errors.push(message.text());
  });
  await page.goto(url);
  await page.waitForSelector('#step-upload:not([hidden]), #step-run:not([hidden])');
  return opened;
}

/** Save a screenshot of the whole page as `name`.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** axe's serious and critical findings on the page as it is now (their rule ids and targets). */
export async function seriousAccessibilityProblems(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Upload `file` through the page's file picker and wait for the check (or a refusal). */
export async function uploadThroughPage(page: Page, file: string): Promise<void> {
  await page.setInputFiles('#file', file);
  await page.waitForSelector('#step-check:not([hidden]), #notice:not([hidden])');
}

/** The text of a download started by clicking `selector`. */
export async function downloadText(page: Page, selector: string): Promise<{ name: string; text: string }> {
  const { name, bytes } = await downloadBytes(page, selector);
  return { name, text: bytes.toString('utf8') };
}

/** Click `selector` and wait for the download it starts: its suggested name and its bytes. */
export async function downloadBytes(page: Page, selector: string): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
}
