/**
 * The number format of each cell style, from a workbook's styles part: a cell's `s` attribute is
 * an index into `cellXfs`, whose `numFmtId` is a built-in format or one of the part's `numFmts`.
 * A workbook without a styles part (minimal writers leave it out) shows every number as General.
 */
import type { Readable } from 'node:stream';
import { parseXml } from './xlsx-xml.js';

/**
 * ECMA-376's built-in formats, by id, as exceljs names them (so xlsx-format.ts's table of
 * locale-dependent codes applies). Ids left out (the East Asian ones) show as General, as before.
 */
const BUILT_IN: Readonly<Record<number, string>> = {
  0: 'General',
  1: '0',
  2: '0.00',
  3: '#,##0',
  4: '#,##0.00',
  9: '0%',
  10: '0.00%',
  11: '0.00E+00',
  12: '# ?/?',
  13: '# ??/??',
  14: 'mm-dd-yy',
  15: 'd-mmm-yy',
  16: 'd-mmm',
  17: 'mmm-yy',
  18: 'h:mm AM/PM',
  19: 'h:mm:ss AM/PM',
  20: 'h:mm',
  21: 'h:mm:ss',
  22: 'm/d/yy "h":mm',
  37: '#,##0 ;(#,##0)',
  38: '#,##0 ;[Red](#,##0)',
  39: '#,##0.00 ;(#,##0.00)',
  40: '#,##0.00 ;[Red](#,##0.00)',
  45: 'mm:ss',
  46: '[h]:mm:ss',
  47: 'mmss.0',
  48: '##0.0E+0',
  49: '@',
};

/** The number format code of each cell style, by the index a cell's `s` names. */
export class CellFormats {
  constructor(private readonly codes: readonly (string | undefined)[] = []) {}

  /**
   * The code for style `index` (undefined: General). A style the workbook does not have (its
   * styles part is missing or shorter) is `null`: how the cell shows (00017 or 17) is unknown.
   * Style 0 is the default, General unless the part says otherwise.
   */
  code(index: number): string | undefined | null {
    if (index === 0 || (Number.isInteger(index) && index > 0 && index < this.codes.length))
      return this.codes[index];
    return null;
  }
}

/** The styles part read: the format of each entry of `cellXfs` (not `cellStyleXfs`, which cells never name). */
export async function readStyles(stream: Readable): Promise<CellFormats> {
  const custom = new Map<number, string>();
  const formatIds: number[] = [];
  let inCellXfs = false;
  await parseXml(stream, {
    open(name, attributes) {
      if (name === 'numFmt') {
        const id = Number(attributes.numFmtId);
        if (Number.isInteger(id) && attributes.formatCode !== undefined)
          custom.set(id, attributes.formatCode);
      } else if (name === 'cellXfs') {
        inCellXfs = true;
      } else if (name === 'xf' && inCellXfs) {
        formatIds.push(Number(attributes.numFmtId ?? 0));
      }
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  return new CellFormats(formatIds.map((id) => custom.get(id) ?? BUILT_IN[id]));
}
