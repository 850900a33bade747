/**
 * A status page's vocabulary, declared once (the admin API's input rules are in fields.ts). The
 * statuses and impacts are Atlassian Statuspage's, so its v2 JSON shape is served without translation.
 */
export const COMPONENT_STATUSES = ["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];
export const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const IMPACTS = ["none", "minor", "major", "critical"] as const;
export type Impact = (typeof IMPACTS)[number];
export const MAINTENANCE_STATUSES = ["scheduled", "in_progress", "completed"] as const;
export type MaintenanceStatus = (typeof MAINTENANCE_STATUSES)[number];
export const THEMES = ["light", "dark", "auto"] as const;
export const VISIBILITIES = ["public", "protected"] as const;

/** How a page is named in titles and mails: "Acme status", never "Acme status status". */
export const statusName = (title: string) => (/\bstatus$/i.test(title.trim()) ? title.trim() : `${title.trim()} status`);
