export * as MonitorPage from "./monitor-page";

import type { StatusPage as PublicMonitor } from "../public/status-page";
import { DAY } from "../platform/time";
import { EffectiveStatus } from "./effective-status";
import type { PostedIncidentItem } from "./entity";
import { StatusPageHtml } from "./render";
import type { Snapshot } from "./snapshot";
import { Uptime } from "./uptime";

/**
 * A monitor's own public page (/status/{monitor-slug}) as a status page with one component: the
 * same view model, rules and template as organisations' pages, so there is one public design.
 * Its data is the monitor's public view (public/status-page.ts): nothing private reaches it.
 */

/** Failure classes in words a visitor understands. */
export const REASON_WORDS: Record<string, string> = {
  timeout: "no answer in time",
  dns: "its name did not resolve",
  connection_refused: "the connection was refused",
  tls: "a TLS (certificate) problem",
  status_mismatch: "an unexpected HTTP status",
  keyword_mismatch: "the expected text was missing",
  blocked_target: "the address is not allowed",
  error: "a request error",
};
export const reasonInWords = (reason: string) => REASON_WORDS[reason] ?? reason.replace(/_/g, " ");

function duration(ms: number): string {
  const min = Math.round(ms / 60000);
  if (min < 1) return "under a minute";
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
}

const COMPONENT_ID = "monitor";

/** The monitor's view as a page snapshot: one component following the monitor, its incidents as automatic ones. */
export function snapshotOf(v: PublicMonitor.View, slug: string): Snapshot {
  const now = Date.parse(v.generatedAt);
  const firstDay = Date.parse(`${v.days[0]?.date ?? v.generatedAt.slice(0, 10)}T00:00:00Z`);
  const pageId = `monitor:${slug}`;
  const incidents: PostedIncidentItem[] = v.incidents.map((i, n) => {
    const startedAt = Date.parse(i.startedAt);
    const resolvedAt = i.resolvedAt ? Date.parse(i.resolvedAt) : undefined;
    const opened = { updateId: `${n}.opened`, message: `Our checks found ${v.name} unavailable: ${reasonInWords(i.reason)}.`, status: "investigating" as const, componentStatuses: { [COMPONENT_ID]: "major_outage" as const }, at: startedAt };
    const closed = resolvedAt && { updateId: `${n}.resolved`, message: `Available again after ${duration(i.durationMs ?? resolvedAt - startedAt)}.`, status: "resolved" as const, componentStatuses: { [COMPONENT_ID]: "operational" as const }, at: resolvedAt };
    return {
      pageId,
      incidentId: `monitor.${n}`,
      orgId: "",
      title: `${v.name} unavailable (${reasonInWords(i.reason)})`,
      status: resolvedAt ? "resolved" : "investigating",
      impact: "major",
      componentIds: [COMPONENT_ID],
      startedAt,
      ...(resolvedAt ? { resolvedAt } : {}),
      updates: closed ? [opened, closed] : [opened],
      revision: 1,
      createdAt: startedAt,
      updatedAt: resolvedAt ?? startedAt,
    };
  });
  const status = EffectiveStatus.baseline(
    { componentId: COMPONENT_ID, monitorId: "monitor", manualStatus: "operational" },
    { state: v.status === "paused" ? "pending" : v.status, paused: v.status === "paused" },
  );
  const uptimeDays = v.days.map((d) => (d.checks ? d.uptimePercent : null));
  const days = Uptime.dayBars(COMPONENT_ID, uptimeDays, incidents, [], { firstDay, now });
  const component = {
    pageId,
    componentId: COMPONENT_ID,
    orgId: "",
    name: v.name,
    order: 0,
    manualStatus: "operational" as const,
    monitorId: "monitor",
    createdAt: firstDay,
    updatedAt: now,
    status,
    changedAt: now,
    days,
    uptime: v.uptime["90d"],
  };
  return {
    page: { pageId, orgId: "", slug, title: v.name, theme: "auto", visibility: "public", timeZone: "UTC", version: 1, createdAt: firstDay, updatedAt: now },
    groups: [],
    components: [component],
    ...EffectiveStatus.pageStatus([status], incidents),
    updatedAt: now,
    incidents,
    maintenance: [],
    firstDay: firstDay || now - 89 * DAY,
    generatedAt: now,
  };
}

const STATUS_TEXT: Record<PublicMonitor.View["status"], string> = {
  up: "Operational",
  down: "Down",
  degraded: "Degraded performance",
  pending: "Waiting for the first check",
  paused: "Paused: not being checked",
};

export function html(v: PublicMonitor.View, slug: string): string {
  const s = snapshotOf(v, slug);
  const month = v.generatedAt.slice(0, 7);
  return StatusPageHtml.renderPage(s, {
    base: `/status/${encodeURIComponent(slug)}`,
    history: { month, incidents: s.incidents, maintenance: [], months: [], heading: "Last 90 days", empty: "No incidents in the last 90 days." },
    monitor: {
      state: STATUS_TEXT[v.status],
      uptime: (["24h", "7d", "30d", "90d"] as const).map((w) => ({ label: `Last ${w}`, value: v.uptime[w] })),
      lastCheckedAt: v.lastCheckedAt ? Date.parse(v.lastCheckedAt) : undefined,
      links: [
        { label: "JSON", href: `/v1/status/${encodeURIComponent(slug)}` },
        { label: "Badge", href: `/v1/status/${encodeURIComponent(slug)}/badge.svg` },
      ],
    },
  });
}
