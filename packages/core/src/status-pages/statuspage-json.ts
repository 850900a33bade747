export * as StatuspageJson from "./statuspage-json";

import type { MaintenanceItem, PostedIncidentItem } from "./entity";
import type { ComponentStatus } from "./fields";
import type { Snapshot } from "./snapshot";

/**
 * The Atlassian Statuspage v2 public API shapes (https://metastatuspage.com/api/v2), field for
 * field, so widgets and tools written against Statuspage read our pages unchanged. Groups are
 * components with `group: true` and their children's ids, as Statuspage serves them.
 */

const iso = (t: number) => new Date(t).toISOString();
const isoOrNull = (t: number | undefined) => (t === undefined ? null : iso(t));

export function pageOf(s: Snapshot, url: string) {
  const p = s.page;
  return { id: p.pageId, name: p.title, url, time_zone: p.timeZone, updated_at: iso(p.updatedAt) };
}

export const statusOf = (s: Snapshot) => ({ indicator: s.indicator, description: s.description });

export function componentsOf(s: Snapshot) {
  const pageId = s.page.pageId;
  const groupIds = new Set(s.groups.map((g) => g.groupId));
  const out: Record<string, unknown>[] = [];
  let position = 1;
  for (const g of s.groups) {
    const children = s.components.filter((c) => c.groupId === g.groupId);
    const worst = children.reduce<ComponentStatus>((w, c) => (rank(c.status) > rank(w) ? c.status : w), "operational");
    out.push({
      id: g.groupId,
      name: g.name,
      status: worst,
      created_at: iso(g.createdAt),
      updated_at: iso(g.updatedAt),
      position: position++,
      description: null,
      showcase: false,
      start_date: null,
      group_id: null,
      page_id: pageId,
      group: true,
      only_show_if_degraded: false,
      components: children.map((c) => c.componentId),
    });
    for (const c of children) out.push(component(s, c, position++, g.groupId));
  }
  for (const c of s.components.filter((c) => !c.groupId || !groupIds.has(c.groupId))) out.push(component(s, c, position++, null));
  return out;
}

const RANK: Record<ComponentStatus, number> = { operational: 0, under_maintenance: 1, degraded_performance: 2, partial_outage: 3, major_outage: 4 };
const rank = (s: ComponentStatus) => RANK[s];

function component(s: Snapshot, c: Snapshot["components"][number], position: number, groupId: string | null) {
  return {
    id: c.componentId,
    name: c.name,
    status: c.status,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    position,
    description: c.description ?? null,
    showcase: true,
    start_date: null,
    group_id: groupId,
    page_id: s.page.pageId,
    group: false,
    only_show_if_degraded: false,
  };
}

function affected(s: Snapshot, statuses: Record<string, ComponentStatus>) {
  const names = new Map(s.components.map((c) => [c.componentId, c.name]));
  return Object.entries(statuses).map(([id, status]) => ({ code: id, name: names.get(id) ?? id, old_status: null, new_status: status }));
}

function componentRefs(s: Snapshot, ids: string[]) {
  const byId = new Map(componentsOf(s).map((c) => [c.id as string, c]));
  return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}

export function incidentOf(s: Snapshot, i: PostedIncidentItem, url: string) {
  const monitoring = i.updates.find((u) => u.status === "monitoring");
  return {
    id: i.incidentId,
    name: i.title,
    status: i.status,
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    monitoring_at: isoOrNull(monitoring?.at),
    resolved_at: isoOrNull(i.resolvedAt),
    impact: i.impact,
    shortlink: `${url}#incident-${i.incidentId}`,
    started_at: iso(i.startedAt),
    page_id: i.pageId,
    incident_updates: [...i.updates].reverse().map((u) => ({
      id: u.updateId,
      status: u.status,
      body: u.message,
      incident_id: i.incidentId,
      created_at: iso(u.at),
      updated_at: iso(u.editedAt ?? u.at),
      display_at: iso(u.at),
      affected_components: affected(s, u.componentStatuses),
    })),
    components: componentRefs(s, i.componentIds),
  };
}

const MAINTENANCE_IMPACT = "maintenance";

export function maintenanceOf(s: Snapshot, m: MaintenanceItem, url: string) {
  const inMaintenance = Object.fromEntries(m.componentIds.map((id) => [id, "under_maintenance" as ComponentStatus]));
  return {
    id: m.maintenanceId,
    name: m.title,
    status: m.status,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
    monitoring_at: null,
    resolved_at: isoOrNull(m.completedAt),
    impact: MAINTENANCE_IMPACT,
    shortlink: `${url}#maintenance-${m.maintenanceId}`,
    started_at: iso(m.startedAt ?? m.startsAt),
    page_id: m.pageId,
    scheduled_for: iso(m.startsAt),
    scheduled_until: iso(m.endsAt),
    incident_updates: [...m.updates].reverse().map((u) => ({
      id: u.updateId,
      status: u.status,
      body: u.message,
      incident_id: m.maintenanceId,
      created_at: iso(u.at),
      updated_at: iso(u.at),
      display_at: iso(u.at),
      affected_components: u.status === "in_progress" ? affected(s, inMaintenance) : [],
    })),
    components: componentRefs(s, m.componentIds),
  };
}

/** Statuspage lists the 50 most recent incidents. */
const INCIDENT_LIMIT = 50;

export type Document =
  | "summary"
  | "status"
  | "components"
  | "incidents"
  | "incidents/unresolved"
  | "scheduled-maintenances"
  | "scheduled-maintenances/upcoming"
  | "scheduled-maintenances/active";
export const DOCUMENTS: readonly Document[] = [
  "summary",
  "status",
  "components",
  "incidents",
  "incidents/unresolved",
  "scheduled-maintenances",
  "scheduled-maintenances/upcoming",
  "scheduled-maintenances/active",
];

/** One of the v2 documents of a page; `url` is the page's public address. */
export function document(s: Snapshot, doc: Document, url: string): Record<string, unknown> {
  const page = pageOf(s, url);
  const incidents = (pick: (i: PostedIncidentItem) => boolean) => s.incidents.filter(pick).slice(0, INCIDENT_LIMIT).map((i) => incidentOf(s, i, url));
  const maintenance = (pick: (m: MaintenanceItem) => boolean) =>
    s.maintenance
      .filter(pick)
      .sort((a, b) => a.startsAt - b.startsAt)
      .map((m) => maintenanceOf(s, m, url));
  switch (doc) {
    case "summary":
      return {
        page,
        components: componentsOf(s),
        incidents: incidents((i) => i.status !== "resolved"),
        scheduled_maintenances: maintenance((m) => m.status !== "completed"),
        status: statusOf(s),
      };
    case "status":
      return { page, status: statusOf(s) };
    case "components":
      return { page, components: componentsOf(s) };
    case "incidents":
      return { page, incidents: incidents(() => true) };
    case "incidents/unresolved":
      return { page, incidents: incidents((i) => i.status !== "resolved") };
    case "scheduled-maintenances":
      return { page, scheduled_maintenances: maintenance(() => true).reverse() };
    case "scheduled-maintenances/upcoming":
      return { page, scheduled_maintenances: maintenance((m) => m.status === "scheduled") };
    case "scheduled-maintenances/active":
      return { page, scheduled_maintenances: maintenance((m) => m.status === "in_progress") };
  }
}
