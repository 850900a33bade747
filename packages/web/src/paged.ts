import { useEffect, useRef, useState } from "preact/hooks";

/** The API's largest page. */
export const PAGE = 100;

type Page<T> = { data: T[]; cursor: string | null };

/**
 * A list read page by page through the API's cursor. `more` appends the next page; `reload`
 * (after a change) reads again as many pages as are shown, so the list does not shrink under the user.
 */
export function usePaged<T>(fetchPage: (query: { limit: number; cursor?: string }) => Promise<Page<T> | undefined>, deps: unknown[] = []) {
  const [items, setItems] = useState<T[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const pages = useRef(1);
  const latest = useRef(fetchPage);
  latest.current = fetchPage;

  async function reload() {
    let all: T[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < pages.current; n++) {
      const page: Page<T> | undefined = await latest.current({ limit: PAGE, ...(cursor ? { cursor } : {}) });
      if (!page) return;
      all = all.concat(page.data);
      cursor = page.cursor;
      if (!cursor) break;
    }
    setItems(all);
    setNext(cursor);
  }

  async function more() {
    if (!next) return;
    const page = await latest.current({ limit: PAGE, cursor: next });
    if (!page) return;
    pages.current++;
    setItems((shown) => [...(shown ?? []), ...page.data]);
    setNext(page.cursor);
  }

  useEffect(() => {
    pages.current = 1;
    void reload();
  }, deps);

  return { items, hasMore: next !== null, more, reload };
}
