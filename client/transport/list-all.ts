/**
 * Every item of a collection, page by page: a list with `limit` answers at most that many items and a
 * `continue` token for the rest, and whatever decides on a collection must see all of it.
 */
import type { ApiClient } from './api-client.js';
import type { Manifest } from './resources.js';

/** Items per page: big enough that most kinds come in one answer, small enough to keep answers quick. */
export const PAGE_SIZE = 500;

interface ListPage {
  readonly items: Manifest[];
  readonly metadata?: { readonly continue?: string };
}

/** Every item at `path` that `query` selects, read in pages of `pageSize`. */
export async function listAll(
  api: ApiClient,
  path: string,
  query: Readonly<Record<string, string | number | boolean | undefined>> = {},
  pageSize = PAGE_SIZE,
): Promise<Manifest[]> {
  const items: Manifest[] = [];
  let next: string | undefined;
  do {
    const page = await api.request<ListPage>({ path, query: { ...query, limit: pageSize, continue: next } });
    items.push(...page.items);
    next = page.metadata?.continue || undefined;
  } while (next);
  return items;
}
