export * as StatusPageHtml from "./render";

import { escapeHtml as h } from "../platform/html";
import type { MaintenanceItem, PostedIncidentItem } from "./entity";
import type { ComponentStatus } from "./shape";
import { statusName } from "./shape";
import { dayText, inZone } from "./time-text";
import { faviconFor, shell, simplePage, type Theme } from "./render-shell";
import { inLayoutOrder, isAutomatic, type Snapshot } from "./snapshot";
import type { Uptime } from "./uptime";

export { CSP, SCRIPT_SRC } from "./render-shell";

/**
 * The server-rendered status page: banner, active incidents with their timelines, maintenance in
 * progress and upcoming, groups (collapsible <details>) of components with 90-day bars, the
 * incident history of one month, and the subscribe form. Everything user-written is escaped.
 */

export interface History {
  month: string; // YYYY-MM
  incidents: PostedIncidentItem[];
  maintenance: MaintenanceItem[];
  previous?: string;
  next?: string;
  /** The page's first month, set when `month` is before it: nothing to list, say so. */
  startedIn?: string;
  /** Months with a link, newest first: this month back to the page's first (at most a year). */
  months: string[];
  /** Instead of "History: <month>" (a monitor's page lists its last 90 days). */
  heading?: string;
  empty?: string;
}

/** What a monitor's own page adds: its state in words, uptime per window, when it was last checked; no subscriptions or feeds. */
export interface MonitorExtras {
  state: string;
  uptime: { label: string; value: number | null }[];
  lastCheckedAt?: number;
  links: { label: string; href: string }[];
}

const LABEL: Record<ComponentStatus, string> = {
  operational: "Operational",
  degraded_performance: "Degraded performance",
  partial_outage: "Partial outage",
  major_outage: "Major outage",
  under_maintenance: "Under maintenance",
};
const INCIDENT_LABEL: Record<string, string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
  scheduled: "Scheduled",
  in_progress: "In progress",
  completed: "Completed",
};

function formatter(timeZone: string) {
  const text = inZone(timeZone);
  return (t: number) => `<time datetime="${new Date(t).toISOString()}">${h(text(t))}</time>`;
}

const LEVEL_CLASS: Record<Uptime.Level, string> = { none: "", up: "up", maintenance: "maint", minor: "minor", major: "major", down: "down" };

const eventText = (e: Uptime.DayEvent) => `${e.kind === "maintenance" ? "Maintenance" : LABEL[e.status]}: ${e.title}`;

/** What a bar says: its day, its uptime, and what happened on it. */
function barText(d: Uptime.Day, today: number) {
  const figure = d.uptime === null ? "no data" : `${d.uptime}% uptime`;
  return `${d.start === today ? "Today, " : ""}${dayText(d.start)}: ${figure}${d.events.map((e) => `. ${eventText(e)}`).join("")}`;
}

/** The bars in one sentence for a screen reader: overall uptime and the days something happened (the newest few). */
function daysSummary(days: Uptime.Day[], uptime: number | null) {
  const eventful = days.filter((d) => d.events.length > 0 || (d.uptime !== null && d.uptime < 99.9)).reverse();
  const shown = eventful.slice(0, 5).map((d) => `${dayText(d.start)}: ${[d.uptime === null ? "" : `${d.uptime}% uptime`, ...d.events.map(eventText)].filter(Boolean).join(", ")}`);
  const more = eventful.length > shown.length ? `; and ${eventful.length - shown.length} earlier days` : "";
  return `Last ${days.length} days: ${uptime === null ? "no data" : `${uptime}% uptime`}. ${
    shown.length ? `Days with incidents, maintenance or failed checks: ${shown.join("; ")}${more}.` : "No incidents, maintenance or failed checks."
  }`;
}

/**
 * 90 bars, one focusable control for all of them: a slider over the days (arrow keys, Home/End,
 * a tap or a hover picks a day and shows its text below), described by a one-sentence summary,
 * so a screen reader hears the summary and one day at a time instead of 90 list items.
 */
function bars(c: { componentId: string; name: string }, days: Uptime.Day[], uptime: number | null) {
  const today = days[days.length - 1]?.start ?? 0;
  const texts = days.map((d) => barText(d, today));
  const items = days.map((d, i) => `<i class="${LEVEL_CLASS[d.level]}" title="${h(texts[i]!)}"></i>`).join("");
  const id = h(c.componentId);
  return `<div class="bars" role="slider" tabindex="0" aria-label="${h(c.name)}: uptime per day" aria-describedby="days-${id}" aria-valuemin="1" aria-valuemax="${days.length}" aria-valuenow="${days.length}" aria-valuetext="${h(texts[texts.length - 1] ?? "")}">${items}</div>
<p class="tip" aria-hidden="true" hidden></p><p class="sr" id="days-${id}">${h(daysSummary(days, uptime))}</p>
<div class="legend" aria-hidden="true"><span>${days.length} days ago</span><span>${uptime === null ? "no data" : `${uptime}% uptime`}</span><span>Today</span></div>`;
}

function component(s: Snapshot, c: Snapshot["components"][number]) {
  const overridden = c.monitorId && c.override ? ` <span class="muted">(set by hand)</span>` : "";
  return `<div class="component"><div class="row"><h3>${h(c.name)}</h3>
<span class="status s-${c.status}" data-component="${h(c.componentId)}" data-status="${c.status}">${LABEL[c.status]}</span>${overridden}</div>
${c.description ? `<div class="muted">${h(c.description)}</div>` : ""}${bars(c, c.days, c.uptime)}</div>`;
}

function group(s: Snapshot, g: Snapshot["groups"][number]) {
  const members = s.components.filter((c) => c.groupId === g.groupId);
  const wrong = g.status !== "operational";
  return `<details class="card"${g.collapsed && !wrong ? "" : " open"}><summary>${h(g.name)} <span class="muted">(${members.length})</span>${
    wrong ? ` <span class="status s-${g.status}" data-component="${h(g.groupId)}" data-status="${g.status}">${LABEL[g.status]}</span>` : ""
  }</summary>${members.map((c) => component(s, c)).join("")}</details>`;
}

function timeline(updates: { status: string; message: string; at: number }[], when: (t: number) => string) {
  return `<ol class="timeline">${[...updates]
    .reverse()
    .map((u) => `<li><strong>${h(INCIDENT_LABEL[u.status] ?? u.status)}</strong> · ${when(u.at)}<div style="white-space:pre-line">${h(u.message)}</div></li>`)
    .join("")}</ol>`;
}

function names(s: Snapshot, ids: string[]) {
  const byId = new Map(s.components.map((c) => [c.componentId, c.name]));
  const list = ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  return list.length ? `<div class="muted">Affects: ${list.map(h).join(", ")}</div>` : "";
}

function incident(s: Snapshot, i: PostedIncidentItem, when: (t: number) => string) {
  const automatic = isAutomatic(i) ? `<div class="muted tag">Posted automatically by our monitoring; a person has not reviewed it yet.</div>` : "";
  return `<article class="card" id="incident-${h(i.incidentId)}"><h3>${h(i.title)}</h3>${automatic}
<div class="muted">Impact: ${h(i.impact)} · started ${when(i.startedAt)}${i.resolvedAt ? ` · resolved ${when(i.resolvedAt)}` : ""}</div>
${names(s, i.componentIds)}${timeline(i.updates, when)}</article>`;
}

/** The window as planned until it starts; once started, when it really started and ended (by hand, early or late). */
function maintenanceWindow(m: MaintenanceItem, when: (t: number) => string): string {
  if (m.startedAt === undefined) return `${when(m.startsAt)} – ${when(m.endsAt)}`;
  if (m.status === "completed") return `${when(m.startedAt)} – ${when(m.completedAt ?? m.endsAt)}`;
  return `${when(m.startedAt)} – ${when(m.endsAt)} (planned end)`;
}

function maintenance(s: Snapshot, m: MaintenanceItem, when: (t: number) => string) {
  return `<article class="card" id="maintenance-${h(m.maintenanceId)}"><h3>${h(m.title)}</h3>
<div class="muted">${INCIDENT_LABEL[m.status]}${m.cancelled ? " (cancelled)" : ""} · ${maintenanceWindow(m, when)}</div>
${names(s, m.componentIds)}${timeline(m.updates, when)}</article>`;
}

function subscribeForm(s: Snapshot, base: string) {
  const choices = inLayoutOrder(s)
    .map((c) => `<label><input type="checkbox" name="components" value="${h(c.componentId)}"> ${h(c.name)}</label>`)
    .join("");
  return `<section aria-labelledby="subscribe"><h2 id="subscribe">Get updates by email</h2>
<form method="post" action="${base}/subscribe"><label for="sub-email">Email address</label>
<input id="sub-email" type="email" name="email" required autocomplete="email" maxlength="254">
${choices ? `<details><summary>Only some components (optional)</summary><fieldset><legend>Components</legend>${choices}</fieldset></details>` : ""}
<button type="submit">Subscribe</button></form>
<p class="muted">We email you a link to confirm. Every email has a one-click unsubscribe link.</p></section>`;
}

const pct = (v: number | null) => (v === null ? "no data" : `${v.toFixed(v === 100 ? 0 : 2)}%`);

function monitorSection(m: MonitorExtras, when: (t: number) => string) {
  return `<p class="muted" data-state>${h(m.state)}. ${m.lastCheckedAt ? `Last checked ${when(m.lastCheckedAt)}.` : "Not checked yet."}</p>
<dl class="uptime">${m.uptime.map((u) => `<div><dt>${h(u.label)}</dt><dd>${h(pct(u.value))}</dd></div>`).join("")}</dl>`;
}

export function renderPage(s: Snapshot, o: { base: string; history: History; monitor?: MonitorExtras }): string {
  const p = s.page;
  const when = formatter(p.timeZone);
  const active = s.incidents.filter((i) => i.status !== "resolved");
  const running = s.maintenance.filter((m) => m.status === "in_progress");
  const upcoming = s.maintenance.filter((m) => m.status === "scheduled").sort((a, b) => a.startsAt - b.startsAt);
  const groupIds = new Set(s.groups.map((g) => g.groupId));
  const ungrouped = s.components.filter((c) => !c.groupId || !groupIds.has(c.groupId));
  const hist = o.history;
  // everything that started this month and is not still ahead: open incidents and running maintenance too
  const past = [...hist.incidents, ...hist.maintenance.filter((m) => m.status !== "scheduled")];
  const startOf = (x: PostedIncidentItem | MaintenanceItem) => ("incidentId" in x ? x.startedAt : x.startsAt);
  past.sort((a, b) => startOf(b) - startOf(a));
  const monthName = (m: string) => new Date(`${m}-01T00:00:00Z`).toLocaleString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
  const historyBody = hist.startedIn
    ? `<p>This status page started in ${h(monthName(hist.startedIn))}: there is no history before that. <a href="${o.base}?month=${hist.startedIn}#history">See ${h(monthName(hist.startedIn))}</a>.</p>`
    : past.length
      ? past.map((x) => ("incidentId" in x ? incident(s, x, when) : maintenance(s, x, when))).join("")
      : `<p class="muted">${h(hist.empty ?? `No incidents or maintenance in ${monthName(hist.month)}.`)}</p>`;
  const monthLinks = hist.months
    .map((m) => (m === hist.month ? `<li><strong aria-current="page">${h(monthName(m))}</strong></li>` : `<li><a href="${o.base}?month=${m}#history">${h(monthName(m))}</a></li>`))
    .join("");
  const body = `<header>${p.logoUrl ? `<img src="${h(p.logoUrl)}" alt="">` : ""}<div><h1>${h(p.title)}</h1>${
    p.description ? `<p class="muted" style="margin:0">${h(p.description)}</p>` : ""
  }</div></header>
<div id="banner" class="banner ${s.indicator}" role="status" data-summary="${o.base}/api/v2/summary.json">${h(s.description)}</div>
<span id="active-count" data-count="${active.length}" hidden></span>
${active.length ? `<section aria-labelledby="active"><h2 id="active">Active incidents</h2>${active.map((i) => incident(s, i, when)).join("")}</section>` : ""}
${running.length ? `<section aria-labelledby="running"><h2 id="running">Maintenance in progress</h2>${running.map((m) => maintenance(s, m, when)).join("")}</section>` : ""}
${upcoming.length ? `<section aria-labelledby="upcoming"><h2 id="upcoming">Upcoming maintenance</h2>${upcoming.map((m) => maintenance(s, m, when)).join("")}</section>` : ""}
${o.monitor ? monitorSection(o.monitor, when) : ""}
<section aria-labelledby="components"><h2 id="components">${o.monitor ? "Uptime" : "Components"}</h2>
${s.groups.map((g) => group(s, g)).join("")}${ungrouped.length ? `<div class="card">${ungrouped.map((c) => component(s, c)).join("")}</div>` : ""}
${s.components.length ? "" : `<p class="muted">No components yet.</p>`}</section>
<section aria-labelledby="history"><h2 id="history">${h(hist.heading ?? `History: ${monthName(hist.month)}`)}</h2>
${historyBody}
${monthLinks ? `<nav aria-label="Months of history"><ul class="months">${monthLinks}</ul></nav>` : ""}
${hist.previous || hist.next ? `<nav class="pager" aria-label="Previous and next month">${hist.previous ? `<a href="${o.base}?month=${hist.previous}#history">← ${hist.previous}</a>` : "<span></span>"}${
    hist.next ? `<a href="${o.base}?month=${hist.next}#history">${hist.next} →</a>` : "<span></span>"
  }</nav>` : ""}</section>
${o.monitor ? "" : subscribeForm(s, o.base)}
<footer>${(o.monitor?.links ?? [
    { label: "Atom", href: `${o.base}/feed.atom` },
    { label: "RSS", href: `${o.base}/feed.rss` },
    { label: "JSON API", href: `${o.base}/api/v2/summary.json` },
    { label: "Badge", href: `${o.base}/badge.svg` },
  ]).map((l) => `<a href="${h(l.href)}">${h(l.label)}</a>`).join("")}
<div>Updated ${when(s.generatedAt)}. Times in ${h(p.timeZone)}.</div></footer>`;
  const feeds = `
<link rel="alternate" type="application/atom+xml" title="${h(p.title)}" href="${o.base}/feed.atom">
<link rel="alternate" type="application/rss+xml" title="${h(p.title)}" href="${o.base}/feed.rss">`;
  return shell({
    title: statusName(p.title),
    theme: p.theme as Theme,
    body,
    script: !o.monitor,
    bars: true,
    feeds: o.monitor ? "" : feeds,
    noindex: p.visibility === "protected",
    description: `${s.description}. ${p.description ?? `Live status, incidents and maintenance of ${p.title}`}.`.replace(/\.\.$/, "."),
    icon: faviconFor(s.indicator),
  });
}

export function renderPasswordForm(o: { title: string; theme: Theme; base: string; wrong?: boolean }): string {
  return simplePage(
    o.title,
    o.theme,
    `<p>This status page is protected. Enter its password to see it.</p>
${o.wrong ? `<p role="alert" class="s-major_outage">That password is not right.</p>` : ""}
<form method="post" action="${o.base}/access"><label for="pw">Password</label>
<input id="pw" type="password" name="password" required autocomplete="current-password"><button type="submit">View status</button></form>`,
  );
}

export function renderMessage(title: string, theme: Theme, message: string, backTo?: string): string {
  return simplePage(title, theme, `<p>${h(message)}</p>${backTo ? `<p><a href="${backTo}">Back to the status page</a></p>` : ""}`);
}
