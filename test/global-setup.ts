/**
 * Every test file's temporary files go under one folder made for this jest run, and
 * `global-teardown.ts` removes it. Jest's workers inherit TMPDIR from here, and so do the CLI
 * processes the tests spawn, so this also catches what a test cannot clean itself: exceljs's
 * spooled worksheets are deleted only at a normal exit, and jest ends its workers with a signal.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function globalSetup(): void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ccb-jest-'));
  process.env.CCB_TEST_TMP_ROOT = root;
  process.env.TMPDIR = root;
}
