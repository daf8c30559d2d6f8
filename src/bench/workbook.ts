/**
 * The workbook scenario (issue 14): a 100,000-row .xlsx read in one pass by a dry run of the
 * built CLI, its peak RSS at most 200 MB. The workbook is laid out the hard way: every cell a
 * shared string (as Excel stores text), and the shared strings stored last in the zip, after the
 * sheet, so a reader that streamed parts in zip order would have to hold or spool the sheet.
 * It is written here, with the same ids as the CSV scenarios' input, and kept between runs.
 */
import { createReadStream, existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { countStatuses, describeStatuses, inputFile, type StatusCount } from './files.js';
import { runMeasured } from './measure.js';
import { storedZip } from './zip.js';
import type { Check, Outcome, Scenario } from './outcome.js';

const PEAK_RSS_LIMIT_MB = 200;
const NS = 'http://schemas.openxmlformats.org';
const REL = `${NS}/officeDocument/2006/relationships`;

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The workbook of the CSV input of `rows` rows (written first if it is not there yet). */
async function workbookFile(dir: string, rows: number): Promise<string> {
  const file = path.join(dir, `po-numbers-${rows}.strings-last.xlsx`);
  if (existsSync(file)) return file;
  const strings: string[] = [];
  const sheet: string[] = [];
  const lines = createInterface({ input: createReadStream(await inputFile(dir, rows)) });
  for await (const line of lines) {
    const r = sheet.length + 1;
    const cells = line.split(',').map((text, c) => {
      strings.push(text);
      return `<c r="${String.fromCharCode(65 + c)}${r}" t="s"><v>${strings.length - 1}</v></c>`;
    });
    sheet.push(`<row r="${r}">${cells.join('')}</row>`);
  }
  const bytes = storedZip(
    [
      [
        '[Content_Types].xml',
        `<Types xmlns="${NS}/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`,
      ],
      [
        '_rels/.rels',
        `<Relationships xmlns="${NS}/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      ],
      [
        'xl/workbook.xml',
        `<workbook xmlns="${NS}/spreadsheetml/2006/main" xmlns:r="${REL}"><sheets><sheet name="PO Numbers" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ],
      [
        'xl/_rels/workbook.xml.rels',
        `<Relationships xmlns="${NS}/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
      ],
      [
        'xl/worksheets/sheet1.xml',
        `<worksheet xmlns="${NS}/spreadsheetml/2006/main"><sheetData>${sheet.join('')}</sheetData></worksheet>`,
      ],
      [
        'xl/sharedStrings.xml',
        `<sst xmlns="${NS}/spreadsheetml/2006/main">${strings.map((s) => `<si><t>${escapeXml(s)}</t></si>`).join('')}</sst>`,
      ],
    ],
    { deflate: true },
  );
  await writeFile(`${file}.partial`, bytes);
  await rename(`${file}.partial`, file);
  return file;
}

/** Scenario 9: a dry run of the 100,000-row workbook, one pass, peak RSS at most 200 MB. */
export const workbook: Scenario = {
  id: 9,
  name: 'workbook',
  async run(ctx) {
    const rows = ctx.quick ? 20_000 : 100_000;
    ctx.progress(`writing the ${rows}-row workbook (kept for later runs)`);
    const input = await workbookFile(ctx.workDir, rows);
    const out = path.join(ctx.workDir, `workbook-${rows}-dry.results.csv`);
    const args = [
      path.join(ctx.dist, 'bin.js'),
      'po-numbers',
      input,
      '--out',
      out,
      '--overwrite',
      '--dry-run',
      '--no-progress',
    ];
    ctx.progress(`dry run of ${path.basename(input)}`);
    const measured = await runMeasured(
      args,
      { PATH: process.env.PATH ?? '/usr/bin:/bin', CLOUDCOCKPIT_TENANT: 'portal.cloudcockpit.com' },
      ctx.root,
    );
    const statuses: StatusCount = await countStatuses(out).catch(() => ({ rows: 0, byStatus: {} }));
    const ok = measured.code === 0 && statuses.rows === rows && statuses.byStatus.valid === rows;
    const checks: Check[] = [
      {
        label: `peak RSS ${measured.peakRssMb.toFixed(1)} MB <= ${PEAK_RSS_LIMIT_MB} MB`,
        passed: measured.peakRssMb <= PEAK_RSS_LIMIT_MB,
      },
      {
        label: ok
          ? `all ${rows} rows valid, in one pass`
          : `exit ${measured.code}: ${describeStatuses(statuses)}`,
        passed: ok,
      },
    ];
    const outcome: Outcome = {
      id: this.id,
      name: this.name,
      rows,
      seconds: measured.seconds,
      rowsPerSecond: rows / measured.seconds,
      limitRowsPerSecond: undefined,
      efficiencyPercent: undefined,
      peakRssMb: measured.peakRssMb,
      cpuMsPerRow: measured.cpuMs / rows,
      otherCpuPercent: measured.otherCpuPercent,
      passed: checks.every((c) => c.passed),
      checks,
      details: { input: path.basename(input), exit: measured.code },
    };
    return outcome;
  },
};
