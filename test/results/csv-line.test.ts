import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
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

  test('a lone CR or LF is quoted: unquoted, it split the row (csv-stringify with CRLF records does not quote it)', () => {
    expect(csvLine(['PO\nx', 'a\rb', 'ok'])).toBe('"PO\nx","a\rb",ok\r\n');
    expect(parse(csvLine(['2', 'PO\nx', 'valid']))).toEqual([['2', 'PO\nx', 'valid']]);
  });

  test('any cells are read back by csv-parse as the one record they were (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.string(), fc.constantFrom('\r', '\n', '\r\n', '"', ','), fc.string({ unit: 'binary' })),
          {
            minLength: 2,
            maxLength: 12,
          },
        ),
        (cells) => expect(parse(csvLine(cells), { relax_column_count: true })).toEqual([cells]),
      ),
    );
  });

  test('every line without a lone CR or LF is the one csv-stringify writes with the same options', () => {
    const tricky = ['', ' ', ',', '"', '""', '\r\n', ';', '\t', "'", '=1', 'é', '😀'];
    expect(csvLine(tricky)).toBe(stringified(tricky));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.constantFrom(...tricky), fc.string({ unit: 'binary' })), {
          minLength: 1,
          maxLength: 12,
        }),
        (cells) => {
          fc.pre(cells.every((c) => !/\r(?!\n)|(?<!\r)\n/.test(c)));
          expect(csvLine(cells)).toBe(stringified(cells));
        },
      ),
    );
  });
});
