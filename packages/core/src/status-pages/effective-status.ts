export * as EffectiveStatus from "./effective-status";

import type { ComponentStatus, Impact, IncidentStatus } from "./shape";

/**
 * What a status page shows, as pure functions of what was read: a component's baseline (its
 * monitor, or the status set by hand), replaced by under_maintenance while maintenance is in
 * progress, then the worst status its unresolved incidents give it on top. The page indicator
 * is the worst component, and never "none" while an incident is unresolved.
 */

/** Worse last; under_maintenance is planned, so any real problem outranks it. */
const SEVERITY: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};
const IMPACT_RANK: Record<Impact, number> = { none: 0, minor: 1, major: 2, critical: 3 };

export const worse = (a: ComponentStatus, b: ComponentStatus) => (SEVERITY[b] > SEVERITY[a] ? b : a);
export const worstImpact = (a: Impact, b: Impact) => (IMPACT_RANK[b] > IMPACT_RANK[a] ? b : a);

/** The status an incident gives its components when its updates do not say: by its impact. */
export const IMPACT_STATUS: Record<Impact, ComponentStatus> = {
  none: "operational",
  minor: "degraded_performance",
  major: "partial_outage",
  critical: "major_outage",
};

/** The indicator a component status contributes to its page. */
export const STATUS_INDICATOR: Record<ComponentStatus, Impact> = {
  operational: "none",
  under_maintenance: "none",
  degraded_performance: "minor",
  partial_outage: "major",
  major_outage: "critical",
};

export interface ComponentFacts {
  componentId: string;
  monitorId?: string;
  manualStatus: ComponentStatus;
  override?: { status: ComponentStatus; setAt: number };
  degradedAboveMs?: number;
}

/** What is known of a linked monitor: its live state and its last check's latency. */
export interface MonitorFacts {
  state: "pending" | "up" | "down" | "degraded";
  paused: boolean;
  lastLatencyMs?: number;
}

export interface IncidentFacts {
  status: IncidentStatus;
  impact: Impact;
  componentIds: string[];
  /** Oldest first; each may set some components' statuses from then on. */
  updates: { componentStatuses: Record<string, ComponentStatus> }[];
}

export interface MaintenanceFacts {
  status: "scheduled" | "in_progress" | "completed";
  componentIds: string[];
}

/**
 * Before maintenance and incidents: the override if set, else the monitor (down = major outage,
 * degraded, or its last check slower than the component's threshold = degraded performance); a static component, or a linked one whose monitor is
 * gone, paused or not checked yet, shows its manual status.
 */
export function baseline(c: ComponentFacts, monitor?: MonitorFacts): ComponentStatus {
  if (!c.monitorId) return c.manualStatus;
  if (c.override) return c.override.status;
  if (!monitor || monitor.paused || monitor.state === "pending") return c.manualStatus;
  if (monitor.state === "down") return "major_outage";
  if (monitor.state === "degraded") return "degraded_performance";
  if (c.degradedAboveMs !== undefined && monitor.lastLatencyMs !== undefined && monitor.lastLatencyMs > c.degradedAboveMs) return "degraded_performance";
  return "operational";
}

/** The status an unresolved incident gives one of its components now: its latest update that names it, else its impact. */
export function incidentStatusOf(incident: IncidentFacts, componentId: string): ComponentStatus | undefined {
  if (incident.status === "resolved" || !incident.componentIds.includes(componentId)) return undefined;
  for (let i = incident.updates.length - 1; i >= 0; i--) {
    const s = incident.updates[i]!.componentStatuses[componentId];
    if (s) return s;
  }
  return IMPACT_STATUS[incident.impact];
}

export function componentStatus(
  c: ComponentFacts,
  ctx: { monitor?: MonitorFacts; incidents: IncidentFacts[]; maintenance: MaintenanceFacts[] },
): ComponentStatus {
  let status = baseline(c, ctx.monitor);
  if (ctx.maintenance.some((m) => m.status === "in_progress" && m.componentIds.includes(c.componentId))) status = "under_maintenance";
  for (const incident of ctx.incidents) {
    const s = incidentStatusOf(incident, c.componentId);
    if (s) status = worse(status, s);
  }
  return status;
}

/**
 * The page's indicator: the worst component, raised to the worst unresolved incident's impact,
 * and at least "minor" while any incident is unresolved (an incident without components, or of
 * impact none, still says something is going on).
 */
export function pageIndicator(componentStatuses: ComponentStatus[], incidents: Pick<IncidentFacts, "status" | "impact">[]): Impact {
  let indicator: Impact = "none";
  for (const s of componentStatuses) indicator = worstImpact(indicator, STATUS_INDICATOR[s]);
  for (const i of incidents) {
    if (i.status === "resolved") continue;
    indicator = worstImpact(indicator, worstImpact("minor", i.impact));
  }
  return indicator;
}

/** A group shows its worst component (an empty group: operational). */
export const groupStatus = (componentStatuses: ComponentStatus[]): ComponentStatus => componentStatuses.reduce(worse, "operational");

/** Statuspage's page indicator: an impact, or `maintenance` while maintenance is the only thing going on. */
export type Indicator = Impact | "maintenance";

/** The page's indicator and its words, computed once for the HTML page, the JSON, the feeds and the badges. */
export function pageStatus(componentStatuses: ComponentStatus[], incidents: Pick<IncidentFacts, "status" | "impact">[]): { indicator: Indicator; description: string } {
  const impact = pageIndicator(componentStatuses, incidents);
  if (impact === "none" && componentStatuses.includes("under_maintenance")) return { indicator: "maintenance", description: "Service Under Maintenance" };
  return { indicator: impact, description: DESCRIPTIONS[impact] };
}

const DESCRIPTIONS: Record<Impact, string> = {
  none: "All Systems Operational",
  minor: "Minor Service Outage",
  major: "Partial System Outage",
  critical: "Major System Outage",
};
/** Statuspage's wording for an indicator; "Service Under Maintenance" when only maintenance is going on. */
export function describe(indicator: Impact, componentStatuses: ComponentStatus[]): string {
  if (indicator === "none" && componentStatuses.includes("under_maintenance")) return "Service Under Maintenance";
  return DESCRIPTIONS[indicator];
}
