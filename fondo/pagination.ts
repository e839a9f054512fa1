/**
 * Walking Fondo's list endpoints page by page.
 *
 * Fondo lists are bare arrays with no next cursor; `start` is the `sortedId` to continue from. The docs do not
 * say whether `start` is inclusive, so the walk works either way:
 * - an item equal to the cursor, and any id already yielded, is dropped (no duplicates, ever);
 * - the walk stops when a page has fewer than `limit` items, or brings nothing new;
 * - `limit` is at least 2, so an inclusive `start` still advances by at least one item per page.
 * Items are assumed to come in ascending `sortedId` order (the next cursor is the last item's `sortedId`).
 * Memory grows with the number of ids yielded (kept for de-duplication).
 */
import { normaliseDateTime } from './wire';

/** A list item that can be paged over. */
export interface Pageable {
  id: string;
  sortedId: string;
}

/** One page to fetch. */
export interface PageRequest {
  /** `sortedId` to continue from; absent for the first page. */
  start?: string;
  limit: number;
}

/** Fetches one page. */
export type PageFetcher<T> = (page: PageRequest) => Promise<readonly T[]>;

/** Page size and optional starting cursor. */
export interface PaginateOptions {
  /** Page size, at least 2. */
  limit: number;
  /** `sortedId` to start after (exclusive in effect: an item equal to it is dropped). */
  start?: string;
}

/** Smallest page size that guarantees progress whether `start` is inclusive or not. */
export const MIN_PAGE_LIMIT = 2;

/**
 * Yields every item of a paged list once, in page order.
 *
 * @example
 * for await (const order of paginate((page) => client.listOrders(clientId, page), { limit: 100 })) { … }
 */
export async function* paginate<T extends Pageable>(
  fetchPage: PageFetcher<T>,
  options: PaginateOptions
): AsyncGenerator<T, void, undefined> {
  const { limit } = options;
  if (!Number.isSafeInteger(limit) || limit < MIN_PAGE_LIMIT) {
    throw new RangeError(`page limit must be an integer of at least ${MIN_PAGE_LIMIT}`);
  }
  const seen = new Set<string>();
  let cursor = options.start;
  for (;;) {
    const page = await fetchPage(cursor === undefined ? { limit } : { start: cursor, limit });
    let fresh = 0;
    for (const item of page) {
      if (item.sortedId === cursor || seen.has(item.id)) continue;
      seen.add(item.id);
      fresh += 1;
      yield item;
    }
    const last = page.at(-1);
    if (page.length < limit || fresh === 0 || last === undefined) return;
    cursor = last.sortedId;
  }
}

/** A list item with a modification time (upper-case ISO UTC, as the schemas produce). */
export interface Modifiable extends Pageable {
  modifiedDate?: string | null;
}

/** Fetches one page of items modified at or after `modifiedFrom`. */
export type ModifiedPageFetcher<T> = (page: PageRequest & { modifiedFrom: string }) => Promise<readonly T[]>;

/**
 * Reconciliation: yields every item modified at or after `modifiedFrom` (any ISO-8601 date-time, sent normalised
 * to upper-case UTC), paging as {@link paginate} does.
 * Items whose `modifiedDate` is earlier are dropped too, in case a server ignores the filter. Callers keep the
 * greatest `modifiedDate` they processed (minus a safety margin) as the next `modifiedFrom`.
 */
export async function* modifiedSince<T extends Modifiable>(
  fetchPage: ModifiedPageFetcher<T>,
  options: PaginateOptions & { modifiedFrom: string }
): AsyncGenerator<T, void, undefined> {
  const modifiedFrom = normaliseDateTime(options.modifiedFrom);
  if (modifiedFrom === undefined) throw new RangeError('modifiedFrom must be an ISO-8601 date-time');
  const fromMs = Date.parse(modifiedFrom);
  const pages = paginate((page) => fetchPage({ ...page, modifiedFrom }), options);
  for await (const item of pages) {
    const modifiedMs = Date.parse(item.modifiedDate ?? '');
    if (!Number.isNaN(modifiedMs) && modifiedMs < fromMs) continue;
    yield item;
  }
}
