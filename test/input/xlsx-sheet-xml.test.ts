/** A sheet's XML mended before exceljs's streaming reader reads it: booleans, and results never saved. */
import { describe, expect, test } from '@jest/globals';
import { mendCells, mendSheetXml, safeEnd } from '../../src/input/xlsx-sheet-xml.js';

const collect = async (chunks: string[]): Promise<string> => {
  let out = '';
  for await (const part of mendSheetXml(chunks.map((c) => Buffer.from(c)))) out += part;
  return out;
};

describe('mendCells', () => {
  test('boolean cells become the text TRUE or FALSE, formula or not', () => {
    expect(mendCells('<c r="A1" t="b"><f>1=1</f><v>1</v></c><c r="B1" t="b"><v>0</v></c>')).toBe(
      '<c r="A1" t="str"><f>1=1</f><v>TRUE</v></c><c r="B1" t="str"><v>FALSE</v></c>',
    );
  });

  test('an empty value of a number cell is dropped; an empty text result is kept', () => {
    expect(mendCells('<c r="C2"><f>CONCAT("PO-",A2)</f><v></v></c><c r="D2" s="1"><f>1+1</f><v/></c>')).toBe(
      '<c r="C2"><f>CONCAT("PO-",A2)</f></c><c r="D2" s="1"><f>1+1</f></c>',
    );
    const text = '<c r="E2" t="str"><f>""</f><v></v></c><c r="F2" t="n"><v /></c>';
    expect(mendCells(text)).toBe('<c r="E2" t="str"><f>""</f><v></v></c><c r="F2" t="n"></c>');
  });

  test('self-closing cells and other XML are left as they are', () => {
    const xml = '<row r="1"><c r="A1" s="2"/><c r="B1" t="b"><v>1</v></c><cols><col min="1"/></cols></row>';
    expect(mendCells(xml)).toBe(
      '<row r="1"><c r="A1" s="2"/><c r="B1" t="str"><v>TRUE</v></c><cols><col min="1"/></cols></row>',
    );
    const plain = '<row r="1"><c r="A1"><v>17</v></c></row>';
    expect(mendCells(plain)).toBe(plain);
  });
});

describe('safeEnd', () => {
  test('never cuts inside a tag or an unclosed cell', () => {
    expect(safeEnd('<row><c r="A1"><v>1</v></c><c r="B1" t="b"><v>')).toBe(27);
    expect(safeEnd('<row><c r="A1"/><c r')).toBe(16);
    expect(safeEnd('<row><c r="A1"><v>1</v></c></row>')).toBe(33);
    expect(safeEnd('<sheetData><row r="1"><')).toBe(22);
  });
});

describe('mendSheetXml', () => {
  test('mends cells cut across chunks, and characters cut across bytes', async () => {
    const xml =
      '<row r="1"><c r="A1" t="b"><f>1=1</f><v>1</v></c><c r="B1" t="inlineStr"><is><t>Müller</t></is></c></row>';
    const bytes = Buffer.from(xml);
    for (const size of [1, 2, 3, 7, 64]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
      let out = '';
      for await (const part of mendSheetXml(chunks)) out += part;
      expect(out).toBe(xml.replace('t="b"', 't="str"').replace('<v>1</v>', '<v>TRUE</v>'));
    }
    expect(await collect([])).toBe('');
  });
});
