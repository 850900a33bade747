export * as RenderCache from "./render-cache";

import { SlugClaimEntity } from "../monitors/entity";
import { StatusPageEntity } from "./entity";
import { snapshot, type Snapshot } from "./snapshot";

/**
 * The public side's in-process cache: one snapshot per page, valid for the page version it was
 * read at and for the clock minute (the bars and "active" maintenance change at most once a
 * minute). Within a minute the version is re-read at most every VERSION_CHECK_MS (two small
 * reads); concurrent requests for a slug share one read. Everything rendered from a snapshot
 * (HTML, JSON, feeds, badges) is memoised on its entry, so a render happens once per snapshot.
 */

export const VERSION_CHECK_MS = 10_000;
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

// the page a slug names and its version: the slug claim, then the page (eventually consistent, a second stale at most)
async function versionOf(slug: string): Promise<{ pageId: string; version: number } | undefined> {
  const { data: claim } = await SlugClaimEntity.get({ slug }).go();
  if (!claim?.pageId) return undefined;
  const { data: page } = await StatusPageEntity.get({ pageId: claim.pageId }).go({ attributes: ["pageId", "slug", "version"] });
  return page && page.slug === slug ? { pageId: page.pageId, version: page.version } : undefined;
}

/** The current snapshot of the page a slug names, or undefined when no status page has it. */
export async function get(slug: string, now = Date.now()): Promise<Entry | undefined> {
  const key = slug.toLowerCase();
  const cached = entries.get(key);
  const minute = minuteOf(now);
  if (cached && cached.minute === minute && now - cached.checkedAt < VERSION_CHECK_MS) return cached;
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
    const v = await versionOf(slug);
    if (v && v.pageId === cached.pageId && v.version === cached.version) {
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
  const entry: Entry = { slug, pageId: snap.page.pageId, version: snap.page.version, minute, checkedAt: now, snapshot: snap, memo: new Map() };
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
