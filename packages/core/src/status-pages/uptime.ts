export * as Uptime from "./uptime";

import { DAY, floorTo } from "../platform/time";
import type { ComponentStatus, Impact } from "./shape";
import { IMPACT_STATUS, worse } from "./effective-status";

/**
 * A component's uptime per UTC day for the status page's bars, as pure functions of what was
 * read. Monitor-linked components use the monitor's checks per day (LiveStatus.daily: rollups,
 * and for today raw results): checks in maintenance count as up. Static components use their
 * posted incidents' timelines, weighted as Instatus does: major outage = down, partial outage =
 * 0.3 down, degraded = up. A day with nothing to go on is null, shown as "no data" rather than
 * as 100%. Each day also lists the incidents and maintenance on the component that day, and
 * its colour (`level`) is the worse of what the checks and what those say.
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

/** The stretches of time an incident held a component at each status it gave it, oldest first. */
export function statusSegmentsOf(incident: IncidentTimeline, componentId: string, now: number): { from: number; to: number; status: ComponentStatus }[] {
  if (!incident.componentIds.includes(componentId)) return [];
  const end = Math.min(incident.resolvedAt ?? now, now);
  const points: { at: number; status: ComponentStatus }[] = [{ at: incident.startedAt, status: IMPACT_STATUS[incident.impact] }];
  for (const u of [...incident.updates].sort((a, b) => a.at - b.at)) {
    const s = u.componentStatuses[componentId];
    if (s) points.push({ at: Math.max(u.at, incident.startedAt), status: s });
  }
  return points.flatMap((p, i) => {
    const to = Math.min(points[i + 1]?.at ?? end, end);
    return to > p.at ? [{ from: p.at, to, status: p.status }] : [];
  });
}

/** The stretches of time an incident held a component at each status, as down weights. */
export const segmentsOf = (incident: IncidentTimeline, componentId: string, now: number): Segment[] =>
  statusSegmentsOf(incident, componentId, now).flatMap((s) => (DOWN_WEIGHT[s.status] > 0 ? [{ from: s.from, to: s.to, weight: DOWN_WEIGHT[s.status] }] : []));

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

// ---------- days with their incidents and maintenance ----------

/** An incident or maintenance on a component on one day, with the worst status it gave the component that day. */
export interface DayEvent {
  kind: "incident" | "maintenance";
  title: string;
  status: ComponentStatus;
}

/** One bar: the day's uptime (null: no data), the incidents and maintenance on it, and its colour. */
export interface Day {
  start: number;
  uptime: number | null;
  events: DayEvent[];
  level: Level;
}

/** A bar's colour, worst last: no data, up, maintenance, then the three grades of trouble. */
export type Level = "none" | "up" | "maintenance" | "minor" | "major" | "down";
const LEVEL_RANK: Record<Level, number> = { none: 0, up: 1, maintenance: 2, minor: 3, major: 4, down: 5 };
const STATUS_LEVEL: Record<ComponentStatus, Level> = {
  operational: "up",
  under_maintenance: "maintenance",
  degraded_performance: "minor",
  partial_outage: "major",
  major_outage: "down",
};

/** The colour uptime alone gives a day. */
export function uptimeLevel(p: number | null): Level {
  if (p === null) return "none";
  if (p >= 99.9) return "up";
  if (p >= 99) return "minor";
  if (p >= 95) return "major";
  return "down";
}

/** A day's colour: the worse of its uptime's and of what its incidents and maintenance gave the component. */
export function levelOf(uptime: number | null, events: DayEvent[]): Level {
  return events.reduce<Level>((l, e) => {
    const other = STATUS_LEVEL[e.status];
    return LEVEL_RANK[other] > LEVEL_RANK[l] ? other : l;
  }, uptimeLevel(uptime));
}

export interface MaintenanceWindow {
  title: string;
  componentIds: string[];
  startsAt: number;
  endsAt: number;
  status: "scheduled" | "in_progress" | "completed";
  startedAt?: number;
  completedAt?: number;
}

/** When maintenance actually held its components: from its start to its end, or to now while it runs; never if it never started. */
function maintenanceSpan(m: MaintenanceWindow, now: number): { from: number; to: number } | undefined {
  if (m.status === "scheduled") return undefined;
  const from = m.startedAt ?? m.startsAt;
  const to = Math.min(m.completedAt ?? (m.status === "completed" ? m.endsAt : now), now);
  return to > from ? { from, to } : undefined;
}

/**
 * The bars of one component: each day's uptime with the incidents and maintenance that touched
 * the component that day. An incident counts on a day with the worst status it gave the
 * component within that day (its impact until an update says otherwise).
 */
export function dayBars(
  componentId: string,
  uptime: (number | null)[],
  incidents: (IncidentTimeline & { title: string })[],
  maintenance: MaintenanceWindow[],
  opts: { firstDay: number; now: number },
): Day[] {
  const events: DayEvent[][] = uptime.map(() => []);
  const add = (from: number, to: number, event: DayEvent) => {
    for (let d = Math.max(0, Math.floor((from - opts.firstDay) / DAY)); d < uptime.length && opts.firstDay + d * DAY < to; d++) {
      const list = events[d]!;
      const same = list.find((e) => e.kind === event.kind && e.title === event.title);
      if (same) same.status = worse(same.status, event.status);
      else list.push({ ...event });
    }
  };
  for (const i of incidents) {
    // an incident that touched the component at all is on its days, even with "operational" (impact none)
    const segments = statusSegmentsOf(i, componentId, opts.now);
    for (const s of segments) add(s.from, s.to, { kind: "incident", title: i.title, status: s.status });
    if (segments.length === 0 && i.componentIds.includes(componentId) && i.startedAt <= opts.now) {
      add(i.startedAt, i.startedAt + 1, { kind: "incident", title: i.title, status: IMPACT_STATUS[i.impact] });
    }
  }
  for (const m of maintenance) {
    const span = m.componentIds.includes(componentId) ? maintenanceSpan(m, opts.now) : undefined;
    if (span) add(span.from, span.to, { kind: "maintenance", title: m.title, status: "under_maintenance" });
  }
  return uptime.map((p, d) => ({ start: opts.firstDay + d * DAY, uptime: p, events: events[d]!, level: levelOf(p, events[d]!) }));
}
