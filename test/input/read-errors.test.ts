/** How reading failures are told to the person who gave the file. */
import { describe, expect, test } from '@jest/globals';
import { CsvError, type CsvErrorCode } from 'csv-parse';
import { InputError } from '../../src/errors.js';
import { describeCsvError, EncodingError, unreadable } from '../../src/input/read-errors.js';

const errno = (code: string) => Object.assign(new Error(code), { code });

describe('unreadable', () => {
  test('a missing, forbidden or folder path becomes an InputError naming the file', () => {
    for (const code of ['ENOENT', 'EACCES', 'EISDIR', 'EPERM']) {
      const error = unreadable('po.csv', errno(code));
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toBe(
        `po.csv: cannot be read (${code}): check the path and its permissions`,
      );
    }
  });

  test('any other error is passed on unchanged', () => {
    const other = errno('EMFILE');
    expect(unreadable('po.csv', other)).toBe(other);
  });
});

describe('describeCsvError', () => {
  test('quoting mistakes are explained with what to fix', () => {
    const message = (code: CsvErrorCode) => describeCsvError(new CsvError(code, 'x'));
    expect(message('CSV_QUOTE_NOT_CLOSED')).toMatch(/never closed; check for a stray "/);
    expect(message('CSV_INVALID_CLOSING_QUOTE')).toMatch(/must be doubled/);
    expect(message('INVALID_OPENING_QUOTE')).toMatch(/quote the whole cell/);
    expect(message('CSV_MAX_RECORD_SIZE')).toBe(
      'a record is longer than 1048576 characters; this is not a spreadsheet of changes',
    );
    expect(message('CSV_RECORD_INCONSISTENT_FIELDS_LENGTH')).toBe(
      'the file is not valid CSV (CSV_RECORD_INCONSISTENT_FIELDS_LENGTH)',
    );
  });
});

describe('EncodingError', () => {
  test('names the encoding the bytes are not valid in', () => {
    const error = new EncodingError('utf-8');
    expect(error.message).toBe('the file is not valid utf-8');
    expect(error.encoding).toBe('utf-8');
    expect(error.name).toBe('EncodingError');
  });
});
