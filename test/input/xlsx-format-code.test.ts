/** Reading a number format code: sections split where Excel splits them, tokens as formatting needs them. */
import { describe, expect, test } from '@jest/globals';
import { isDateSection, parseCode, partsOf } from '../../src/input/xlsx-format-code.js';

describe('parseCode', () => {
  test('a code splits into sections at semicolons outside quotes, brackets and escapes', () => {
    const sections = parseCode('0;"a;b"\\;0;[<0]0;@');
    expect(sections).toHaveLength(4);
    expect(partsOf(sections[1]?.tokens ?? [])).toEqual(['', '', '0']);
    expect(sections[1]?.tokens.slice(0, 2)).toEqual([
      { kind: 'literal', text: 'a;b' },
      { kind: 'literal', text: ';' },
    ]);
  });

  test('quoted text, escapes and padding are literals; fill and colours leave nothing', () => {
    const [section] = parseCode('[Red]"PO"\\-0_)*x');
    expect(section?.tokens).toEqual([
      { kind: 'literal', text: 'PO' },
      { kind: 'literal', text: '-' },
      { kind: 'part', text: '0' },
      { kind: 'literal', text: ' ' },
    ]);
  });

  test('a bracketed condition picks the section and a currency tag shows only its symbol', () => {
    const [big, euro] = parseCode('[>=100]0;[$€-407]0');
    expect(big?.condition).toEqual(['>=', 100]);
    expect(euro?.condition).toBeUndefined();
    expect(euro?.tokens[0]).toEqual({ kind: 'literal', text: '€' });
  });

  test('date parts run together, elapsed time keeps its brackets, General reads as a text placeholder', () => {
    expect(partsOf(parseCode('yyyy-MM-dd [h]:mm AM/PM')[0]?.tokens ?? [])).toEqual([
      'yyyy',
      '',
      'mm',
      '',
      'dd',
      '',
      '[h]',
      '',
      'mm',
      '',
      'am/pm',
    ]);
    expect(partsOf(parseCode('"n: "General')[0]?.tokens ?? [])).toEqual(['', '@']);
    expect(partsOf(parseCode('0.0e+00')[0]?.tokens ?? [])).toEqual(['0', '.', '0', 'E+', '0', '0']);
  });
});

describe('isDateSection', () => {
  test('a section with any date or time part is a date, digits and literals alone are not', () => {
    expect(isDateSection(parseCode('dd.mm.yyyy')[0]?.tokens ?? [])).toBe(true);
    expect(isDateSection(parseCode('[mm]:ss')[0]?.tokens ?? [])).toBe(true);
    expect(isDateSection(parseCode('"PO-"0000')[0]?.tokens ?? [])).toBe(false);
  });
});
