import { describe, expect, test } from '@jest/globals';
import { matchHeader } from '../../src/input/header.js';
import { internalIdentifiers, poNumbers } from '../../src/kinds.js';
import { NO_SAVED_RESULT } from '../../src/input/record.js';
import {
  canonicalUuid,
  describeProblems,
  MAX_VALUE_LENGTH,
  validateRecord,
  type Validation,
} from '../../src/input/validate.js';

const po = matchHeader(['customerId', 'subscriptionId', 'poNumber'], poNumbers, 'f.csv');
const ii = matchHeader(['customerId', 'resellerId', 'internalIdentifier'], internalIdentifiers, 'f.csv');
const C = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const S = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';

function problems(v: Validation): string[] {
  return 'problems' in v ? v.problems.map((p) => `${p.propertyName}: ${p.description}`) : [];
}

describe('validateRecord', () => {
  test('a good row becomes a change with canonical ids and the trimmed value', () => {
    const v = validateRecord(po, [` {${C.toUpperCase()}} `, `${S}\u00a0`, ' PO-42 '], { allowClear: false });
    expect(v).toEqual({ change: { values: { customerId: C, subscriptionId: S, poNumber: 'PO-42' } } });
  });

  test('ids must be UUIDs', () => {
    expect(problems(validateRecord(po, ['not-a-guid', S, 'PO'], { allowClear: false }))).toEqual([
      'customerId: "not-a-guid" is not a UUID (expected 8-4-4-4-12 hexadecimal digits)',
    ]);
    expect(problems(validateRecord(po, [C, '', 'PO'], { allowClear: false }))[0]).toMatch(
      /^subscriptionId: is empty/,
    );
  });

  test('an empty value is invalid unless clearing is allowed, and then it is null', () => {
    expect(problems(validateRecord(po, [C, S, '  '], { allowClear: false }))).toEqual([
      'poNumber: is empty; give a value, or use --allow-clear to clear it',
    ]);
    expect(validateRecord(po, [C, S, ''], { allowClear: true })).toEqual({
      change: { values: { customerId: C, subscriptionId: S, poNumber: null } },
    });
  });

  test('values longer than 255 characters are invalid, 255 are fine', () => {
    expect('change' in validateRecord(po, [C, S, 'x'.repeat(255)], { allowClear: false })).toBe(true);
    expect(problems(validateRecord(ii, [C, '', 'y'.repeat(256)], { allowClear: false }))).toEqual([
      'internalIdentifier: is 256 characters long; the API accepts at most 255',
    ]);
  });

  test('an empty resellerId means the CSP relationship (null)', () => {
    expect(validateRecord(ii, [C, '', 'ERP-1'], { allowClear: false })).toEqual({
      change: { values: { customerId: C, resellerId: null, internalIdentifier: 'ERP-1' } },
    });
    expect(problems(validateRecord(ii, [C, 'reseller-1', 'ERP-1'], { allowClear: false }))[0]).toMatch(
      /^resellerId:/,
    );
  });

  test('too few cells, or extra cells that hold data, make the row invalid; empty trailing cells do not', () => {
    expect(problems(validateRecord(po, [C, S], { allowClear: false }))[0]).toBe(
      'row: has 2 cells but the header has 3; check for a missing delimiter',
    );
    expect(problems(validateRecord(po, [C, S, 'PO', 'oops'], { allowClear: false }))[0]).toMatch(
      /^row: has 4 cells/,
    );
    expect('change' in validateRecord(po, [C, S, 'PO', '', ''], { allowClear: false })).toBe(true);
  });

  test('several problems are all reported, and described in one sentence', () => {
    const v = validateRecord(po, ['x', 'y', ''], { allowClear: false });
    expect(problems(v)).toHaveLength(3);
    expect(describeProblems('problems' in v ? v.problems : [])).toBe(
      'Not sent: customerId "x" is not a UUID (expected 8-4-4-4-12 hexadecimal digits) (and 2 more problems, see errorDetails)',
    );
  });

  test('canonicalUuid accepts braces, upper case and invisible spaces, and nothing else', () => {
    expect(canonicalUuid(`{${C.toUpperCase()}}`)).toBe(C);
    expect(canonicalUuid(`\u200b${C}`)).toBe(C);
    expect(canonicalUuid(C.slice(1))).toBeUndefined();
    expect(canonicalUuid(`${C}0`)).toBeUndefined();
  });

  test('canonicalUuid gives a canonical id back as it is, and refuses a digit beyond f or a dash out of place', () => {
    expect(canonicalUuid(C)).toBe(C);
    expect(canonicalUuid(`${C.slice(0, 35)}g`)).toBeUndefined();
    expect(canonicalUuid(`${C.slice(0, 8)}${C.slice(9, 10)}-${C.slice(10)}`.slice(0, 36))).toBeUndefined();
    expect(canonicalUuid(C.replaceAll('-', '0'))).toBeUndefined();
    expect(canonicalUuid(`${C.slice(0, 35)}F`)).toBe(C.slice(0, 35) + 'f');
  });
});

describe('Excel damage', () => {
  test('a value Excel turned into scientific notation is invalid with a hint, unless numbers are accepted', () => {
    for (const value of ['4.5E+11', '4,5E+11', '1E10', '-2.1e-3']) {
      expect(problems(validateRecord(po, [C, S, value], { allowClear: false }))[0]).toContain(
        'scientific notation',
      );
      expect('change' in validateRecord(po, [C, S, value], { allowClear: false, acceptNumbers: true })).toBe(
        true,
      );
    }
    for (const value of ['PO-1E10', '1E', 'E10', '00017']) {
      expect('change' in validateRecord(po, [C, S, value], { allowClear: false })).toBe(true);
    }
  });

  test('a number longer than the 15 digits Excel keeps, zeros after the 15th, is invalid unless numbers are accepted', () => {
    for (const value of ['450001234567890000', '1234567890123450', '1000000000000000000000']) {
      expect(problems(validateRecord(po, [C, S, value], { allowClear: false }))[0]).toContain(
        'Excel keeps only 15 digits',
      );
      expect('change' in validateRecord(po, [C, S, value], { allowClear: false, acceptNumbers: true })).toBe(
        true,
      );
    }
    // Text that kept its digits: a non-zero digit after the 15th, a leading zero, 15 digits or fewer.
    for (const value of [
      '4500012345678901',
      '450001234567890001',
      '0450001234567890000',
      '450001234567890',
    ]) {
      expect('change' in validateRecord(po, [C, S, value], { allowClear: false })).toBe(true);
    }
  });

  test("what a failed formula shows is invalid, as a value or as an id, in any of Excel's languages", () => {
    const errors = ['#N/A', '#VALUE!', '#REF!', '#DIV/0!', '#NAME?', '#NUM!', '#NULL!', '#SPILL!'];
    const translated = ['#NV', '#WERT!', '#BEZUG!', '#VALEUR!', '#NOMBRE!', '#NOM?', '#ZAHL!', '#N/D'];
    for (const value of [...errors, ...translated, '#ERROR', '#n/a']) {
      expect(problems(validateRecord(po, [C, S, value], { allowClear: false, acceptNumbers: true }))).toEqual(
        [
          `poNumber: is the Excel error ${value}, not a value: a formula failed in the spreadsheet; correct it in Excel and save the file again`,
        ],
      );
    }
    expect(problems(validateRecord(ii, ['#N/A', '', 'X-1'], { allowClear: false }))).toEqual([
      'customerId: is the Excel error #N/A: a formula failed in the spreadsheet; correct it in Excel and save the file again',
    ]);
    // A leading # is a common way to write an order number: only an error's exact shape is refused.
    for (const value of ['#4500012345', '#PO-17', 'PO #N/A', '#N/A 2', '#', '#!', 'N/A', '#ABC-12!X']) {
      expect('change' in validateRecord(po, [C, S, value], { allowClear: false })).toBe(true);
    }
  });

  test('a value too long counts as the API counts (UTF-16 code units), and says so in the characters a person sees', () => {
    expect(problems(validateRecord(po, [C, S, 'x'.repeat(256)], { allowClear: false }))).toEqual([
      'poNumber: is 256 characters long; the API accepts at most 255',
    ]);
    // 200 emoji are 400 code units to .NET: too long, and the message says both numbers.
    expect(problems(validateRecord(po, [C, S, '😀'.repeat(200)], { allowClear: false }))).toEqual([
      'poNumber: is 200 characters long as shown, which the API counts as 400 (it counts UTF-16 code units: ' +
        'an emoji, or a letter with a separate accent, counts 2 or more); it accepts at most 255',
    ]);
    // 127 emoji (254 units) fit; 128 (256) do not, though a person sees only 128 characters.
    expect('change' in validateRecord(po, [C, S, '😀'.repeat(127)], { allowClear: false })).toBe(true);
    expect(problems(validateRecord(po, [C, S, '😀'.repeat(128)], { allowClear: false }))[0]).toContain(
      `is 128 characters long as shown, which the API counts as 256`,
    );
    expect(MAX_VALUE_LENGTH).toBe(255);
  });

  test('a workbook formula with no saved result is refused as such, with what to do, not as an Excel error', () => {
    const why =
      'is a formula with no saved result (the program that wrote the workbook did not calculate it): ' +
      'open the file in Excel and save it, so that its results are stored, then run again';
    expect(problems(validateRecord(po, [C, S, NO_SAVED_RESULT], { allowClear: true }))).toEqual([
      `poNumber: ${why}`,
    ]);
    expect(problems(validateRecord(po, [NO_SAVED_RESULT, S, 'PO-1'], { allowClear: false }))).toEqual([
      `customerId: ${why}`,
    ]);
  });
});
