/**
 * Fuzzing workbooks (issue 14): real workbooks of several writers taken apart and put together
 * otherwise. Any order of their zip entries must send exactly what the workbook sends as written
 * (nothing may depend on the order of parts); renamed, dropped, duplicated, truncated or damaged
 * parts and zip bombs must each end with exit 0, 1 or 2, no stack trace, bounded memory, and a
 * refused workbook must have sent nothing. Runs in-process through `run` against one simulator,
 * with --allow-clear, where a cell misread as empty would clear a value; a few also through the
 * built CLI. FUZZ_SEED reproduces a run.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { RunError } from '../../src/errors.js';
import { resolveOptions } from '../../src/cli/resolve-options.js';
import { run } from '../../src/job/run.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { sampleWorld } from '../../src/simulator/world.js';
import { runCli, simEnv } from '../helpers/cli.js';
import { WORKBOOK_FIXTURES } from '../helpers/excel-fixtures.js';
import { tempDir } from '../helpers/files.js';
import { storedZip, unzipped } from '../helpers/zip.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);
const MB = 1024 * 1024;
/** jest holds ~250 MB before the first run; a part unpacked whole would add far more than this. */
const RSS_GROWTH_LIMIT = 256 * MB;
const STACK = /\n\s+at /;
/** The workbooks taken apart: different writers, part orders and string kinds. */
const BASES = [
  'xlsxwriter-formats.xlsx',
  'openpyxl.xlsx',
  'libreoffice.xlsx',
  'minimal.xlsx',
  'sheetjs.xlsx',
];

type Entries = [string, Buffer][];

let sim: Simulator;
let dir: string;
let peakRss = 0;
let startRss = 0;
let sampler: NodeJS.Timeout | undefined;
const bases = new Map<string, Entries>();
/** The PATCH bodies each base workbook sends as written. */
const sent = new Map<string, string[]>();

class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}

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
async function runWorkbook(bytes: Buffer): Promise<Ending> {
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
function problemsOf(ending: Ending, mustRefuse: boolean): string[] {
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

const base = fc.constantFrom(...BASES);

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
function reordered(name: string, cells: boolean, at: number, other: number): Entries {
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

describe(`fuzzing workbooks (FUZZ_SEED=${SEED})`, () => {
  test('any order of the zip entries, stored or deflated, sends exactly what the workbook as written sends', async () => {
    await fc.assert(
      fc.asyncProperty(base, fc.infiniteStream(fc.double()), fc.boolean(), async (name, keys, deflate) => {
        const entries = bases.get(name) as Entries;
        const order = entries.map((entry) => ({ entry, key: keys.next().value as number }));
        order.sort((a, b) => a.key - b.key);
        const ending = await runWorkbook(
          storedZip(
            order.map((o) => o.entry),
            { deflate },
          ),
        );
        expect({ exit: ending.exitCode, problems: problemsOf(ending, false), bodies: ending.bodies }).toEqual(
          {
            exit: 0,
            problems: [],
            bodies: sent.get(name),
          },
        );
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  test('renamed, dropped or damaged parts end with exit 0, 1 or 2 and no stack trace; refused ones send nothing', async () => {
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('rename' as const),
        at: fc.nat(),
        to: fc.constantFrom('x', '.bak', 'sheet9.xml'),
      }),
      fc.record({ kind: fc.constant('case' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    );
    await fc.assert(
      fc.asyncProperty(base, mutation, fc.boolean(), async (name, change, deflate) => {
        const entries = [...(bases.get(name) as Entries)];
        const i = change.at % entries.length;
        const [part, body] = entries[i] as [string, Buffer];
        let bytes: Buffer;
        if (change.kind === 'rename') entries[i] = [part + change.to, body];
        else if (change.kind === 'case') entries[i] = [part.toUpperCase(), body];
        else if (change.kind === 'drop') entries.splice(i, 1);
        if (change.kind === 'flip') {
          bytes = storedZip(entries, { deflate });
          const at = change.at % bytes.length;
          bytes[at] = (bytes[at] as number) ^ (1 << change.bit);
        } else bytes = storedZip(entries, { deflate });
        const ending = await runWorkbook(bytes);
        expect(problemsOf(ending, false)).toEqual([]);
        // Part names compare case-insensitively, as in Excel: upper case changes nothing.
        if (change.kind === 'case') expect(ending.bodies).toEqual(sent.get(name));
        // What is sent is what the workbook says, or nothing: never another value.
        if (ending.bodies.length > 0) expect(ending.bodies).toEqual(sent.get(name));
      }),
      { seed: SEED + 1, numRuns: 120 },
    );
  });

  test('a truncated workbook, or one with a part stored twice, is refused and sends nothing', async () => {
    await fc.assert(
      fc.asyncProperty(base, fc.nat(), fc.boolean(), async (name, at, twice) => {
        const entries = bases.get(name) as Entries;
        const whole = storedZip(entries, { deflate: true });
        const bytes = twice
          ? storedZip([...entries, entries[at % entries.length] as [string, Buffer]], { deflate: true })
          : whole.subarray(0, at % whole.length);
        const ending = await runWorkbook(bytes);
        expect({ problems: problemsOf(ending, true), message: ending.message }).toEqual({
          problems: [],
          message: expect.stringMatching(/^[^\n]+$/) as unknown,
        });
      }),
      { seed: SEED + 2, numRuns: 60 },
    );
  });

  test('rows or cells of a sheet swapped, or one given twice, are refused on one line naming the sheet, sending nothing', async () => {
    await fc.assert(
      fc.asyncProperty(base, fc.boolean(), fc.nat(), fc.nat(), async (name, cells, at, other) => {
        const ending = await runWorkbook(storedZip(reordered(name, cells, at, other), { deflate: true }));
        expect({ problems: problemsOf(ending, true), message: ending.message }).toEqual({
          problems: [],
          message: expect.stringMatching(
            cells
              ? /^[^\n]+: cells out of order in sheet "[^"\n]+": cell /
              : /^[^\n]+: rows out of order in sheet /,
          ) as unknown,
        });
      }),
      { seed: SEED + 3, numRuns: 40 },
    );
  });

  test('zip bombs, honest or lying about their size, are refused before being unpacked, sending nothing', async () => {
    const entries = bases.get('xlsxwriter-formats.xlsx') as Entries;
    const sheet = entries.findIndex(([name]) => name.endsWith('sheet1.xml'));
    const row = Buffer.from('<row><c t="inlineStr"><is><t>0</t></is></c></row>');
    const huge = Buffer.concat(Array.from({ length: Math.ceil((40 * MB) / row.length) }, () => row));
    const bomb = [...entries];
    bomb[sheet] = ['xl/worksheets/sheet1.xml', huge];
    const honest = await runWorkbook(storedZip(bomb, { deflate: true }));
    expect(problemsOf(honest, true)).toEqual([]);
    expect(honest.message).toMatch(/would unpack to 40 MB from \d+ KB, more than a spreadsheet holds/);
    const strings = entries.findIndex(([name]) => name.endsWith('sharedStrings.xml'));
    const lying = [...entries];
    lying[strings] = ['xl/sharedStrings.xml', huge];
    const ending = await runWorkbook(
      storedZip(lying, { deflate: true, declared: { 'xl/sharedStrings.xml': 1000 } }),
    );
    expect(problemsOf(ending, true)).toEqual([]);
    expect(ending.message).toMatch(/is not a readable \.xlsx workbook: it is damaged or truncated/);
  });

  test('through the built CLI: rows out of order, or a cell given twice, are refused on one line and nothing is sent', async () => {
    const cases: [string, Entries, string][] = [
      // The header, then row 3, then row 2: Excel shows them on rows 1, 2, 3; read as 1, 3, 4 before.
      [
        'rows.xlsx',
        reordered('minimal.xlsx', false, 1, 2),
        'line 2: rows out of order in sheet "Export": row 2 comes after row 3',
      ],
      [
        'twice.xlsx',
        reordered('minimal.xlsx', false, 2, 2),
        'line 3: rows out of order in sheet "Export": row 3 comes twice',
      ],
      [
        'cell.xlsx',
        reordered('minimal.xlsx', true, 3, 2 + (2 << 8)),
        'line 4, column 3: cells out of order in sheet "Export": cell C4 comes twice',
      ],
    ];
    for (const [name, entries, where] of cases) {
      const file = path.join(dir, name);
      await writeFile(file, storedZip(entries, { deflate: true }));
      const before = sim.requests.length;
      const cli = await runCli(
        ['run', file, '--out', `${file}.results.csv`, '--rate', '0', '--allow-clear'],
        simEnv(sim.url),
      );
      const patches = sim.requests.slice(before).filter((r) => r.method === 'PATCH').length;
      expect({ name, code: cli.code, patches, lines: cli.stderr.trim().split('\n').length }).toEqual({
        name,
        code: 2,
        patches: 0,
        lines: 1,
      });
      expect(cli.stderr).toContain(`${name}, ${where}`);
      expect(cli.stderr).toContain('save the workbook again from Excel');
    }
  });

  test('through the built CLI: a shuffled workbook runs, a bomb and a truncated one are refused on one line', async () => {
    const entries = bases.get('minimal.xlsx') as Entries;
    const cases: [string, Buffer, number][] = [
      ['shuffled.xlsx', storedZip([...entries].reverse(), { deflate: true }), 0],
      ['cut.xlsx', storedZip(entries, { deflate: true }).subarray(0, 700), 2],
      [
        'bomb.xlsx',
        storedZip(
          entries.map(([n, b]): [string, Buffer] => [
            n,
            n.endsWith('sheet1.xml') ? Buffer.alloc(16 * MB, 32) : b,
          ]),
          { deflate: true },
        ),
        2,
      ],
    ];
    for (const [name, bytes, code] of cases) {
      const file = path.join(dir, name);
      await writeFile(file, bytes);
      const before = sim.requests.length;
      const cli = await runCli(
        ['run', file, '--out', `${file}.results.csv`, '--rate', '0', '--allow-clear'],
        simEnv(sim.url),
      );
      const patches = sim.requests.slice(before).filter((r) => r.method === 'PATCH').length;
      expect({ name, code: cli.code, patches, stack: STACK.test(cli.stderr) }).toEqual({
        name,
        code,
        patches: code === 0 ? 7 : 0,
        stack: false,
      });
      if (code === 2) expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
