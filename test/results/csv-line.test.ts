import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { csvRecord, RECORD_END } from '../../src/results/csv-line.js';

const csvLine = (cells: string[]): string => `${csvRecord(cells)}${RECORD_END}`;

/** What csv-stringify writes for one record with the results file's options. */
const stringified = (cells: string[]): string => stringify([cells], { record_delimiter: 'windows' });

describe('csvRecord', () => {
  test('plain cells are written as they are, joined by commas, with a CRLF', () => {
    expect(csvLine(['2', 'abc', '', 'valid'])).toBe('2,abc,,valid\r\n');
  });

  test('a cell with a comma, a quote or a CRLF is quoted, its quotes doubled', () => {
    expect(csvLine(['a,b', 'say "hi"', 'x\r\ny', "'=1"])).toBe(`"a,b","say ""hi""","x\r\ny",'=1\r\n`);
  });

  test('every line is the one csv-stringify writes with the same options', () => {
    const tricky = [
      '',
      ' ',
      ',',
      '"',
      '""',
      '\r',
      '\n',
      '\r\n',
      'a\r',
      '\na',
      ';',
      '\t',
      "'",
      '=1',
      'é',
      '😀',
    ];
    expect(csvLine(tricky)).toBe(stringified(tricky));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.constantFrom(...tricky), fc.string({ unit: 'binary' })), {
          minLength: 1,
          maxLength: 12,
        }),
        (cells) => expect(csvLine(cells)).toBe(stringified(cells)),
      ),
    );
  });
});
