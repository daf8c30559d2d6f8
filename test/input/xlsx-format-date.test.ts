/** Dates and times from serial day numbers, counted the way Excel counts them. */
import { describe, expect, test } from '@jest/globals';
import { parseCode } from '../../src/input/xlsx-format-code.js';
import { formatDate, serialOf } from '../../src/input/xlsx-format-date.js';

const date = (serial: number, code: string) => formatDate(serial, parseCode(code)[0]?.tokens ?? []);

describe('serialOf', () => {
  test('a date converts to the serial day exceljs read it from, time of day as the fraction', () => {
    expect(serialOf(new Date(Date.UTC(2024, 0, 31)))).toBe(45322);
    expect(serialOf(new Date(Date.UTC(2024, 0, 31, 18)))).toBe(45322.75);
  });
});

describe('formatDate', () => {
  test('years, months and days in every width Excel knows', () => {
    expect(date(45322, 'yy yyyy')).toBe('24 2024');
    expect(date(45322, 'm mm mmm mmmm mmmmm')).toBe('1 01 Jan January J');
    expect(date(45322, 'd dd ddd dddd')).toBe('31 31 Wed Wednesday');
  });

  test('m after an hour or before a second is minutes, elsewhere a month', () => {
    expect(date(45322.5 + 7 / 1440, 'mm/dd h:mm')).toBe('01/31 12:07');
    expect(date(7 / 1440 + 9 / 86400, 'mm:ss')).toBe('07:09');
  });

  test('twelve-hour clocks, elapsed time and fractions of a second', () => {
    expect(date(45322.75, 'h:mm AM/PM')).toBe('6:00 PM');
    expect(date(45322.25, 'hh a/p')).toBe('06 A');
    expect(date(1.5, '[h]:mm')).toBe('36:00');
    expect(date(1.5, '[mm]')).toBe('2160');
    expect(date(45322 + 1.25 / 86400, 'ss.00')).toBe('01.25');
  });

  test('time rounds once to what is shown, so the last half second of a day is the next day', () => {
    expect(date(45322 + 86399.6 / 86400, 'yyyy-mm-dd hh:mm:ss')).toBe('2024-02-01 00:00:00');
  });

  test('the 29 February 1900 Excel believes in is shown, and the days after it are right', () => {
    expect(date(60, 'dddd d mmmm yyyy')).toBe('Wednesday 29 February 1900');
    expect(date(61, 'yyyy-mm-dd')).toBe('1900-03-01');
    expect(date(59, 'yyyy-mm-dd')).toBe('1900-02-28');
  });
});
