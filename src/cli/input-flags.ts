/**
 * Flags that only mean something for one kind of input are refused for the other instead of being
 * silently ignored: `--sheet` for a CSV file (it has no worksheets), `--delimiter` and `--encoding`
 * for a workbook (its cells are neither delimited nor encoded by us). The kind is told by the
 * file's first bytes, as the reader tells it.
 */
import { UsageError } from '../errors.js';
import { sniffInput } from '../input/reader.js';
import type { Options } from '../options.js';

/** Throw a `UsageError` if a flag given does not apply to the input file's kind. */
export async function checkFormatFlags(options: Options): Promise<void> {
  const { file, sheet, delimiter, encoding } = options;
  // Standard input is looked at once it is spooled, by the run: these flags pass unchecked there.
  if (file === '-' || (sheet === undefined && delimiter === undefined && encoding === undefined)) return;
  const { container } = await sniffInput(file, { encoding, delimiter }, file);
  if (container === 'csv' && sheet !== undefined) {
    throw new UsageError(
      `\`--sheet\` ${sheet}: ${file} is a CSV file, which has no worksheets; leave out --sheet, or give the .xlsx workbook`,
    );
  }
  if (container === 'xlsx' && (delimiter !== undefined || encoding !== undefined)) {
    const flag = delimiter !== undefined ? '--delimiter' : '--encoding';
    throw new UsageError(
      `\`${flag}\` is for a CSV file, and ${file} is an .xlsx workbook, whose cells are read as they are; leave out ${flag}`,
    );
  }
}
