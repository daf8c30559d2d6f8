/** Before a resume sends anything: the earlier results must match the input, row by row. */
import { describe, expect, test } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { poNumbers } from '../../src/kinds.js';
import { preflight } from '../../src/input/preflight.js';
import { resultsHeader } from '../../src/results/results-writer.js';
import { planResume, ResumeMismatchError, type ResumePlan } from '../../src/results/resume.js';
import { RenumberedResultsError, verifyResume } from '../../src/job/verify-resume.js';
import { tempDir } from '../helpers/files.js';

const C = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const S = ['1b4e28ba-2fa1-11d2-883f-0016d3cca427', '6c8266a2-143a-41f4-b12b-e10489256625'];
const HEADER = resultsHeader(poNumbers);

/** An input whose second data row follows a cell with a line break, and the earlier results of it. */
async function resumed(lines: readonly number[]): Promise<{ input: string; plan: ResumePlan }> {
  const dir = await tempDir();
  const input = path.join(dir, 'in.csv');
  await writeFile(input, `customerId,subscriptionId,poNumber\n${C},${S[0]},"PO\n1"\n${C},${S[1]},PO-2\n`);
  const out = path.join(dir, 'in.results.csv');
  const cells = [
    [C, S[0], 'PO\n1'],
    [C, S[1], 'PO-2'],
  ];
  const rows = lines.map((line, i) => {
    const row = [String(line), ...(cells[i] as string[]), 'success', '204', '1', 'id', '', '', '', ''];
    return row.slice(0, HEADER.length).map((c) => (c.includes('\n') ? `"${c}"` : c));
  });
  await writeFile(out, `\ufeff${[HEADER, ...rows].map((r) => r.join(',')).join('\n')}\n`);
  return { input, plan: (await planResume(out)) as ResumePlan };
}

async function verify(lines: readonly number[]): Promise<number> {
  const { input, plan } = await resumed(lines);
  const options = {
    kind: poNumbers,
    encoding: undefined,
    delimiter: undefined,
    allowClear: false,
    acceptNumbers: false,
  };
  const checked = await preflight(input, 'in.csv', options);
  return (await verifyResume(plan, input, 'in.csv', checked, HEADER)).kept;
}

describe('verifyResume', () => {
  test('results numbered as Excel numbers rows are kept', async () => {
    expect(await verify([2, 3])).toBe(2);
  });

  test('results an earlier version numbered by file line are refused as such, not matched to other rows', async () => {
    const error = await verify([2, 4]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResumeMismatchError);
    expect((error as Error).message).toMatch(
      /^in\.csv, line \d+: .*in\.results\.csv numbers rows by their line in the file, as earlier versions of cloudcockpit-bulk did/,
    );
    expect((error as Error).message).toContain('start a new run with another --out');
    // Not a changed input: a finished run's results are not set aside for it.
    expect(error).toBeInstanceOf(RenumberedResultsError);
  });

  test('results that match neither numbering are an input that changed', async () => {
    const error = await verify([2, 7]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResumeMismatchError);
    expect(error).not.toBeInstanceOf(RenumberedResultsError);
    expect((error as Error).message).toContain('The input changed since that run');
  });
});
