/**
 * Fuzzing workbooks through the built CLI (issue 14): rows out of order or a cell given twice, a
 * shuffled workbook, a bomb and a truncated one, each refused on one line or run, nothing sent when
 * refused. The harness is test/helpers/fuzz-workbooks.ts; FUZZ_SEED reproduces a run.
 */
import { describe, expect, test } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, simEnv } from '../helpers/cli.js';
import {
  bases,
  dir,
  type Entries,
  fuzzWorkbooksForFile,
  MB,
  reordered,
  SEED,
  sim,
  STACK,
} from '../helpers/fuzz-workbooks.js';
import { storedZip } from '../helpers/zip.js';

fuzzWorkbooksForFile();

describe(`fuzzing workbooks (FUZZ_SEED=${SEED})`, () => {
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
