export * as StatuspageJson from "./statuspage-json";

import { z } from "zod";
import type { MaintenanceItem, PostedIncidentItem } from "./entity";
import { COMPONENT_STATUSES, IMPACTS, INCIDENT_STATUSES, MAINTENANCE_STATUSES, type ComponentStatus } from "./shape";
import type { Snapshot } from "./snapshot";

/**
 * The Atlassian Statuspage v2 public API shapes (https://metastatuspage.com/api/v2), field for
 * field, so widgets and tools written against Statuspage read our pages unchanged. Groups are
 * components with `group: true` and their children's ids, as Statuspage serves them.
 */

// ---------- the documents' shapes: the OpenAPI document's schemas and the tests' decoder ----------

const Instant = z.string().describe("ISO 8601 instant");
const ComponentStatusJson = z.enum(COMPONENT_STATUSES);

export const PageJson = z.object({ id: z.string(), name: z.string(), url: z.string(), time_zone: z.string(), updated_at: Instant }).strict();
export const StatusJson = z
  .object({
    indicator: z.enum([...IMPACTS, "maintenance"]).describe("`maintenance` while maintenance is the only thing going on"),
    description: z.string(),
  })
  .strict();
export const ComponentJson = z
  .object({
    id: z.string(),
    name: z.string(),
    status: ComponentStatusJson,
    created_at: Instant,
    updated_at: Instant.describe("The last change of the component or of its status"),
    position: z.number().int(),
    description: z.string().nullable(),
    showcase: z.boolean(),
    start_date: z.string().nullable(),
    group_id: z.string().nullable(),
    page_id: z.string(),
    group: z.boolean(),
    only_show_if_degraded: z.boolean(),
    components: z.array(z.string()).optional().describe("A group's components"),
  })
  .strict();
export const AffectedComponentJson = z.object({ code: z.string(), name: z.string(), old_status: ComponentStatusJson, new_status: ComponentStatusJson }).strict();
const UpdateJson = <S extends z.ZodType>(status: S) =>
  z
    .object({
      id: z.string(),
      status,
      body: z.string(),
      incident_id: z.string(),
      created_at: Instant,
      updated_at: Instant,
      display_at: Instant,
      affected_components: z.array(AffectedComponentJson),
    })
    .strict();
const IncidentFields = {
  id: z.string(),
  name: z.string(),
  created_at: Instant,
  updated_at: Instant,
  monitoring_at: Instant.nullable(),
  resolved_at: Instant.nullable(),
  shortlink: z.string(),
  started_at: Instant,
  page_id: z.string(),
  components: z.array(ComponentJson),
};
export const IncidentJson = z
  .object({ ...IncidentFields, status: z.enum(INCIDENT_STATUSES), impact: z.enum(IMPACTS), incident_updates: z.array(UpdateJson(z.enum(INCIDENT_STATUSES))) })
  .strict();
export const MaintenanceJson = z
  .object({
    ...IncidentFields,
    status: z.enum(MAINTENANCE_STATUSES),
    impact: z.literal("maintenance"),
    scheduled_for: Instant,
    scheduled_until: Instant,
    incident_updates: z.array(UpdateJson(z.enum(MAINTENANCE_STATUSES))),
  })
  .strict();

/** Each v2 document's shape, by its path under /api/v2/. */
export const DOCUMENT_SCHEMAS = {
  summary: z
    .object({ page: PageJson, components: z.array(ComponentJson), incidents: z.array(IncidentJson), scheduled_maintenances: z.array(MaintenanceJson), status: StatusJson })
    .strict(),
  status: z.object({ page: PageJson, status: StatusJson }).strict(),
  components: z.object({ page: PageJson, components: z.array(ComponentJson) }).strict(),
  incidents: z.object({ page: PageJson, incidents: z.array(IncidentJson) }).strict(),
  "incidents/unresolved": z.object({ page: PageJson, incidents: z.array(IncidentJson) }).strict(),
  "scheduled-maintenances": z.object({ page: PageJson, scheduled_maintenances: z.array(MaintenanceJson) }).strict(),
  "scheduled-maintenances/upcoming": z.object({ page: PageJson, scheduled_maintenances: z.array(MaintenanceJson) }).strict(),
  "scheduled-maintenances/active": z.object({ page: PageJson, scheduled_maintenances: z.array(MaintenanceJson) }).strict(),
} as const;

// ---------- building them ----------

const iso = (t: number) => new Date(t).toISOString();
const isoOrNull = (t: number | undefined) => (t === undefined ? null : iso(t));

export function pageOf(s: Snapshot, url: string): z.infer<typeof PageJson> {
  const p = s.page;
  return { id: p.pageId, name: p.title, url, time_zone: p.timeZone, updated_at: iso(s.updatedAt) };
}

export const statusOf = (s: Snapshot): z.infer<typeof StatusJson> => ({ indicator: s.indicator, description: s.description });

export function componentsOf(s: Snapshot): z.infer<typeof ComponentJson>[] {
  const pageId = s.page.pageId;
  const groupIds = new Set(s.groups.map((g) => g.groupId));
  const out: z.infer<typeof ComponentJson>[] = [];
  let position = 1;
  for (const g of s.groups) {
    const children = s.components.filter((c) => c.groupId === g.groupId);
    out.push({
      id: g.groupId,
      name: g.name,
      status: g.status,
      created_at: iso(g.createdAt),
      updated_at: iso(Math.max(g.updatedAt, ...children.map((c) => c.changedAt))),
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

function component(s: Snapshot, c: Snapshot["components"][number], position: number, groupId: string | null): z.infer<typeof ComponentJson> {
  return {
    id: c.componentId,
    name: c.name,
    status: c.status,
    created_at: iso(c.createdAt),
    updated_at: iso(c.changedAt),
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

/**
 * Each update's component changes with the status each component had before it: the previous
 * update's word for it within the incident, else operational (the incident had not touched it).
 */
function affectedPerUpdate(s: Snapshot, updates: { componentStatuses: Record<string, ComponentStatus> }[]) {
  const names = new Map(s.components.map((c) => [c.componentId, c.name]));
  const current = new Map<string, ComponentStatus>();
  return updates.map((u) =>
    Object.entries(u.componentStatuses).flatMap(([id, status]) => {
      const old = current.get(id) ?? "operational";
      current.set(id, status);
      return old === status ? [] : [{ code: id, name: names.get(id) ?? id, old_status: old, new_status: status }];
    }),
  );
}

function componentRefs(s: Snapshot, ids: string[]) {
  const byId = new Map(componentsOf(s).map((c) => [c.id, c]));
  return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}

export function incidentOf(s: Snapshot, i: PostedIncidentItem, url: string): z.infer<typeof IncidentJson> {
  const monitoring = i.updates.find((u) => u.status === "monitoring");
  const affected = affectedPerUpdate(s, i.updates);
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
    incident_updates: i.updates
      .map((u, n) => ({
        id: u.updateId,
        status: u.status,
        body: u.message,
        incident_id: i.incidentId,
        created_at: iso(u.at),
        updated_at: iso(u.editedAt ?? u.at),
        display_at: iso(u.at),
        affected_components: affected[n]!,
      }))
      .reverse(),
    components: componentRefs(s, i.componentIds),
  };
}

const MAINTENANCE_IMPACT = "maintenance";

export function maintenanceOf(s: Snapshot, m: MaintenanceItem, url: string): z.infer<typeof MaintenanceJson> {
  // Maintenance puts its components under maintenance when it starts and gives them back when it ends.
  const affected = affectedPerUpdate(
    s,
    m.updates.map((u) => ({
      componentStatuses: Object.fromEntries(
        u.status === "in_progress" || u.status === "completed" ? m.componentIds.map((id) => [id, u.status === "in_progress" ? "under_maintenance" : "operational"]) : [],
      ),
    })),
  );
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
    incident_updates: m.updates
      .map((u, n) => ({
        id: u.updateId,
        status: u.status,
        body: u.message,
        incident_id: m.maintenanceId,
        created_at: iso(u.at),
        updated_at: iso(u.at),
        display_at: iso(u.at),
        affected_components: affected[n]!,
      }))
      .reverse(),
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
export function document(s: Snapshot, doc: Document, url: string): z.infer<(typeof DOCUMENT_SCHEMAS)[Document]> {
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
