/**
 * Fuzzing workbooks in-process (issue 14): real workbooks of several writers taken apart and put
 * together otherwise. Any order of their zip entries must send exactly what the workbook sends as
 * written; renamed, dropped, duplicated, truncated or damaged parts, rows or cells out of order,
 * and zip bombs must each end with exit 0, 1 or 2, no stack trace and bounded memory, and a refused
 * workbook must have sent nothing. The harness is test/helpers/fuzz-workbooks.ts; FUZZ_SEED
 * reproduces a run.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  base,
  bases,
  type Entries,
  fuzzWorkbooksForFile,
  MB,
  problemsOf,
  reordered,
  runWorkbook,
  SEED,
  sent,
} from '../helpers/fuzz-workbooks.js';
import { storedZip } from '../helpers/zip.js';

fuzzWorkbooksForFile();

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
});
