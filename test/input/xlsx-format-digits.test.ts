/** The number part of a format and General: digits where the placeholders say, rounded as Excel rounds. */
import { describe, expect, test } from '@jest/globals';
import { parseCode } from '../../src/input/xlsx-format-code.js';
import { formatDigits, generalText } from '../../src/input/xlsx-format-digits.js';

const digits = (value: number, code: string) => formatDigits(value, parseCode(code)[0]?.tokens ?? []);

describe('generalText', () => {
  test('long integers are shown whole, not in scientific form', () => {
    expect(generalText(450012345678)).toBe('450012345678');
    expect(generalText(123456789012345)).toBe('123456789012345');
  });

  test('values keep 15 significant digits and very large or small ones turn scientific', () => {
    expect(generalText(0.1 + 0.2)).toBe('0.3');
    expect(generalText(123.45678901234568)).toBe('123.456789012346');
    expect(generalText(0.000000123)).toBe('0.000000123');
    expect(generalText(1e-10)).toBe('1E-10');
    expect(generalText(1e21)).toBe('1E+21');
    expect(generalText(Infinity)).toBe('#NUM!');
  });
});

describe('formatDigits', () => {
  test('zeros pad, hashes drop and question marks leave a space', () => {
    expect(digits(123, '000000')).toBe('000123');
    expect(digits(0.5, '#.##')).toBe('.5');
    expect(digits(1.5, '??.??')).toBe(' 1.5 ');
  });

  test('decimal ties round away from zero on the decimal text, not the binary value', () => {
    expect(digits(1.005, '0.00')).toBe('1.01');
    expect(digits(0.145, '0.00')).toBe('0.15');
    expect(digits(0.0055, '0.0%')).toBe('0.6%');
  });

  test('15-digit numbers keep every digit under a format with decimals', () => {
    expect(digits(804502792521938, '0.00')).toBe('804502792521938.00');
    expect(digits(94864943251013, '#,##0.000')).toBe('94,864,943,251,013.000');
  });

  test('commas group between placeholders and divide by 1000 after them', () => {
    expect(digits(1234567, '#,##0')).toBe('1,234,567');
    expect(digits(1234567, '#,##0,"k"')).toBe('1,235k');
    expect(digits(1234567890, '#,##0,,"M"')).toBe('1,235M');
  });

  test('scientific and engineering exponents are padded to their placeholders', () => {
    expect(digits(12345.678, '0.00E+00')).toBe('1.23E+04');
    expect(digits(0.000123, '0.00E-00')).toBe('1.23E-04');
    expect(digits(12345, '##0.0E+0')).toBe('12.3E+3');
  });

  test('literals stay where they are written, between the digits too', () => {
    expect(digits(123456, '000-000')).toBe('123-456');
    expect(digits(4711, '"PO-"000000" EUR"')).toBe('PO-004711 EUR');
  });
});
