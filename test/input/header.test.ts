import { describe, expect, test } from '@jest/globals';
import { InputError } from '../../src/errors.js';
import { matchHeader, normaliseName, RESULTS_FILE_COLUMNS } from '../../src/input/header.js';
import { internalIdentifiers, poNumbers } from '../../src/kinds.js';
import { resultsHeader } from '../../src/results/results-writer.js';

function refusal(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('matchHeader', () => {
  test('names match ignoring case, spaces, underscores and hyphens', () => {
    expect(normaliseName('Customer ID')).toBe('customerid');
    expect(normaliseName('customer_id')).toBe('customerid');
    expect(normaliseName('PO-Number')).toBe('ponumber');
    const header = matchHeader(['PO Number', 'customer_id', 'Subscription-ID'], poNumbers, 'f.csv');
    expect(header.indexes).toEqual([1, 2, 0]);
  });

  test('run detects the kind from the header', () => {
    expect(matchHeader(['customerId', 'subscriptionId', 'poNumber'], undefined, 'f.csv').kind).toBe(
      poNumbers,
    );
    expect(matchHeader(['Customer Id', 'Reseller Id', 'Internal Identifier'], undefined, 'f.csv').kind).toBe(
      internalIdentifiers,
    );
  });

  test('extra columns are listed with their names as written, empty header cells are not', () => {
    const header = matchHeader(['Note', 'customerId', 'subscriptionId', 'poNumber', ''], poNumbers, 'f.csv');
    expect(header.extras).toEqual([{ name: 'Note', index: 0 }]);
    expect(header.width).toBe(5);
  });

  test('a missing column is named with what was found and the nearest match', () => {
    const error = refusal(() =>
      matchHeader(['customerId', 'subscriptionId', 'PO Nmber'], poNumbers, 'orders.csv'),
    );
    expect(error.message).toContain('orders.csv, line 1');
    expect(error.message).toContain('missing poNumber (did you mean "PO Nmber"?)');
    expect(error.message).toContain('Found "customerId", "subscriptionId", "PO Nmber"');
  });

  test('an unknown header under run names both kinds', () => {
    const error = refusal(() => matchHeader(['a', 'b'], undefined, 'x.csv'));
    expect(error.message).toContain(
      'customerId, subscriptionId, poNumber or customerId, resellerId, internalIdentifier',
    );
  });

  test('a duplicated column is refused with both positions', () => {
    const error = refusal(() =>
      matchHeader(['customerId', 'Customer ID', 'subscriptionId', 'poNumber'], poNumbers, 'x.csv'),
    );
    expect(error.message).toContain('customerId column 2 times (columns 1 and 2)');
    expect(error.column).toBe(2);
  });

  test('a header with the columns of both kinds is ambiguous under run', () => {
    const cells = ['customerId', 'subscriptionId', 'poNumber', 'resellerId', 'internalIdentifier'];
    expect(refusal(() => matchHeader(cells, undefined, 'x.csv')).message).toContain('columns of both kinds');
    expect(matchHeader(cells, poNumbers, 'x.csv').extras.map((e) => e.name)).toEqual([
      'resellerId',
      'internalIdentifier',
    ]);
  });
});

describe('header messages', () => {
  test('quote found names safely: control characters escaped, long lists cut short', () => {
    const error = refusal(() =>
      matchHeader(
        ['cust\u001b[31mRED', 'x\u0007y', ...Array.from({ length: 4000 }, (_, i) => `c${i}`)],
        poNumbers,
        'x.csv',
      ),
    );
    expect([...error.message].some((ch) => ch.charCodeAt(0) < 0x20)).toBe(false);
    expect(error.message).toContain('"cust\\u001b[31mRED", "x\\u0007y"');
    expect(error.message).toContain('and 3992 more');
    expect(error.message.length).toBeLessThan(600);
  });

  test('a results file given back as input is refused, with what to do instead', () => {
    for (const kind of [poNumbers, internalIdentifiers]) {
      const header = resultsHeader(kind, ['Comment']);
      // The columns told apart here are the results writer's own.
      expect(RESULTS_FILE_COLUMNS.every((c) => header.map(normaliseName).includes(c))).toBe(true);
      const error = refusal(() => matchHeader(header, undefined, 'orders.results.csv', 2));
      expect(error.message).toMatch(
        /^orders\.results\.csv, line 2: is a results file written by cloudcockpit-bulk/,
      );
      expect(error.message).toContain(
        'Run the original input file instead, with --resume and --out naming this results file',
      );
      expect(error.message).not.toContain('\n');
    }
    // An input that only shares a column or two with a results file is read as usual.
    expect(
      matchHeader(['line', 'status', 'customerId', 'subscriptionId', 'poNumber'], poNumbers, 'f.csv').kind,
    ).toBe(poNumbers);
  });
});
