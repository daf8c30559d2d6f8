import { describe, expect, test } from '@jest/globals';
import type { FieldError } from '../../src/simulator/error-styles.js';
import { pageOf, readPage } from '../../src/simulator/paging.js';

const page = (search: string) => {
  const errors: FieldError[] = [];
  return { page: readPage(new URLSearchParams(search), errors), errors };
};

describe('readPage', () => {
  test('without a query it is the first page of 25', () => {
    expect(page('').page).toEqual({ pageNumber: 1, pageSize: 25 });
  });

  test('pageSize 1 and 2000 are served, and the names match in any case', () => {
    expect(page('pageSize=1&pageNumber=3').page).toEqual({ pageNumber: 3, pageSize: 1 });
    expect(page('PAGESIZE=2000').page).toEqual({ pageNumber: 1, pageSize: 2000 });
  });

  test.each([
    ['pageSize=0', 'pageSize', /between 1 and 2000/],
    ['pageSize=2001', 'pageSize', /between 1 and 2000/],
    ['pageNumber=0', 'pageNumber', /1 or more/],
    ['pageNumber=two', 'pageNumber', /'two' is not valid/],
    ['pageSize=2.5', 'pageSize', /'2.5' is not valid/],
  ])('%s is refused, naming %s', (search, propertyName, words) => {
    const { page: read, errors } = page(search);
    expect(read).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]?.propertyName).toBe(propertyName);
    expect(errors[0]?.description[0]).toMatch(words);
  });
});

describe('pageOf', () => {
  const items = Array.from({ length: 7 }, (_, i) => i);

  test('cuts the page and fills the documented envelope', () => {
    expect(pageOf(items, { pageNumber: 2, pageSize: 3 })).toEqual({
      items: [3, 4, 5],
      paginationParameters: { pageNumber: 2, pageSize: 3 },
      totalPages: 3,
      totalCount: 7,
      hasPreviousPage: true,
      hasNextPage: true,
      continuationToken: null,
    });
  });

  test('the last page is short and has no next page; past it there are no items', () => {
    expect(pageOf(items, { pageNumber: 3, pageSize: 3 })).toMatchObject({ items: [6], hasNextPage: false });
    expect(pageOf(items, { pageNumber: 9, pageSize: 3 })).toMatchObject({ items: [], totalCount: 7 });
  });

  test('an empty list has no pages', () => {
    expect(pageOf([], { pageNumber: 1, pageSize: 25 })).toMatchObject({
      items: [],
      totalPages: 0,
      totalCount: 0,
      hasPreviousPage: false,
      hasNextPage: false,
    });
  });
});
