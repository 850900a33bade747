export * as StatusPage from "./status-page";

import { z } from "zod";
import { CheckResult } from "../check/result";
import { escapeHtml } from "../platform/html";
import { IncidentEntity, type IncidentItem } from "../incident/incident";
import type { MonitorItem } from "../monitors/entity";
import { STATUSES } from "../monitors/shape";
import { MonitorRead } from "../monitors/read";
import { status as monitorStatus } from "../monitors/view";
import { History } from "../history/history";
import { LiveStatus } from "../history/live-status";
import { RollupJob } from "../history/rollup-job";
import { metered, type Meter } from "../platform/metering";
import { DAY } from "../platform/time";
import { Stats } from "../history/stats";

/**
 * The public face of a monitor that has a slug: JSON, a server-rendered HTML page and an SVG
 * badge. Built from an allow-list of fields: the monitor's name and what it measured, never its
 * URL, headers, body, alert emails, owner or ids. Incident messages stay private too, since
 * they can quote the host name ("could not resolve api.internal.example").
 */

export const DAYS = 90;
export const WINDOWS = ["24h", "7d", "30d", "90d"] as const;
export type Window = (typeof WINDOWS)[number];
const RECENT_INCIDENTS = 10;

export const Day = z.object({
  date: z.string().describe("UTC day, YYYY-MM-DD"),
  uptimePercent: z.number().nullable(),
  checks: z.number(),
  failed: z.number().describe("Failed checks outside scheduled maintenance, which counts as up"),
});

export const PublicIncident = z.object({
  status: z.enum(["open", "resolved"]),
  startedAt: z.string(),
  resolvedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  reason: z.string().describe("Failure class, e.g. timeout or status_mismatch"),
});

export const View = z.object({
  name: z.string(),
  status: z.enum(STATUSES),
  lastCheckedAt: z.string().nullable(),
  generatedAt: z.string(),
  uptime: z.object({
    "24h": z.number().nullable(),
    "7d": z.number().nullable(),
    "30d": z.number().nullable(),
    "90d": z.number().nullable(),
  }),
  days: z.array(Day).describe("The last 90 UTC days, oldest first; today so far is the last"),
  incidents: z.array(PublicIncident).describe("The 10 most recent incidents of the last 90 days, newest first"),
});
export type View = z.infer<typeof View>;

const iso = (t: number) => new Date(t).toISOString();

// a monitor's newest incidents started since `since`
async function recentIncidents(monitorId: string, since: number, now: number, meter?: Meter): Promise<IncidentItem[]> {
  const { data } = await IncidentEntity.query
    .byMonitor({ monitorId })
    .between({ startedAt: since }, { startedAt: now })
    .go({ order: "desc", limit: RECENT_INCIDENTS, ...metered(meter) });
  return data as IncidentItem[];
}

/** The 90 daily aggregates from `firstDay` on, oldest first. */
export const dailyAggs = (pieces: { start: number; agg: Stats.Agg }[], firstDay: number): Stats.Agg[] => LiveStatus.perDay(pieces, firstDay, DAYS);

/** Failed checks outside scheduled maintenance: maintenance counts as up, as on organisation status pages. */
const downChecks = (a: Stats.Agg) => a.failures - (a.maintenanceFailures ?? 0);
export const uptimeOf = (a: Stats.Agg) => Stats.uptimePercent(a.count, downChecks(a));
export const dayOf = (a: Stats.Agg, start: number): z.infer<typeof Day> => ({
  date: iso(start).slice(0, 10),
  uptimePercent: uptimeOf(a),
  checks: a.count,
  failed: downChecks(a),
});

/** The public view of a monitor; undefined when no monitor has this slug. */
export async function forSlug(slug: string, opts: { now?: number; meter?: Meter } = {}): Promise<View | undefined> {
  const m = await MonitorRead.bySlug(slug);
  return m ? build(m, opts) : undefined;
}

export async function build(m: MonitorItem, opts: { now?: number; meter?: Meter } = {}): Promise<View> {
  const now = opts.now ?? Date.now();
  const firstDay = LiveStatus.firstDayOf(now, DAYS);
  const mark = await RollupJob.watermark(opts.meter);
  const [daily, lastDay, incidents] = await Promise.all([
    History.read(m, firstDay, now, { coarsest: "day", watermark: mark, meter: opts.meter }),
    History.read(m, now - DAY, now, { coarsest: "hour", watermark: mark, meter: opts.meter }),
    recentIncidents(m.monitorId, now - DAYS * DAY, now, opts.meter),
  ]);
  const last = lastDay.latest ?? daily.latest ?? (await CheckResult.lastOf(m, opts.meter));

  const days = dailyAggs(daily.pieces, firstDay);
  const lastDays = (n: number) => Stats.mergeAll(days.slice(DAYS - n));

  return {
    name: m.name,
    status: monitorStatus(m),
    lastCheckedAt: last ? iso(last.at) : null,
    generatedAt: iso(now),
    uptime: {
      "24h": uptimeOf(Stats.mergeAll(lastDay.pieces.map((p) => p.agg))),
      // whole UTC days, today so far included, matching the daily bars
      "7d": uptimeOf(lastDays(7)),
      "30d": uptimeOf(lastDays(30)),
      "90d": uptimeOf(lastDays(90)),
    },
    days: days.map((a, i) => dayOf(a, firstDay + i * DAY)),
    incidents: incidents.map((i) => ({
      status: i.status,
      startedAt: iso(i.startedAt),
      resolvedAt: i.resolvedAt ? iso(i.resolvedAt) : null,
      durationMs: i.durationMs ?? null,
      reason: i.reason,
    })),
  };
}

// ---------- HTML ----------
// The page itself is rendered like every status page: status-pages/monitor-page.ts.

// ---------- badge ----------

const BADGE_COLORS = { up: "#4c1", down: "#e05d44", degraded: "#dfb317", paused: "#9f9f9f", pending: "#9f9f9f" } as const;

/** Approximate Verdana 11px advance widths, enough to size a shields-style badge. */
function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    if ("iljI.,:;|!'() ".includes(ch)) w += 3.5;
    else if ("mwMW%@".includes(ch)) w += 10;
    else if (/[A-Z]/.test(ch)) w += 7.5;
    else w += 6.6;
  }
  return Math.ceil(w);
}

function uptimeColor(v: number | null): string {
  if (v === null) return "#9f9f9f";
  if (v >= 99.9) return "#4c1";
  if (v >= 99) return "#97ca00";
  if (v >= 95) return "#dfb317";
  return "#e05d44";
}

export function badgeFor(v: View, opts: { type: "status" | "uptime"; range: Window }): { label: string; message: string; color: string } {
  if (opts.type === "uptime") {
    const u = v.uptime[opts.range];
    return { label: `uptime ${opts.range}`, message: u === null ? "no data" : `${u.toFixed(u === 100 ? 0 : 2)}%`, color: uptimeColor(u) };
  }
  return { label: "status", message: v.status, color: BADGE_COLORS[v.status] };
}

/** A flat shields.io-style badge. */
export function badgeSvg(b: { label: string; message: string; color: string }): string {
  const pad = 10;
  const lw = textWidth(b.label) + pad;
  const mw = textWidth(b.message) + pad;
  const total = lw + mw;
  const label = escapeHtml(b.label);
  const message = escapeHtml(b.message);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="20" role="img" aria-label="${label}: ${message}">
<title>${label}: ${message}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="${total}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${escapeHtml(b.color)}"/><rect width="${total}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${label}</text><text x="${lw / 2}" y="14">${label}</text>
<text x="${lw + mw / 2}" y="15" fill="#010101" fill-opacity=".3">${message}</text><text x="${lw + mw / 2}" y="14">${message}</text>
</g>
</svg>`;
}
