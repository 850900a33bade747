import { z } from "zod";
import { COMPONENT_STATUSES, IMPACTS, INCIDENT_STATUSES, MAINTENANCE_STATUSES, THEMES, VISIBILITIES } from "./shape";
import type { ComponentGroupItem, ComponentItem, MaintenanceItem, PostedIncidentItem, StatusPageItem } from "./entity";

/** What the admin API shows of each item: never the password hash; instants as ISO strings. */

const iso = (t: number) => new Date(t).toISOString();
const isoOrNull = (t: number | undefined) => (t === undefined ? null : iso(t));

export const PageView = z.object({
  id: z.string(),
  slug: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  logoUrl: z.string().nullable(),
  theme: z.enum(THEMES),
  visibility: z.enum(VISIBILITIES),
  timeZone: z.string(),
  customDomain: z.string().nullable().describe("The host whose root serves the page too"),
  autoPublishIncidents: z.boolean().describe("Linked monitors' incidents appear on the page at once; false: only once promoted"),
  version: z.number().describe("Bumped by every change on the page; public renders are cached per version"),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PageView = z.infer<typeof PageView>;

export const toPageView = (p: StatusPageItem): PageView => ({
  id: p.pageId,
  slug: p.slug,
  title: p.title,
  description: p.description ?? null,
  logoUrl: p.logoUrl ?? null,
  theme: p.theme,
  visibility: p.visibility,
  timeZone: p.timeZone,
  customDomain: p.customDomain ?? null,
  autoPublishIncidents: p.autoPublishIncidents !== false,
  version: p.version,
  createdAt: iso(p.createdAt),
  updatedAt: iso(p.updatedAt),
});

export const GroupView = z.object({ id: z.string(), name: z.string(), collapsed: z.boolean(), order: z.number() });
export type GroupView = z.infer<typeof GroupView>;
export const toGroupView = (g: ComponentGroupItem): GroupView => ({ id: g.groupId, name: g.name, collapsed: g.collapsed, order: g.order });

export const ComponentView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  groupId: z.string().nullable(),
  order: z.number(),
  monitorId: z.string().nullable(),
  manualStatus: z.enum(COMPONENT_STATUSES),
  override: z.object({ status: z.enum(COMPONENT_STATUSES), setAt: z.string() }).nullable(),
  degradedAboveMs: z.number().nullable(),
});
export type ComponentView = z.infer<typeof ComponentView>;
export const toComponentView = (c: ComponentItem): ComponentView => ({
  id: c.componentId,
  name: c.name,
  description: c.description ?? null,
  groupId: c.groupId ?? null,
  order: c.order,
  monitorId: c.monitorId ?? null,
  manualStatus: c.manualStatus,
  override: c.override ? { status: c.override.status, setAt: iso(c.override.setAt) } : null,
  degradedAboveMs: c.degradedAboveMs ?? null,
});

export const LayoutView = z.object({
  groups: z.array(GroupView.extend({ components: z.array(ComponentView) })),
  ungrouped: z.array(ComponentView),
});
export type LayoutView = z.infer<typeof LayoutView>;

export const IncidentUpdateView = z.object({
  id: z.string(),
  message: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  componentStatuses: z.record(z.string(), z.enum(COMPONENT_STATUSES)),
  at: z.string(),
  editedAt: z.string().nullable(),
});

export const IncidentView = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  impact: z.enum(IMPACTS),
  componentIds: z.array(z.string()),
  startedAt: z.string(),
  resolvedAt: z.string().nullable(),
  sourceMonitorIncidentId: z.string().nullable(),
  updates: z.array(IncidentUpdateView).describe("Oldest first"),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type IncidentView = z.infer<typeof IncidentView>;
export const toIncidentView = (i: PostedIncidentItem): IncidentView => ({
  id: i.incidentId,
  title: i.title,
  status: i.status,
  impact: i.impact,
  componentIds: i.componentIds,
  startedAt: iso(i.startedAt),
  resolvedAt: isoOrNull(i.resolvedAt),
  sourceMonitorIncidentId: i.sourceMonitorIncidentId ?? null,
  updates: i.updates.map((u) => ({ id: u.updateId, message: u.message, status: u.status, componentStatuses: u.componentStatuses, at: iso(u.at), editedAt: isoOrNull(u.editedAt) })),
  createdAt: iso(i.createdAt),
  updatedAt: iso(i.updatedAt),
});

export const MaintenanceView = z.object({
  id: z.string(),
  title: z.string(),
  message: z.string(),
  status: z.enum(MAINTENANCE_STATUSES),
  startsAt: z.string(),
  endsAt: z.string(),
  componentIds: z.array(z.string()),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  cancelled: z.boolean(),
  updates: z.array(z.object({ id: z.string(), message: z.string(), status: z.enum(MAINTENANCE_STATUSES), at: z.string() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type MaintenanceView = z.infer<typeof MaintenanceView>;
export const toMaintenanceView = (m: MaintenanceItem): MaintenanceView => ({
  id: m.maintenanceId,
  title: m.title,
  message: m.message,
  status: m.status,
  startsAt: iso(m.startsAt),
  endsAt: iso(m.endsAt),
  componentIds: m.componentIds,
  startedAt: isoOrNull(m.startedAt),
  completedAt: isoOrNull(m.completedAt),
  cancelled: m.cancelled === true,
  updates: m.updates.map((u) => ({ id: u.updateId, message: u.message, status: u.status, at: iso(u.at) })),
  createdAt: iso(m.createdAt),
  updatedAt: iso(m.updatedAt),
});
