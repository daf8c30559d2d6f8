/**
 * The workbook's zip read by position: its bytes checked block by block against the preflight's
 * fingerprint, and what no spreadsheet is (duplicate parts, a zip bomb, missing parts, a cell that
 * refers to nothing) refused with one clear line, never read as empty cells.
 */
import { describe, expect, test } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../src/errors.js';
import { InputChangedError, type Fingerprint } from '../../src/input/fingerprint.js';
import type { InputRecord } from '../../src/input/record.js';
import { readWorkbookRecords } from '../../src/input/xlsx.js';
import { tempDir } from '../helpers/files.js';
import { sharedStringsWorkbook, storedZip } from '../helpers/zip.js';

const HEADER = ['Customer ID', 'Subscription ID', 'PO Number'];
const ROWS = Array.from({ length: 3000 }, (_, i) => [`c-${i}`, `s-${i}`, `PO-${i}`]);

async function saved(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(await tempDir(), name);
  await writeFile(file, bytes);
  return file;
}

async function records(file: string, against?: Fingerprint, recorded?: (f: Fingerprint) => void) {
  const out: InputRecord[] = [];
  for await (const r of readWorkbookRecords(file, path.basename(file), undefined, { against, recorded }))
    out.push(r);
  return out;
}

/** The entries of a hand-made workbook, to take apart and put together otherwise. */
function entriesOf(sheetXml: string, strings: string[] = []): [string, string][] {
  const ns = 'http://schemas.openxmlformats.org';
  const rel = `${ns}/officeDocument/2006/relationships`;
  return [
    [
      '_rels/.rels',
      `<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    [
      'xl/workbook.xml',
      `<workbook xmlns="${ns}/spreadsheetml/2006/main" xmlns:r="${rel}"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `<Relationships xmlns="${ns}/package/2006/relationships"><Relationship Id="rId1" Type="${rel}/worksheet" Target="worksheets/sheet1.xml"/>` +
        `<Relationship Id="rId2" Type="${rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    ],
    [
      'xl/worksheets/sheet1.xml',
      `<worksheet xmlns="${ns}/spreadsheetml/2006/main"><sheetData>${sheetXml}</sheetData></worksheet>`,
    ],
    ['xl/sharedStrings.xml', `<sst>${strings.map((s) => `<si><t>${s}</t></si>`).join('')}</sst>`],
  ];
}

async function refusal(file: string): Promise<InputError> {
  const error = await records(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('guarded bytes', () => {
  test('read again against its fingerprint it reads the same; a block not the one checked is a change', async () => {
    const file = await saved('big.xlsx', sharedStringsWorkbook([{ name: 'Data', rows: [HEADER, ...ROWS] }]));
    let fingerprint: Fingerprint | undefined;
    const first = await records(file, undefined, (f) => (fingerprint = f));
    expect(first).toHaveLength(3001);
    expect(fingerprint?.complete).toBe(true);
    expect(fingerprint?.blocks.length).toBeGreaterThan(1);
    expect(await records(file, fingerprint)).toEqual(first);
    const checked = fingerprint as Fingerprint;
    // As if a block had changed since the preflight: its hash is not the one recorded.
    const tampered = { ...checked, blocks: checked.blocks.map((b, i) => (i === 0 ? Buffer.alloc(32) : b)) };
    const error = await records(file, tampered).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputChangedError);
    expect((error as Error).message).toContain('its bytes from byte 0 on are not those checked');
  });
});

describe('what no spreadsheet is', () => {
  test('two parts of one name are refused: which one is meant is unknown', async () => {
    const entries = entriesOf('<row r="1"><c t="inlineStr"><is><t>x</t></is></c></row>');
    const file = await saved('twice.xlsx', storedZip([...entries, entries[3] as [string, string]]));
    expect((await refusal(file)).message).toBe(
      'twice.xlsx: is not a readable .xlsx workbook: it holds two parts named "xl/worksheets/sheet1.xml", so which one to read is unknown; open it in Excel and save it again',
    );
  });

  test('a sheet that would unpack to far more than it is packed (a zip bomb) is refused before it is read', async () => {
    const row = '<row><c t="inlineStr"><is><t>x</t></is></c></row>';
    const entries = entriesOf(row.repeat(Math.ceil((24 * 1024 * 1024) / row.length)));
    const file = await saved('bomb.xlsx', storedZip(entries, { deflate: true }));
    expect((await refusal(file)).message).toMatch(
      /^bomb\.xlsx: is not read: its part xl\/worksheets\/sheet1\.xml would unpack to 24 MB from \d+ KB, more than a spreadsheet holds/,
    );
  });

  test('a shared string the workbook does not have refuses the file at its cell, never reads as empty', async () => {
    const sheet =
      '<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>0</v></c><c r="C2" t="s"><v>5</v></c></row>';
    const error = await refusal(await saved('dangling.xlsx', storedZip(entriesOf(sheet, ['PO']))));
    expect(error.message).toBe(
      'dangling.xlsx, line 2, column 3: the cell cannot be read: it refers to shared string 5, but the workbook has 1 shared strings; the workbook is damaged: open it in Excel and save it again',
    );
    expect(error).toMatchObject({ line: 2, column: 3 });
    const without = entriesOf(sheet).filter(([name]) => name !== 'xl/sharedStrings.xml');
    expect((await refusal(await saved('none.xlsx', storedZip(without)))).message).toContain(
      'it refers to shared string 0, but the workbook has no shared strings part',
    );
  });

  test('a cell of a type no workbook has is refused at its cell', async () => {
    const error = await refusal(
      await saved('type.xlsx', storedZip(entriesOf('<row r="4"><c r="B4" t="x"><v>1</v></c></row>'))),
    );
    expect(error.message).toContain('its type t="x" is not one a workbook cell has');
    expect(error).toMatchObject({ line: 4, column: 2 });
  });

  test('a missing sheet part or workbook relationships are refused with what is missing', async () => {
    const entries = entriesOf('<row/>');
    const noSheet = entries.filter(([name]) => !name.startsWith('xl/worksheets/'));
    expect((await refusal(await saved('nosheet.xlsx', storedZip(noSheet)))).message).toBe(
      'nosheet.xlsx: is not a readable .xlsx workbook: the part holding its sheet "Data" (xl/worksheets/sheet1.xml) is missing; open it in Excel and save it again',
    );
    const noRels = entries.filter(([name]) => name !== 'xl/_rels/workbook.xml.rels');
    expect((await refusal(await saved('norels.xlsx', storedZip(noRels)))).message).toContain(
      'its workbook part has no relationships (xl/_rels/workbook.xml.rels)',
    );
  });

  test('a part whose bytes are not those its checksum was made of is refused, not read as other values', async () => {
    const bytes = storedZip(entriesOf('<row r="1"><c t="inlineStr"><is><t>PO-17</t></is></c></row>'));
    const at = bytes.indexOf('PO-17');
    bytes[at + 4] = '8'.charCodeAt(0); // PO-18: still well-formed XML, but not what was written
    const error = await refusal(await saved('flipped.xlsx', bytes));
    expect(error.message).toBe(
      'flipped.xlsx: is not a readable .xlsx workbook: its part xl/worksheets/sheet1.xml is damaged (its checksum is wrong); open it in Excel and save it again',
    );
  });

  test('XML cut short is a damaged workbook, on one line', async () => {
    const entries = entriesOf('<row r="1"><c t="inlineStr"><is><t>x</t></is></c></row>');
    entries[3] = ['xl/worksheets/sheet1.xml', (entries[3] as [string, string])[1].slice(0, 80)];
    const error = await refusal(await saved('cut.xlsx', storedZip(entries)));
    expect(error.message).toMatch(
      /^cut\.xlsx: is not a readable \.xlsx workbook: it is damaged or truncated/,
    );
    expect(error.message).not.toContain('\n');
  });
});

describe('styles', () => {
  test("a number whose style is not among the workbook's styles is refused: 17 may show as 00017", async () => {
    const sheet =
      '<row r="1"><c r="A1" t="inlineStr" s="3"><is><t>text is text</t></is></c></row><row r="2"><c r="B2" s="1"><v>17</v></c></row>';
    const error = await refusal(await saved('nostyles.xlsx', storedZip(entriesOf(sheet))));
    expect(error.message).toBe(
      "nostyles.xlsx, line 2, column 2: the cell cannot be read: its style 1 is not among the workbook's styles; the workbook is damaged: open it in Excel and save it again",
    );
  });
});
