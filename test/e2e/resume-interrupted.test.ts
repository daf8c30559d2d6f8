/**
 * `--resume` end to end (issue 15): a resume interrupted in its turn, whose earlier results are
 * `<out>` and the `.partial-N` files of resumes that did not finish (made the way such a run leaves
 * them: a prefix of what a complete one wrote).
 */
import { describe, expect, test } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readResults, runCli } from '../helpers/cli.js';
import { dir, env, sim, simulatorForEachTest } from '../helpers/e2e.js';
import { CUSTOMER, KEY, OTHER, SUB } from '../helpers/resume-targets.js';

simulatorForEachTest();

/** The header line and the data lines (CRLF ends, BOM kept on the header) of a results file. */
async function resultLines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\r\n').filter((l) => l !== '');
}

/** A results file holding `header` and `rows`, as the writer ends each line. */
async function writeLines(file: string, lines: readonly string[]): Promise<void> {
  await writeFile(file, lines.map((l) => `${l}\r\n`).join(''));
}

/** A results line (no quoted cells) with cell `index` replaced by `value`. */
function withCell(line: string, index: number, value: string): string {
  return line
    .split(',')
    .map((cell, i) => (i === index ? value : cell))
    .join(',');
}

describe('a resume interrupted in its turn', () => {
  test('a later row of a key recorded in an older file than the earlier row applied again is sent again', async () => {
    const file = path.join(dir, 'in.csv');
    await writeFile(
      file,
      `customerId,subscriptionId,poNumber\n${CUSTOMER},${SUB},PO-FIRST\n${CUSTOMER},${SUB},PO-LAST\n${CUSTOMER},${OTHER},PO-OTHER\n`,
    );
    const out = path.join(dir, 'out.csv');
    const args = ['po-numbers', file, '--out', out, '--rate', '0'];
    expect((await runCli(args, env())).code).toBe(0);
    // The first run: line 2 (PO-FIRST) failed, line 3 (PO-LAST, same subscription) succeeded.
    const first = (await resultLines(out)).map((l) => l.replace(',PO-FIRST,success,', ',PO-FIRST,failed,'));
    await writeLines(out, first);
    // Resume 1 sends line 2 again, writes it to out.csv.partial-1, and is killed before line 3.
    expect((await runCli([...args, '--resume'], env())).code).toBe(0);
    const resumed = await resultLines(out);
    await writeLines(`${out}.partial-1`, resumed.slice(0, 2));
    await writeLines(out, first);
    sim.reset();
    sim.poNumbers.set(KEY, 'PO-FIRST');

    const run = await runCli([...args, '--resume'], env());
    expect(run.code).toBe(0);
    expect(sim.history.get(KEY)).toEqual(['PO-LAST']);
    expect(sim.poNumbers.get(KEY)).toBe('PO-LAST');
    // The announcement counts only the rows really kept: line 3 is sent again, so not among them.
    expect(run.stderr).toContain(`resuming into ${out}: 2 rows already applied are kept and not sent again`);
    expect(run.stderr).toContain('3 success (2 success kept from the earlier run)');
    const rows = await readResults(out);
    expect(rows.map((r) => [r.poNumber, r.status])).toEqual([
      ['PO-FIRST', 'success'],
      ['PO-LAST', 'success'],
      ['PO-OTHER', 'success'],
    ]);
    // Line 2 is kept as resume 1 applied it; line 4 as the first run did.
    expect(rows[0]?.correlationId).toBe(resumed[1]?.split(',')[7]);
    expect(rows[2]?.correlationId).toBe(first[3]?.split(',')[7]);
  });

  test('the newest file that holds a line decides it: a success that a later resume sent again and failed is sent again', async () => {
    const file = path.join(dir, 'in.csv');
    await writeFile(
      file,
      `customerId,subscriptionId,poNumber\n${CUSTOMER},${SUB},PO-FIRST\n${CUSTOMER},${SUB},PO-LAST\n`,
    );
    const out = path.join(dir, 'out.csv');
    const args = ['po-numbers', file, '--out', out, '--rate', '0'];
    expect((await runCli(args, env())).code).toBe(0);
    const first = await resultLines(out);
    await writeLines(
      out,
      first.map((l) => l.replace(',PO-FIRST,success,', ',PO-FIRST,failed,')),
    );
    // Resume 1 sent line 2 again (applied), then line 3, which failed (the API went down), and was
    // killed before its partial file replaced out.csv.
    await writeLines(`${out}.partial-1`, [
      first[0]!,
      withCell(first[1]!, 7, 'aaaaaaaa-0000-4000-8000-000000000001'),
      first[2]!.replace(',success,204,', ',failed,503,'),
    ]);
    sim.reset();
    sim.poNumbers.set(KEY, 'PO-FIRST');

    const run = await runCli([...args, '--resume'], env());
    expect(run.code).toBe(0);
    expect(sim.history.get(KEY)).toEqual(['PO-LAST']);
    expect(sim.poNumbers.get(KEY)).toBe('PO-LAST');
    expect((await readResults(out)).map((r) => r.status)).toEqual(['success', 'success']);
  });
});
