export * as PageFeeds from "./feeds";

import { escapeHtml as x } from "../platform/html";
import type { MaintenanceItem, PostedIncidentItem } from "./entity";
import type { Snapshot } from "./snapshot";

/**
 * Atom and RSS 2.0 feeds of a page's incidents and maintenance (those the snapshot holds: the
 * unresolved, the upcoming and the last 90 days), newest change first. One entry per incident or
 * maintenance, its content the whole timeline, `updated` its latest change, so readers show a
 * changed entry again.
 */

const FEED_LIMIT = 50;

interface Item {
  id: string;
  title: string;
  link: string;
  published: number;
  updated: number;
  html: string;
}

const iso = (t: number) => new Date(t).toISOString();

function timelineHtml(updates: { status: string; message: string; at: number }[]) {
  return [...updates]
    .reverse()
    .map((u) => `<p><strong>${x(u.status.replace(/_/g, " "))}</strong> (${iso(u.at)}): ${x(u.message)}</p>`)
    .join("");
}

function items(s: Snapshot, pageUrl: string): Item[] {
  const fromIncident = (i: PostedIncidentItem): Item => ({
    id: `${pageUrl}#incident-${i.incidentId}`,
    title: `${i.title} (${i.status})`,
    link: `${pageUrl}#incident-${i.incidentId}`,
    published: i.startedAt,
    updated: Math.max(i.updatedAt, ...i.updates.map((u) => u.editedAt ?? u.at)),
    html: timelineHtml(i.updates),
  });
  const fromMaintenance = (m: MaintenanceItem): Item => ({
    id: `${pageUrl}#maintenance-${m.maintenanceId}`,
    title: `Maintenance: ${m.title} (${m.status.replace(/_/g, " ")})`,
    link: `${pageUrl}#maintenance-${m.maintenanceId}`,
    published: m.createdAt,
    updated: m.updatedAt,
    html: `<p>Scheduled ${iso(m.startsAt)} to ${iso(m.endsAt)}</p>${timelineHtml(m.updates)}`,
  });
  return [...s.incidents.map(fromIncident), ...s.maintenance.map(fromMaintenance)].sort((a, b) => b.updated - a.updated).slice(0, FEED_LIMIT);
}

export function atom(s: Snapshot, pageUrl: string): string {
  const list = items(s, pageUrl);
  const updated = Math.max(s.page.updatedAt, ...list.map((i) => i.updated));
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>${x(pageUrl)}</id><title>${x(s.page.title)} status</title><updated>${iso(updated)}</updated>
<link rel="alternate" type="text/html" href="${x(pageUrl)}"/><link rel="self" type="application/atom+xml" href="${x(pageUrl)}/feed.atom"/>
${list
  .map(
    (i) => `<entry><id>${x(i.id)}</id><title>${x(i.title)}</title><link rel="alternate" href="${x(i.link)}"/>
<published>${iso(i.published)}</published><updated>${iso(i.updated)}</updated><author><name>${x(s.page.title)}</name></author>
<content type="html">${x(i.html)}</content></entry>`,
  )
  .join("\n")}
</feed>`;
}

export function rss(s: Snapshot, pageUrl: string): string {
  const list = items(s, pageUrl);
  const rfc822 = (t: number) => new Date(t).toUTCString();
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>${x(s.page.title)} status</title><link>${x(pageUrl)}</link><description>${x(s.page.description ?? `Incidents and maintenance of ${s.page.title}`)}</description>
<atom:link href="${x(pageUrl)}/feed.rss" rel="self" type="application/rss+xml"/>
<lastBuildDate>${rfc822(s.generatedAt)}</lastBuildDate>
${list
  .map(
    (i) => `<item><title>${x(i.title)}</title><link>${x(i.link)}</link><guid isPermaLink="false">${x(i.id)}</guid>
<pubDate>${rfc822(i.published)}</pubDate><description>${x(i.html)}</description></item>`,
  )
  .join("\n")}
</channel></rss>`;
}
