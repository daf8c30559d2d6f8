/**
 * The harness of the workbook fuzzing tests (issue 14): real workbooks of several writers taken
 * apart, run in-process through `run` against one simulator with --allow-clear, what each sent as
 * written, the contract an ending must keep, and the memory a file's runs may grow by.
 */
import { afterAll, beforeAll, expect } from '@jest/globals';
import fc from 'fast-check';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunError } from '../../src/errors.js';
import { resolveOptions } from '../../src/cli/resolve-options.js';
import { run } from '../../src/job/run.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { sampleWorld } from '../../src/simulator/world.js';
import { simEnv } from './cli.js';
import { WORKBOOK_FIXTURES } from './excel-fixtures.js';
import { tempDir } from './files.js';
import { storedZip, unzipped } from './zip.js';
import { Collector } from './collector.js';

/** The seed of this run's random cases: FUZZ_SEED reproduces a run. */
export const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);
/** A mebibyte. */
export const MB = 1024 * 1024;
/** jest holds ~250 MB before the first run; a part unpacked whole would add far more than this. */
const RSS_GROWTH_LIMIT = 256 * MB;
/** What a stack trace looks like in text. */
export const STACK = /\n\s+at /;
/** The workbooks taken apart: different writers, part orders and string kinds. */
const BASES = [
  'xlsxwriter-formats.xlsx',
  'openpyxl.xlsx',
  'libreoffice.xlsx',
  'minimal.xlsx',
  'sheetjs.xlsx',
];

/** A zip's entries in their order: name and bytes. */
export type Entries = [string, Buffer][];

/** The one simulator of the file's runs (a live binding: read it inside a test). */
export let sim: Simulator;
/** The file's temporary folder. */
export let dir: string;
let peakRss = 0;
let startRss = 0;
let sampler: NodeJS.Timeout | undefined;
/** Each base workbook's entries, as written. */
export const bases = new Map<string, Entries>();
/** The PATCH bodies each base workbook sends as written. */
export const sent = new Map<string, string[]>();

/** How one run ended: exit code, the refusal if any, what it sent, what it logged. */
interface Ending {
  readonly exitCode?: number;
  readonly code?: string;
  readonly message?: string;
  readonly bug?: unknown;
  readonly bodies: string[];
  readonly log: string;
}

let runs = 0;

/** Run `bytes` as a workbook in-process, as the CLI would, with --allow-clear. */
export async function runWorkbook(bytes: Buffer): Promise<Ending> {
  const file = path.join(dir, `fuzz-${++runs}.xlsx`);
  await writeFile(file, bytes);
  const stderr = new Collector();
  const before = sim.requests.length;
  const bodies = () =>
    sim.requests
      .slice(before)
      .filter((r) => r.method === 'PATCH')
      .map((r) => r.body);
  try {
    const env = simEnv(sim.url);
    const options = resolveOptions(
      'run',
      file,
      { rate: 0, out: `${file}.results.csv`, retries: 0, timeout: 5, concurrency: 1, 'allow-clear': true },
      env,
    );
    const summary = await run(options, { env, stderr });
    return { exitCode: summary.exitCode, bodies: bodies(), log: stderr.text };
  } catch (error) {
    if (error instanceof RunError) {
      return {
        exitCode: error.exitCode,
        code: error.code,
        message: error.message,
        bodies: bodies(),
        log: stderr.text,
      };
    }
    return { bug: error, bodies: bodies(), log: stderr.text };
  }
}

/** What breaks the contract in `ending` (none when it keeps it); `mustRefuse`: exit 2, nothing sent. */
export function problemsOf(ending: Ending, mustRefuse: boolean): string[] {
  const problems: string[] = [];
  if (ending.bug !== undefined) problems.push(`threw ${String((ending.bug as Error)?.stack ?? ending.bug)}`);
  if (ending.exitCode !== undefined && ![0, 1, 2].includes(ending.exitCode))
    problems.push(`exit ${ending.exitCode}`);
  if (STACK.test(ending.message ?? '') || STACK.test(ending.log)) problems.push('a stack trace');
  if (ending.code === 'INPUT' && ending.bodies.length > 0)
    problems.push(`refused after sending ${ending.bodies.length}`);
  if (mustRefuse && !(ending.code === 'INPUT' && ending.bodies.length === 0))
    problems.push(`not refused: exit ${ending.exitCode}, ${ending.bodies.length} sent`);
  return problems;
}

/** One of the base workbooks' names. */
export const base = fc.constantFrom(...BASES);

/** A row element of a sheet's XML, self-closing or not (every base writes `r` on its rows and cells). */
const ROW = /<row\b[^>]*?(?:\/>|>[\s\S]*?<\/row>)/g;
/** A cell element of a row's XML. */
const CELL = /<c\b[^>]*?(?:\/>|>[\s\S]*?<\/c>)/g;

/** `items` with the one at `a` swapped with the one at `b`, or (`a` = `b`) given twice. */
function misplaced(items: string[], a: number, b: number): string[] {
  const out = [...items];
  if (a === b) out.splice(a, 0, items[a] as string);
  else [out[a], out[b]] = [items[b] as string, items[a] as string];
  return out;
}

/**
 * The entries of `name` whose sheet has two rows (or, `cells`, two cells of one row) swapped, or
 * one given twice: picked by `at`, `other` from the elements there are.
 */
export function reordered(name: string, cells: boolean, at: number, other: number): Entries {
  const entries = [...(bases.get(name) as Entries)];
  const i = entries.findIndex(([part]) => part.endsWith('sheet1.xml'));
  const xml = String((entries[i] as [string, Buffer])[1]);
  const rows = xml.match(ROW) ?? [];
  const start = xml.indexOf(rows[0] as string);
  const end = xml.lastIndexOf(rows[rows.length - 1] as string) + (rows[rows.length - 1] as string).length;
  let changed: string[];
  if (cells) {
    const r = at % rows.length;
    const row = rows[r] as string;
    const items = row.match(CELL) ?? [];
    const first = row.indexOf(items[0] as string);
    const last =
      row.lastIndexOf(items[items.length - 1] as string) + (items[items.length - 1] as string).length;
    const moved = misplaced(items, (other & 0xff) % items.length, (other >> 8) % items.length);
    changed = [...rows];
    changed[r] = row.slice(0, first) + moved.join('') + row.slice(last);
  } else changed = misplaced(rows, at % rows.length, other % rows.length);
  entries[i] = [
    (entries[i] as [string, Buffer])[0],
    Buffer.from(xml.slice(0, start) + changed.join('') + xml.slice(end)),
  ];
  return entries;
}

/**
 * Before the file's tests: the simulator, the base workbooks and what each sends as written; memory
 * sampled from then on. After them: the simulator closed, and the growth held under the limit.
 */
export function fuzzWorkbooksForFile(): void {
  beforeAll(async () => {
    sim = await startSimulator({ world: sampleWorld(), recordRequests: true });
    dir = await tempDir();
    for (const name of BASES)
      bases.set(name, await unzipped(await readFile(path.join(WORKBOOK_FIXTURES, name))));
    for (const name of BASES) {
      const ending = await runWorkbook(storedZip(bases.get(name) as Entries, { deflate: true }));
      expect({ name, exit: ending.exitCode, sent: ending.bodies.length }).toEqual({ name, exit: 0, sent: 7 });
      sent.set(name, ending.bodies);
    }
    startRss = process.memoryUsage().rss;
    peakRss = startRss;
    sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    sampler.unref();
  });

  afterAll(async () => {
    clearInterval(sampler);
    await sim.close();
    expect(peakRss - startRss).toBeLessThan(RSS_GROWTH_LIMIT);
  });
}
