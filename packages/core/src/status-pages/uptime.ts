export * as Uptime from "./uptime";

import { DAY, floorTo } from "../platform/time";
import type { ComponentStatus, Impact } from "./fields";
import { IMPACT_STATUS } from "./effective-status";

/**
 * A component's uptime per UTC day for the status page's bars, as pure functions of what was
 * read. Monitor-linked components use the monitor's daily rollups (never raw results): checks
 * in maintenance count as up. Static components use their posted incidents' timelines, weighted
 * as Instatus does: major outage = down, partial outage = 0.3 down, degraded = up. A day with
 * nothing to go on is null, shown as "no data" rather than as 100%.
 */

export const DAYS = 90;

/** Percent with three decimals, like the monitor pages' figures. */
const percent = (fraction: number) => Math.round(fraction * 100_000) / 1000;

/** The first day of the bars ending today. */
export const firstDayOf = (now: number, days = DAYS) => floorTo(now, DAY) - (days - 1) * DAY;

export interface DailyRollup {
  start: number;
  count: number;
  failures: number;
  /** Failed checks made while the monitor was in maintenance (absent in rollups from before maintenance existed). */
  maintenanceFailures?: number;
}

/** (up + maintenance) / all checks, per day; null for a day without checks. */
export function monitorDays(rollups: DailyRollup[], firstDay: number, days = DAYS): (number | null)[] {
  const count = new Array<number>(days).fill(0);
  const down = new Array<number>(days).fill(0);
  for (const r of rollups) {
    const i = Math.floor((r.start - firstDay) / DAY);
    if (i < 0 || i >= days) continue;
    count[i]! += r.count;
    down[i]! += r.failures - (r.maintenanceFailures ?? 0);
  }
  return count.map((n, i) => (n > 0 ? percent((n - down[i]!) / n) : null));
}

const DOWN_WEIGHT: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 0,
  degraded_performance: 0,
  partial_outage: 0.3,
  major_outage: 1,
};

export interface IncidentTimeline {
  impact: Impact;
  componentIds: string[];
  startedAt: number;
  resolvedAt?: number;
  updates: { at: number; componentStatuses: Record<string, ComponentStatus> }[];
}

interface Segment {
  from: number;
  to: number;
  weight: number;
}

/** The stretches of time an incident held a component at each status, as down weights. */
export function segmentsOf(incident: IncidentTimeline, componentId: string, now: number): Segment[] {
  if (!incident.componentIds.includes(componentId)) return [];
  const end = Math.min(incident.resolvedAt ?? now, now);
  const points: { at: number; status: ComponentStatus }[] = [{ at: incident.startedAt, status: IMPACT_STATUS[incident.impact] }];
  for (const u of [...incident.updates].sort((a, b) => a.at - b.at)) {
    const s = u.componentStatuses[componentId];
    if (s) points.push({ at: Math.max(u.at, incident.startedAt), status: s });
  }
  const segments: Segment[] = [];
  points.forEach((p, i) => {
    const to = Math.min(points[i + 1]?.at ?? end, end);
    if (to > p.at && DOWN_WEIGHT[p.status] > 0) segments.push({ from: p.at, to, weight: DOWN_WEIGHT[p.status] });
  });
  return segments;
}

/** Down time in ms per day, weighted; overlapping incidents count the worst weight once. */
function weightedDownPerDay(segments: Segment[], firstDay: number, days: number): number[] {
  const down = new Array<number>(days).fill(0);
  const bounds = [...new Set(segments.flatMap((s) => [s.from, s.to]))].sort((a, b) => a - b);
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i]!;
    const to = bounds[i + 1]!;
    const weight = Math.max(0, ...segments.filter((s) => s.from <= from && s.to >= to).map((s) => s.weight));
    if (!weight) continue;
    for (let t = from; t < to; ) {
      const dayStart = floorTo(t, DAY);
      const stop = Math.min(to, dayStart + DAY);
      const d = Math.floor((dayStart - firstDay) / DAY);
      if (d >= 0 && d < days) down[d]! += (stop - t) * weight;
      t = stop;
    }
  }
  return down;
}

/**
 * A static component's uptime per day from its incidents. Days before the component existed,
 * and days not begun yet, are null; today counts only its elapsed part.
 */
export function staticDays(
  componentId: string,
  incidents: IncidentTimeline[],
  opts: { firstDay: number; now: number; since: number; days?: number },
): (number | null)[] {
  const days = opts.days ?? DAYS;
  const down = weightedDownPerDay(incidents.flatMap((i) => segmentsOf(i, componentId, opts.now)), opts.firstDay, days);
  return down.map((ms, d) => {
    const dayStart = opts.firstDay + d * DAY;
    const dayEnd = Math.min(dayStart + DAY, opts.now);
    if (dayStart + DAY <= opts.since || dayEnd <= dayStart) return null;
    return percent(Math.max(0, 1 - ms / (dayEnd - dayStart)));
  });
}

/** Uptime over the days that have data: the mean of the days, each weighing the same. */
export function overall(days: (number | null)[]): number | null {
  const known = days.filter((d): d is number => d !== null);
  return known.length ? Math.round((known.reduce((a, b) => a + b, 0) / known.length) * 1000) / 1000 : null;
}
