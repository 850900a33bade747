export * as RenderCache from "./render-cache";

import { StatusPageEntity } from "./entity";
import { snapshot, type Snapshot } from "./snapshot";

/**
 * The public side's in-process cache: one snapshot per page, valid for the page version it was
 * read at and for the clock minute (the bars and "active" maintenance change at most once a
 * minute). Every write that changes a page bumps its version (StatusPage.update and touch), and
 * the public function may run in another container than the write, so every request re-reads the
 * version: one strongly consistent read of the page item, shared by concurrent requests for the
 * slug. That read also brings who may see the page (visibility, password hash), so making a page
 * protected or changing its password counts from the next request, old cookies included.
 * Everything rendered from a snapshot (HTML, JSON, feeds, badges) is memoised on its entry, so a
 * render happens once per snapshot.
 */

const MAX_ENTRIES = 500;

export interface Entry {
  slug: string;
  pageId: string;
  version: number;
  minute: number;
  checkedAt: number;
  snapshot: Snapshot;
  memo: Map<string, unknown>;
}

const entries = new Map<string, Entry>();
const inflight = new Map<string, Promise<Entry | undefined>>();

/** How often the cache went to the table, for tests and the bench. */
export const stats = { snapshots: 0, versionChecks: 0, renders: 0 };

export function clear() {
  entries.clear();
  inflight.clear();
  Object.assign(stats, { snapshots: 0, versionChecks: 0, renders: 0 });
}

const minuteOf = (t: number) => Math.floor(t / 60_000);

// a page's version and who may see it, as of now (strongly consistent)
async function currentOf(pageId: string) {
  const { data } = await StatusPageEntity.get({ pageId }).go({ consistent: true, attributes: ["pageId", "slug", "version", "visibility", "passwordHash"] });
  return data ?? undefined;
}

/** The current snapshot of the page a slug names, or undefined when no status page has it. */
export async function get(slug: string, now = Date.now()): Promise<Entry | undefined> {
  const key = slug.toLowerCase();
  const cached = entries.get(key);
  const minute = minuteOf(now);
  let pending = inflight.get(key);
  if (!pending) {
    pending = refresh(key, cached, minute, now).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  return pending;
}

async function refresh(slug: string, cached: Entry | undefined, minute: number, now: number): Promise<Entry | undefined> {
  if (cached && cached.minute === minute) {
    stats.versionChecks++;
    const v = await currentOf(cached.pageId);
    if (v && v.slug === slug && v.version === cached.version) {
      cached.checkedAt = now;
      return cached;
    }
  }
  stats.snapshots++;
  const snap = await snapshot(slug, now);
  if (!snap) {
    entries.delete(slug);
    return undefined;
  }
  // The snapshot's reads are eventually consistent: who may see the page comes from a strong read,
  // and an entry older than that read keeps the older version, so the next request reads again.
  const v = await currentOf(snap.page.pageId);
  if (!v || v.slug !== slug) {
    entries.delete(slug);
    return undefined;
  }
  snap.page = { ...snap.page, visibility: v.visibility, passwordHash: v.passwordHash };
  const version = Math.min(snap.page.version, v.version);
  const entry: Entry = { slug, pageId: snap.page.pageId, version, minute, checkedAt: now, snapshot: snap, memo: new Map() };
  entries.delete(slug);
  entries.set(slug, entry);
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  return entry;
}

/** What `build` makes from this entry's snapshot, built once per entry and key. */
export function memo<T>(entry: Entry, key: string, build: () => T): T {
  if (!entry.memo.has(key)) {
    stats.renders++;
    entry.memo.set(key, build());
  }
  return entry.memo.get(key) as T;
}
