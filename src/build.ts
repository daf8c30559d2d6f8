/**
 * `npm run build`, after `tsc`: bundles the executable (`src/bin.ts` and what it imports, got,
 * yargs, winston and csv included) into `dist/bin.js`, and copies the page's files beside the
 * compiled server. Start-up is a figure of the benchmark (1b): loaded file by file, a run of a CSV
 * file found, read and compiled 309 modules (76 ours, 233 of its packages) before its first
 * request; bundled it loads 6 files (bin.js and its shared chunks). Everything else in `dist/` (the simulator,
 * the benchmark, the demos) stays as `tsc` wrote it.
 */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Left out of the bundle and loaded from node_modules when first needed: the page's server, the
 * workbook reader's packages and the progress bar, which a run of a CSV file never loads
 * (test/e2e/start-up.test.ts).
 */
const LOADED_WHEN_NEEDED = ['fastify', '@fastify/*', 'yauzl', 'saxes', 'cli-progress'];

// CommonJS packages in an ES module bundle call `require`, which an ES module does not have.
const REQUIRE =
  "import { createRequire as __ccbRequire } from 'node:module'; const require = __ccbRequire(import.meta.url);";

await build({
  entryPoints: [path.join(root, 'src', 'bin.ts')],
  outdir: path.join(root, 'dist'),
  bundle: true,
  // Each lazily imported module (the inbox, the workbook reader, the page) becomes its own chunk,
  // loaded only when the command needs it, as it was file by file.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: LOADED_WHEN_NEEDED,
  banner: { js: REQUIRE },
  // Classes keep their names (an error's `name`, a log's label) even where two modules' names clash.
  keepNames: true,
  sourcemap: true,
  // Without comments and spaces, V8 has 0.96 MB to read at start-up instead of 1.33 MB. Names are
  // kept (not minifyIdentifiers): a stack trace or a profile still names our functions.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});

cpSync(path.join(root, 'src', 'server', 'page'), path.join(root, 'dist', 'server', 'page'), {
  recursive: true,
});
