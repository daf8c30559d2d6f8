/**
 * The paged list calls' query (`pageNumber`, `pageSize`) and answer envelope, as the API documents
 * them: `{items, paginationParameters: {pageNumber, pageSize}, totalPages, totalCount,
 * hasPreviousPage, hasNextPage, continuationToken}`.
 */
import type { FieldError } from './error-styles.js';
import { queryValue } from './routes.js';

/** Which page a list call asks for. */
export interface Page {
  readonly pageNumber: number;
  readonly pageSize: number;
}

/** The page size when none is asked for. */
export const DEFAULT_PAGE_SIZE = 25;
/** The largest page the API serves. */
export const MAX_PAGE_SIZE = 2000;

/** One page of a list, in the documented envelope. */
export interface Paged<T> {
  items: T[];
  paginationParameters: Page;
  totalPages: number;
  totalCount: number;
  hasPreviousPage: boolean;
  hasNextPage: boolean;
  /** Documented but never seen filled; the simulator pages by number only, so it is always null. */
  continuationToken: string | null;
}

/** The page the query asks for (pageNumber from 1, default 1; pageSize 1..2000, default 25), or records why not. */
export function readPage(query: URLSearchParams, errors: FieldError[]): Page | undefined {
  const before = errors.length;
  const pageNumber = whole(query, 'pageNumber', 1, errors);
  const pageSize = whole(query, 'pageSize', DEFAULT_PAGE_SIZE, errors);
  if (pageNumber !== undefined && pageNumber < 1) {
    errors.push({ propertyName: 'pageNumber', description: ['The field pageNumber must be 1 or more.'] });
  }
  if (pageSize !== undefined && (pageSize < 1 || pageSize > MAX_PAGE_SIZE)) {
    const message = `The field pageSize must be between 1 and ${MAX_PAGE_SIZE}.`;
    errors.push({ propertyName: 'pageSize', description: [message] });
  }
  if (errors.length > before || pageNumber === undefined || pageSize === undefined) return undefined;
  return { pageNumber, pageSize };
}

/** A whole-number query parameter, or `fallback` when absent; records an error when it is not a number. */
function whole(
  query: URLSearchParams,
  name: string,
  fallback: number,
  errors: FieldError[],
): number | undefined {
  const text = queryValue(query, name);
  if (text === undefined) return fallback;
  if (/^-?\d{1,9}$/.test(text)) return Number(text);
  errors.push({ propertyName: name, description: [`The value '${text}' is not valid for ${name}.`] });
  return undefined;
}

/** The page of `all` that `page` names, in the envelope; past the last page, no items. */
export function pageOf<T>(all: readonly T[], page: Page): Paged<T> {
  const start = (page.pageNumber - 1) * page.pageSize;
  const totalPages = Math.ceil(all.length / page.pageSize);
  return {
    items: all.slice(start, start + page.pageSize),
    paginationParameters: { pageNumber: page.pageNumber, pageSize: page.pageSize },
    totalPages,
    totalCount: all.length,
    hasPreviousPage: page.pageNumber > 1,
    hasNextPage: page.pageNumber < totalPages,
    continuationToken: null,
  };
}
