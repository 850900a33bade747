export * as PageBadges from "./badges";

import { StatusPage as MonitorStatusPage } from "../public/status-page";
import type { Impact } from "./shape";
import type { Snapshot } from "./snapshot";
import type { ComponentStatus } from "./shape";

/** A page's or a component's status as a shields-style SVG badge and as shields.io endpoint JSON. */

const IMPACT_COLOR: Record<Impact, string> = { none: "#4c1", minor: "#dfb317", major: "#fe7d37", critical: "#e05d44" };
const STATUS_COLOR: Record<ComponentStatus, string> = {
  operational: "#4c1",
  under_maintenance: "#007ec6",
  degraded_performance: "#dfb317",
  partial_outage: "#fe7d37",
  major_outage: "#e05d44",
};
const STATUS_TEXT: Record<ComponentStatus, string> = {
  operational: "operational",
  under_maintenance: "maintenance",
  degraded_performance: "degraded",
  partial_outage: "partial outage",
  major_outage: "major outage",
};
const SHIELDS_COLOR: Record<string, string> = { "#4c1": "brightgreen", "#007ec6": "blue", "#dfb317": "yellow", "#fe7d37": "orange", "#e05d44": "red" };

export interface Badge {
  label: string;
  message: string;
  color: string;
}

export function forPage(s: Snapshot): Badge {
  if (s.indicator === "maintenance") return { label: "status", message: "maintenance", color: STATUS_COLOR.under_maintenance };
  return {
    label: "status",
    message: s.indicator === "none" ? "operational" : s.description.toLowerCase(),
    color: IMPACT_COLOR[s.indicator],
  };
}

export function forComponent(s: Snapshot, componentId: string): Badge | undefined {
  const c = s.components.find((x) => x.componentId === componentId);
  return c && { label: c.name, message: STATUS_TEXT[c.status], color: STATUS_COLOR[c.status] };
}

export const svg = (b: Badge) => MonitorStatusPage.badgeSvg(b);

/** https://shields.io/badges/endpoint-badge */
export const shields = (b: Badge) => ({ schemaVersion: 1, label: b.label, message: b.message, color: SHIELDS_COLOR[b.color] ?? b.color });
