export * as StatusPage from "./status-page";

import { z } from "zod";
import { CheckResult } from "../check/result";
import { escapeHtml } from "../platform/html";
import { IncidentEntity, type IncidentItem } from "../incident/incident";
import type { MonitorItem } from "../monitors/entity";
import { STATUSES } from "../monitors/fields";
import { MonitorRead } from "../monitors/read";
import { status as monitorStatus } from "../monitors/view";
import { History } from "../history/history";
import { RollupJob } from "../history/rollup-job";
import { metered, type Meter } from "../platform/metering";
import { DAY, floorTo } from "../platform/time";
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
export function dailyAggs(pieces: { start: number; agg: Stats.Agg }[], firstDay: number): Stats.Agg[] {
  const days = Array.from({ length: DAYS }, () => Stats.emptyAgg());
  for (const p of pieces) {
    const i = Math.floor((p.start - firstDay) / DAY);
    if (i >= 0 && i < DAYS) Stats.mergeAgg(days[i]!, p.agg);
  }
  return days;
}

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
  const firstDay = floorTo(now, DAY) - (DAYS - 1) * DAY;
  const mark = await RollupJob.watermark(opts.meter);
  const [daily, lastDay, incidents] = await Promise.all([
    History.read(m, firstDay, now, { coarsest: "day", watermark: mark, meter: opts.meter }),
    History.read(m, now - DAY, now, { coarsest: "hour", watermark: mark, meter: opts.meter }),
    recentIncidents(m.monitorId, now - DAYS * DAY, now, opts.meter),
  ]);
  const last = lastDay.latest ?? daily.latest ?? (await CheckResult.lastOf(m.monitorId, metered(opts.meter)));

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


const STATUS_TEXT: Record<View["status"], string> = {
  up: "Operational",
  down: "Down",
  pending: "Waiting for the first check",
  paused: "Paused: not being checked",
};

/** Bar colour classes; the text next to each bar says the same, so colour is never the only cue. */
function dayClass(uptime: number | null): string {
  if (uptime === null) return "none";
  if (uptime >= 99.9) return "good";
  if (uptime >= 99) return "fair";
  if (uptime >= 95) return "poor";
  return "bad";
}

const pct = (v: number | null) => (v === null ? "no data" : `${v.toFixed(v === 100 ? 0 : 2)}%`);

function duration(ms: number): string {
  const min = Math.round(ms / 60000);
  if (min < 1) return "under a minute";
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
}

const STYLE = `
:root{color-scheme:light dark;--good:#2e7d32;--fair:#9e9d24;--poor:#ef6c00;--bad:#c62828;--none:#9e9e9e}
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:52rem;padding:1rem}
.banner{border-radius:.5rem;padding:1rem 1.25rem;color:#fff;font-size:1.25rem;font-weight:600}
.banner.up{background:var(--good)}.banner.down{background:var(--bad)}.banner.paused,.banner.pending{background:#546e7a}
.bars{display:flex;gap:2px;list-style:none;padding:0;margin:.5rem 0;height:2.5rem}
.bars li{flex:1;border-radius:2px}
.good{background:var(--good)}.fair{background:var(--fair)}.poor{background:var(--poor)}.bad{background:var(--bad)}.none{background:var(--none)}
.legend{display:flex;justify-content:space-between;font-size:.85rem}
dl.uptime{display:grid;grid-template-columns:repeat(4,1fr);gap:.5rem;margin:1rem 0}
dl.uptime div{border:1px solid #8884;border-radius:.5rem;padding:.5rem}
dl.uptime dt{font-size:.85rem}dl.uptime dd{margin:0;font-size:1.25rem;font-weight:600}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
footer{margin-top:2rem;font-size:.85rem}
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

export function renderHtml(v: View): string {
  const bars = v.days
    .map((d) => {
      const label = `${d.date}: ${pct(d.uptimePercent)}${d.checks ? ` of ${d.checks} checks` : ""}`;
      return `<li class="${dayClass(d.uptimePercent)}" title="${escapeHtml(label)}"><span class="sr-only">${escapeHtml(label)}</span></li>`;
    })
    .join("");
  const windows = WINDOWS.map((w) => `<div><dt>Last ${escapeHtml(w)}</dt><dd>${escapeHtml(pct(v.uptime[w]))}</dd></div>`).join("");
  const incidents = v.incidents.length
    ? `<ul>${v.incidents
        .map((i) => {
          const when = `<time datetime="${escapeHtml(i.startedAt)}">${escapeHtml(i.startedAt.replace("T", " ").slice(0, 16))} UTC</time>`;
          const what =
            i.status === "open"
              ? "Ongoing"
              : `Resolved after ${escapeHtml(duration(i.durationMs ?? 0))}`;
          return `<li>${when}: ${what} (${escapeHtml(i.reason.replace(/_/g, " "))})</li>`;
        })
        .join("")}</ul>`
    : "<p>No incidents in the last 90 days.</p>";
  const checked = v.lastCheckedAt
    ? `Last checked <time datetime="${escapeHtml(v.lastCheckedAt)}">${escapeHtml(v.lastCheckedAt.replace("T", " ").slice(0, 19))} UTC</time>.`
    : "Not checked yet.";
  return page(
    `${v.name}: ${STATUS_TEXT[v.status]}`,
    `<header><h1>${escapeHtml(v.name)}</h1></header>
<main>
<p class="banner ${escapeHtml(v.status)}" role="status">${escapeHtml(STATUS_TEXT[v.status])}</p>
<section aria-labelledby="uptime-h">
<h2 id="uptime-h">Uptime</h2>
<dl class="uptime">${windows}</dl>
<ol class="bars" aria-label="Daily uptime, last ${DAYS} days, oldest first">${bars}</ol>
<div class="legend" aria-hidden="true"><span>${DAYS} days ago</span><span>Today</span></div>
</section>
<section aria-labelledby="incidents-h">
<h2 id="incidents-h">Recent incidents</h2>
${incidents}
</section>
</main>
<footer><p>${checked} Page generated <time datetime="${escapeHtml(v.generatedAt)}">${escapeHtml(v.generatedAt.replace("T", " ").slice(0, 19))} UTC</time>.</p></footer>`,
  );
}

export function renderNotFound(): string {
  return page("Status page not found", `<main><h1>Status page not found</h1><p>No status page has this address.</p></main>`);
}

// ---------- badge ----------

const BADGE_COLORS = { up: "#4c1", down: "#e05d44", paused: "#9f9f9f", pending: "#9f9f9f" } as const;

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
