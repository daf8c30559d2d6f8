/**
 * Every test file's temporary files go under one folder made for this jest run, and
 * `global-teardown.ts` removes it. Jest's workers inherit TMPDIR from here, and so do the CLI
 * processes the tests spawn, so this also catches what a test cannot clean itself: files left by
 * a process that jest ends with a signal (exceljs, which writes the test workbooks, spools to disk).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function globalSetup(): void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ccb-jest-'));
  process.env.CCB_TEST_TMP_ROOT = root;
  process.env.TMPDIR = root;
}
