import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFormatFlags } from '../../src/cli/input-flags.js';
import { resolveOptions } from '../../src/cli/resolve-options.js';
import type { RawFlags } from '../../src/cli/option-table.js';

const samples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../samples');
const csv = path.join(samples, 'po-numbers.csv');
const workbook = path.join(samples, 'po-numbers-workbook.xlsx');
const check = (file: string, flags: RawFlags) =>
  checkFormatFlags(resolveOptions('run', file, { 'dry-run': true, out: '/nowhere/r.csv', ...flags }, {}));

describe('checkFormatFlags', () => {
  test('--sheet for a CSV file is refused: it would be ignored', async () => {
    await expect(check(csv, { sheet: 'Changes' })).rejects.toThrow(
      `\`--sheet\` Changes: ${csv} is a CSV file, which has no worksheets; leave out --sheet, or give the .xlsx workbook`,
    );
  });

  test('--delimiter or --encoding for a workbook is refused: it would be ignored', async () => {
    await expect(check(workbook, { delimiter: ';' })).rejects.toThrow(
      `\`--delimiter\` is for a CSV file, and ${workbook} is an .xlsx workbook`,
    );
    await expect(check(workbook, { encoding: 'windows-1252' })).rejects.toThrow(
      '`--encoding` is for a CSV file',
    );
  });

  test('each flag is accepted for the kind it is for, and nothing is read without them', async () => {
    await expect(check(workbook, { sheet: 'Changes' })).resolves.toBeUndefined();
    await expect(check(csv, { delimiter: ',', encoding: 'utf-8' })).resolves.toBeUndefined();
    await expect(check('/no/such/file.csv', {})).resolves.toBeUndefined();
    await expect(check('-', { sheet: 'Changes' })).resolves.toBeUndefined();
  });
});
