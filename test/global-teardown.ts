/** Removes the folder `global-setup.ts` made for this jest run's temporary files. */
import { rmSync } from 'node:fs';

export default function globalTeardown(): void {
  const root = process.env.CCB_TEST_TMP_ROOT;
  if (root) rmSync(root, { recursive: true, force: true });
}
