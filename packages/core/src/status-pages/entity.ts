import { Entity, type EntityItem } from "electrodb";
import { lazyEntity, entityOptions } from "../platform/table";
import { COMPONENT_STATUSES, IMPACTS, INCIDENT_STATUSES, MAINTENANCE_STATUSES, THEMES, VISIBILITIES } from "./shape";
import type { ComponentStatus, IncidentStatus, MaintenanceStatus } from "./shape";

/*
 * A status page and everything on it live in the page's partition (pk = pageId), so a page's
 * groups, components, incidents and maintenance are each one query. `version` on the page is
 * bumped by every change under it: the public side caches a render per (slug, version).
 */

export const StatusPageEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "statusPage", version: "1", service: "uptime" },
      attributes: {
        pageId: { type: "string", required: true },
        orgId: { type: "string", required: true },
        slug: { type: "string", required: true },
        title: { type: "string", required: true },
        description: { type: "string" },
        logoUrl: { type: "string" },
        theme: { type: THEMES, required: true, default: "auto" },
        visibility: { type: VISIBILITIES, required: true, default: "public" },
        /** bcrypt; present only while the page is protected. */
        passwordHash: { type: "string" },
        timeZone: { type: "string", required: true, default: "UTC" },
        /** A hostname claimed like a slug (SlugClaimEntity, keyed by the hostname). */
        customDomain: { type: "string" },
        /** Show linked monitors' open incidents on the page at once (absent on older pages: on). */
        autoPublishIncidents: { type: "boolean" },
        version: { type: "number", required: true, default: 1 },
        createdAt: { type: "number", required: true },
        updatedAt: { type: "number", required: true },
      },
      indexes: {
        // one page
        byId: { pk: { field: "pk", composite: ["pageId"] }, sk: { field: "sk", composite: [] } },
        // an organisation's pages, oldest first
        byOrg: {
          index: "gsi1",
          pk: { field: "gsi1pk", composite: ["orgId"] },
          sk: { field: "gsi1sk", composite: ["createdAt", "pageId"] },
        },
      },
    },
    entityOptions(),
  ),
);

export const ComponentGroupEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "componentGroup", version: "1", service: "uptime" },
      attributes: {
        pageId: { type: "string", required: true },
        groupId: { type: "string", required: true },
        orgId: { type: "string", required: true },
        name: { type: "string", required: true },
        collapsed: { type: "boolean", required: true, default: false },
        order: { type: "number", required: true },
        createdAt: { type: "number", required: true },
        updatedAt: { type: "number", required: true },
      },
      indexes: {
        // a page's groups (ordered by `order` when read)
        byPage: { pk: { field: "pk", composite: ["pageId"] }, sk: { field: "sk", composite: ["groupId"] } },
      },
    },
    entityOptions(),
  ),
);

export const ComponentEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "component", version: "1", service: "uptime" },
      attributes: {
        pageId: { type: "string", required: true },
        componentId: { type: "string", required: true },
        orgId: { type: "string", required: true },
        name: { type: "string", required: true },
        description: { type: "string" },
        groupId: { type: "string" },
        order: { type: "number", required: true },
        monitorId: { type: "string" },
        manualStatus: { type: COMPONENT_STATUSES, required: true, default: "operational" },
        override: {
          type: "map",
          properties: { status: { type: COMPONENT_STATUSES, required: true }, setAt: { type: "number", required: true } },
        },
        degradedAboveMs: { type: "number" },
        createdAt: { type: "number", required: true },
        updatedAt: { type: "number", required: true },
      },
      indexes: {
        // a page's components (ordered by group and `order` when read)
        byPage: { pk: { field: "pk", composite: ["pageId"] }, sk: { field: "sk", composite: ["componentId"] } },
      },
    },
    entityOptions(),
  ),
);

/**
 * An incident posted by people. Its updates are few (a handful per incident) and always shown
 * together, so they live in the incident item: one read per incident, one conditional write per change.
 */
export const PostedIncidentEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "postedIncident", version: "1", service: "uptime" },
      attributes: {
        pageId: { type: "string", required: true },
        incidentId: { type: "string", required: true },
        orgId: { type: "string", required: true },
        title: { type: "string", required: true },
        status: { type: INCIDENT_STATUSES, required: true },
        impact: { type: IMPACTS, required: true },
        componentIds: { type: "list", items: { type: "string" }, required: true },
        startedAt: { type: "number", required: true },
        resolvedAt: { type: "number" },
        /** Set when promoted from a monitor's automatic incident; one posted incident per automatic one. */
        sourceMonitorIncidentId: { type: "string" },
        updates: { type: "any", required: true }, // IncidentUpdate[], oldest first
        /** Subscriber news written with the change that makes it, cleared once queued (outbox): Unannounced[]. */
        unannounced: { type: "any" },
        /** Optimistic concurrency: every write is conditional on the revision it read. */
        revision: { type: "number", required: true, default: 1 },
        /** Which call wrote this revision (platform/claim.ts): a retried write whose response was lost finds its own. */
        writeToken: { type: "string" },
        createdAt: { type: "number", required: true },
        updatedAt: { type: "number", required: true },
      },
      indexes: {
        // one incident of a page
        byPage: { pk: { field: "pk", composite: ["pageId"] }, sk: { field: "sk", composite: ["incidentId"] } },
        // a page's incidents by start (history newest first with order desc)
        byStart: {
          index: "gsi1",
          pk: { field: "gsi1pk", composite: ["pageId"] },
          sk: { field: "gsi1sk", composite: ["startedAt", "incidentId"] },
        },
        // a page's unresolved incidents, whenever they started: sparse, only unresolved items carry its keys
        unresolved: {
          index: "gsi2",
          pk: { field: "gsi2pk", composite: ["pageId"] },
          sk: { field: "gsi2sk", composite: ["startedAt", "incidentId"] },
          condition: (a) => a.status !== "resolved",
        },
      },
    },
    entityOptions(),
  ),
);

export const MaintenanceEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "maintenance", version: "1", service: "uptime" },
      attributes: {
        pageId: { type: "string", required: true },
        maintenanceId: { type: "string", required: true },
        orgId: { type: "string", required: true },
        title: { type: "string", required: true },
        message: { type: "string", required: true },
        startsAt: { type: "number", required: true },
        endsAt: { type: "number", required: true },
        componentIds: { type: "list", items: { type: "string" }, required: true },
        status: { type: MAINTENANCE_STATUSES, required: true, default: "scheduled" },
        /** Set when it went in progress / completed (by the scheduler or by hand). */
        startedAt: { type: "number" },
        completedAt: { type: "number" },
        cancelled: { type: "boolean" },
        /** The monitors muted while in progress (through the components), as muted at start. */
        mutedMonitorIds: { type: "list", items: { type: "string" } },
        updates: { type: "any", required: true }, // MaintenanceUpdate[], oldest first
        unannounced: { type: "any" }, // Unannounced[], as on posted incidents
        revision: { type: "number", required: true, default: 1 },
        writeToken: { type: "string" }, // as on posted incidents
        createdAt: { type: "number", required: true },
        updatedAt: { type: "number", required: true },
      },
      indexes: {
        // one maintenance of a page
        byPage: { pk: { field: "pk", composite: ["pageId"] }, sk: { field: "sk", composite: ["maintenanceId"] } },
        // a page's maintenance by start
        byStart: {
          index: "gsi1",
          pk: { field: "gsi1pk", composite: ["pageId"] },
          sk: { field: "gsi1sk", composite: ["startsAt", "maintenanceId"] },
        },
        // a page's maintenance not completed yet, whenever it starts: sparse, only those items carry its keys
        open: {
          index: "gsi2",
          pk: { field: "gsi2pk", composite: ["pageId"] },
          sk: { field: "gsi2sk", composite: ["startsAt", "maintenanceId"] },
          condition: (a) => a.status !== "completed",
        },
      },
    },
    entityOptions(),
  ),
);

/**
 * The scheduler's agenda: one item per maintenance that has a transition ahead (its start, then
 * its end), in one partition ordered by time, so the every-minute tick finds what is due with a
 * single small query instead of scanning pages. Maintenance is rare; the partition stays small.
 */
export const MaintenanceDueEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "maintenanceDue", version: "1", service: "uptime" },
      attributes: {
        at: { type: "number", required: true },
        maintenanceId: { type: "string", required: true },
        pageId: { type: "string", required: true },
      },
      indexes: {
        // maintenance transitions due by a time
        byTime: { pk: { field: "pk", composite: [] }, sk: { field: "sk", composite: ["at", "maintenanceId"] } },
      },
    },
    entityOptions(),
  ),
);

export type StatusPageItem = EntityItem<typeof StatusPageEntity>;
export type ComponentGroupItem = EntityItem<typeof ComponentGroupEntity>;
export type ComponentItem = EntityItem<typeof ComponentEntity>;
export type PostedIncidentRow = EntityItem<typeof PostedIncidentEntity>;
export type MaintenanceRow = EntityItem<typeof MaintenanceEntity>;

export interface IncidentUpdate {
  updateId: string;
  message: string;
  status: IncidentStatus;
  /** Each affected component's status from this update on (components absent here keep theirs). */
  componentStatuses: Record<string, ComponentStatus>;
  at: number;
  editedAt?: number;
}
/** A subscriber mail still to be queued: which event, about which update of the item carrying it. */
export interface Unannounced {
  kind: "incident.created" | "incident.updated" | "incident.resolved" | "maintenance.scheduled" | "maintenance.started" | "maintenance.completed" | "maintenance.cancelled";
  updateId: string;
}
export type PostedIncidentItem = Omit<PostedIncidentRow, "updates" | "unannounced"> & { updates: IncidentUpdate[]; unannounced?: Unannounced[] };

export interface MaintenanceUpdate {
  updateId: string;
  message: string;
  status: MaintenanceStatus;
  at: number;
}
export type MaintenanceItem = Omit<MaintenanceRow, "updates" | "unannounced"> & { updates: MaintenanceUpdate[]; unannounced?: Unannounced[] };
