export * as PublicView from "./public-view";

import { VisibleError } from "../platform/errors";
import { MaintenanceEntity, PostedIncidentEntity, type MaintenanceItem, type PostedIncidentItem } from "./entity";
import { PageBadges } from "./badges";
import { PageFeeds } from "./feeds";
import { RenderCache, type Entry } from "./render-cache";
import { StatusPageHtml, type History } from "./render";
import { StatuspageJson, type Document } from "./statuspage-json";
import { Uptime } from "./uptime";
import { DAY } from "../platform/time";

/**
 * The public surface of a status page, each representation built at most once per cached
 * snapshot (render-cache.ts): the HTML page (per history month), the Statuspage v2 JSON
 * documents, the feeds and the badges.
 */

export { RenderCache, type Entry };
export const DOCUMENTS = StatuspageJson.DOCUMENTS;
export type { Document };

export const load = (slug: string, now = Date.now()) => RenderCache.get(slug, now);

const monthOf = (t: number) => new Date(t).toISOString().slice(0, 7);
function shiftMonth(month: string, by: number) {
  const d = new Date(`${month}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + by);
  return monthOf(d.getTime());
}

/** A `?month=YYYY-MM` of the page's history, not after this month (one before the page existed gets a page saying so). */
export function parseMonth(e: Entry, month: string | undefined): string {
  const current = monthOf(e.snapshot.generatedAt);
  if (month === undefined || month === "") return current;
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month) || month > current) {
    throw new VisibleError("invalid", "invalid_month", `month must be YYYY-MM, ${current} or earlier`);
  }
  return month;
}

/** The months a visitor can pick, newest first: this one back to the page's first, a year at most. */
function monthsOf(e: Entry): string[] {
  const first = monthOf(e.snapshot.page.createdAt);
  const out = [monthOf(e.snapshot.generatedAt)];
  while (out.length < 12 && shiftMonth(out[out.length - 1]!, -1) >= first) out.push(shiftMonth(out[out.length - 1]!, -1));
  return out;
}

// a page's incidents and maintenance that started in one month (older than the snapshot's 90 days)
async function monthFromTable(pageId: string, from: number, to: number) {
  const [incidents, maintenance] = await Promise.all([
    PostedIncidentEntity.query.byStart({ pageId }).between({ startedAt: from }, { startedAt: to - 1 }).go({ pages: "all" }),
    MaintenanceEntity.query.byStart({ pageId }).between({ startsAt: from }, { startsAt: to - 1 }).go({ pages: "all" }),
  ]);
  return { incidents: incidents.data as PostedIncidentItem[], maintenance: maintenance.data as MaintenanceItem[] };
}

async function historyOf(e: Entry, month: string): Promise<History> {
  const s = e.snapshot;
  const first = monthOf(s.page.createdAt);
  if (month < first) return { month, incidents: [], maintenance: [], next: first, startedIn: first, months: monthsOf(e) };
  const from = Date.parse(`${month}-01T00:00:00Z`);
  const to = Date.parse(`${shiftMonth(month, 1)}-01T00:00:00Z`);
  const since = s.generatedAt - Uptime.DAYS * DAY;
  const inMonth = (t: number) => t >= from && t < to;
  const found =
    from >= since
      ? { incidents: s.incidents.filter((i) => inMonth(i.startedAt)), maintenance: s.maintenance.filter((m) => inMonth(m.startsAt)) }
      : await monthFromTable(s.page.pageId, from, to);
  const previous = shiftMonth(month, -1);
  const next = shiftMonth(month, 1);
  return {
    month,
    ...found,
    previous: previous >= monthOf(s.page.createdAt) ? previous : undefined,
    next: next <= monthOf(s.generatedAt) ? next : undefined,
    months: monthsOf(e),
  };
}

export function html(e: Entry, base: string, month: string): Promise<string> {
  return RenderCache.memo(e, `html:${base}:${month}`, async () => StatusPageHtml.renderPage(e.snapshot, { base, history: await historyOf(e, month) }));
}

export function json(e: Entry, doc: Document, pageUrl: string): string {
  return RenderCache.memo(e, `json:${doc}:${pageUrl}`, () => JSON.stringify(StatuspageJson.document(e.snapshot, doc, pageUrl)));
}

export function feed(e: Entry, kind: "atom" | "rss", pageUrl: string): string {
  return RenderCache.memo(e, `feed:${kind}:${pageUrl}`, () => (kind === "atom" ? PageFeeds.atom(e.snapshot, pageUrl) : PageFeeds.rss(e.snapshot, pageUrl)));
}

/** The page's badge, or a component's; undefined for a component the page does not have. */
export function badge(e: Entry, componentId?: string) {
  return RenderCache.memo(e, `badge:${componentId ?? ""}`, () => {
    const b = componentId === undefined ? PageBadges.forPage(e.snapshot) : PageBadges.forComponent(e.snapshot, componentId);
    return b && { svg: PageBadges.svg(b), shields: JSON.stringify(PageBadges.shields(b)) };
  });
}
