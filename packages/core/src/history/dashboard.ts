export * as Dashboard from "./dashboard";

import { z } from "zod";
import { CheckResult } from "../check/result";
import { Incident, IncidentEntity, type IncidentItem } from "../incident/incident";
import { MonitorEntity, type MonitorItem } from "../monitors/entity";
import { MONITOR_TYPES, STATUSES, typeOf } from "../monitors/fields";
import { MonitorRead } from "../monitors/read";
import { status as monitorStatus, targetOf } from "../monitors/view";
import { metered, type Meter } from "../platform/metering";
import { DAY, HOUR, floorTo } from "../platform/time";
import { History } from "./history";
import { LiveStatus } from "./live-status";
import { RollupJob } from "./rollup-job";
import { Stats } from "./stats";
import { assertCursorFor } from "../platform/table";

/**
 * What an owner sees about their monitors: summaries, response-time series, the all-monitors
 * overview and incident listings. History comes through History.read, so the cost of a read
 * depends on the length of the range in days and hours, not on how many checks it holds.
 */

export const RANGES = ["1h", "24h", "7d", "30d", "90d"] as const;
export type Range = (typeof RANGES)[number];
export const rangeMs: Record<Range, number> = { "1h": HOUR, "24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY, "90d": 90 * DAY };

/** Series resolution per range: 60 to 288 points, each from the coarsest items that fit in it. */
export const bucketSecFor: Record<Range, number> = { "1h": 60, "24h": 300, "7d": 3600, "30d": 86400, "90d": 86400 };

const iso = (t: number) => new Date(t).toISOString();
const isoOrNull = (t: number | undefined) => (t === undefined ? null : iso(t));

// ---------- summary ----------

export const Summary = z.object({
  monitorId: z.string(),
  name: z.string(),
  range: z.enum(RANGES),
  from: z.string(),
  to: z.string(),
  status: z.enum(STATUSES),
  lastCheckedAt: z.string().nullable(),
  lastLatencyMs: z.number().nullable(),
  uptimePercent: z.number().nullable().describe("Successful checks / all checks in the range, in percent; null without checks"),
  checks: z.object({ total: z.number(), failed: z.number() }),
  latencyMs: z
    .object({ avg: z.number().nullable(), p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() })
    .describe("Response time of successful checks; percentiles are read from rollup histograms (within 2.5%)"),
  openIncident: Incident.View.nullable(),
  incidents: z.object({
    count: z.number().describe("Incidents that overlap the range"),
    downtimeMs: z.number().describe("Time inside the range during which an incident was open"),
    mttrMs: z.number().nullable().describe("Mean duration of the incidents that were resolved inside the range"),
  }),
});
export type Summary = z.infer<typeof Summary>;

// a monitor's incidents that overlap [from, to]: the ones started inside it, plus the last one
// started before it (a monitor has at most one incident open at a time, so no earlier one can overlap)
export async function incidentsOverlapping(monitorId: string, from: number, to: number, meter?: Meter): Promise<IncidentItem[]> {
  const [inside, before] = await Promise.all([
    IncidentEntity.query
      .byMonitor({ monitorId })
      .between({ startedAt: from }, { startedAt: to })
      .go({ count: 1000, ...metered(meter) }),
    IncidentEntity.query
      .byMonitor({ monitorId })
      .between({ startedAt: 0 }, { startedAt: from - 1 })
      .go({ order: "desc", limit: 1, ...metered(meter) }),
  ]);
  return Stats.overlapping([...(before.data as IncidentItem[]), ...(inside.data as IncidentItem[])], from, to);
}

export async function summary(m: MonitorItem, range: Range, opts: { now?: number; meter?: Meter } = {}): Promise<Summary> {
  const now = opts.now ?? Date.now();
  const from = now - rangeMs[range];
  const mark = await RollupJob.watermark(opts.meter);
  const [hist, incidents] = await Promise.all([
    History.read(m, from, now, { coarsest: "day", watermark: mark, meter: opts.meter }),
    incidentsOverlapping(m.monitorId, from, now, opts.meter),
  ]);
  const last = hist.latest ?? (await CheckResult.lastOf(m, opts.meter));
  const f = Stats.figures(Stats.mergeAll(hist.pieces.map((p) => p.agg)));
  const open = m.openIncidentId
    ? (incidents.find((i) => i.incidentId === m.openIncidentId) ?? (await Incident.get(m.openIncidentId)))
    : undefined;
  return {
    monitorId: m.monitorId,
    name: m.name,
    range,
    from: iso(from),
    to: iso(now),
    status: monitorStatus(m),
    lastCheckedAt: isoOrNull(last?.at),
    lastLatencyMs: last?.latencyMs ?? null,
    uptimePercent: f.uptimePercent,
    checks: { total: f.total, failed: f.failed },
    latencyMs: { avg: f.avgMs, p50: f.p50Ms, p95: f.p95Ms, p99: f.p99Ms },
    openIncident: open ? Incident.toView(open) : null,
    incidents: {
      count: incidents.length,
      downtimeMs: Stats.downtimeMs(incidents, from, now),
      mttrMs: Stats.mttrMs(incidents, from, now),
    },
  };
}

// ---------- response-time series ----------

export const Point = z.object({
  at: z.string().describe("Start of the bucket"),
  checks: z.number(),
  failed: z.number(),
  uptimePercent: z.number().nullable(),
  avgMs: z.number().nullable(),
  p95Ms: z.number().nullable(),
});
export const Series = z.object({
  monitorId: z.string(),
  range: z.enum(RANGES),
  bucketSec: z.number(),
  from: z.string(),
  to: z.string(),
  points: z.array(Point),
});
export type Series = z.infer<typeof Series>;

export async function series(m: MonitorItem, range: Range, opts: { now?: number; meter?: Meter } = {}): Promise<Series> {
  const now = opts.now ?? Date.now();
  const bucket = bucketSecFor[range] * 1000;
  const n = Math.round(rangeMs[range] / bucket);
  // Aligned buckets, the last one holding `now`, so rollups (hour/day aligned) fall inside one bucket.
  const from = floorTo(now, bucket) - (n - 1) * bucket;
  const coarsest = bucket >= DAY ? "day" : bucket >= HOUR ? "hour" : "raw";
  const mark = await RollupJob.watermark(opts.meter);
  const hist = await History.read(m, from, now, { coarsest, watermark: mark, meter: opts.meter });
  const buckets = Array.from({ length: n }, () => Stats.emptyAgg());
  for (const p of hist.pieces) {
    const i = Math.floor((p.start - from) / bucket);
    if (i >= 0 && i < n) Stats.mergeAgg(buckets[i]!, p.agg);
  }
  return {
    monitorId: m.monitorId,
    range,
    bucketSec: bucket / 1000,
    from: iso(from),
    to: iso(now),
    points: buckets.map((agg, i) => {
      const f = Stats.figures(agg);
      return { at: iso(from + i * bucket), checks: f.total, failed: f.failed, uptimePercent: f.uptimePercent, avgMs: f.avgMs, p95Ms: f.p95Ms };
    }),
  };
}

// ---------- raw checks for short ranges ----------

/** Ranges short enough to chart every check (24 h of 10-second checks is 8,640: nine pages at most). */
export const RAW_RANGES = ["1h", "24h"] as const;
export type RawRange = (typeof RAW_RANGES)[number];
export const CHECK_TIMES_PAGE = 1000;

export const CheckTime = z.object({
  at: z.string(),
  ok: z.boolean(),
  latencyMs: z.number(),
});
export const CheckTimes = z.object({
  monitorId: z.string(),
  range: z.enum(RAW_RANGES),
  from: z.string(),
  to: z.string(),
  checks: z.array(CheckTime).describe("Oldest first"),
  cursor: z.string().nullable().describe("Where the next page starts (send it as ?cursor=); null on the last page"),
});
export type CheckTimes = z.infer<typeof CheckTimes>;

// a monitor's checks over the last hour or day, oldest first, a page of up to 1,000 at a time (only the charted attributes)
export async function checkTimes(m: MonitorItem, range: RawRange, opts: { now?: number; cursor?: string | null; limit?: number } = {}): Promise<CheckTimes> {
  const now = opts.now ?? Date.now();
  const from = now - rangeMs[range];
  const res = await CheckResult.list(m, { from, to: now, order: "asc", limit: Math.min(opts.limit ?? CHECK_TIMES_PAGE, CHECK_TIMES_PAGE), cursor: opts.cursor ?? null });
  return {
    monitorId: m.monitorId,
    range,
    from: iso(from),
    to: iso(now),
    checks: res.data.map((r) => ({ at: iso(r.at), ok: r.ok, latencyMs: r.latencyMs })),
    cursor: res.cursor ?? null,
  };
}

// ---------- all monitors at once ----------

/** Checks in the dashboard's bar strip. */
export const RECENT_CHECKS = 40;

export const Entry = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(MONITOR_TYPES),
  url: z.string().describe("What is checked: the URL of an HTTP monitor, host:port of a TCP one, the question (and resolver) of a DNS one"),
  slug: z.string().nullable(),
  intervalSec: z.number(),
  failureThreshold: z.number().describe("Failed checks in a row before the monitor is down"),
  status: z.enum(STATUSES),
  lastCheckedAt: z.string().nullable(),
  lastLatencyMs: z.number().nullable(),
  lastOk: z.boolean().nullable(),
  certDaysLeft: z.number().nullable().describe("Whole days until the last check's TLS certificate expires; null for plain HTTP"),
  uptime24h: z.number().nullable().describe("Uptime over the current hour and the 23 before it, in percent"),
  checks24h: z.number(),
  openIncident: Incident.View.nullable(),
  recentChecks: z
    .object({
      since: z.string().nullable().describe("When the oldest of them ran"),
      ok: z.array(z.boolean()).describe("Oldest first: true for a successful check"),
    })
    .describe(`The newest ${RECENT_CHECKS} checks (fewer for a new monitor), for the dashboard's bar strip`),
});
export const Overview = z.object({
  generatedAt: z.string(),
  monitors: z.array(Entry),
  cursor: z.string().nullable().describe("Where the next page starts (send it as ?cursor=); null on the last page"),
});
export type Overview = z.infer<typeof Overview>;

export interface OverviewPage {
  /** Without a limit: every monitor from the cursor on. */
  limit?: number;
  cursor?: string | null;
}

/** What the overview shows of a monitor: reading only these keeps 1,000 monitors' items cheap to parse. */
const OVERVIEW_ATTRIBUTES = [
  ...["monitorId", "name", "type", "slug", "intervalSec", "failureThreshold", "paused", "state", "openIncidentId", "cohort"],
  ...["url", "host", "port", "tls", "recordName", "recordType", "resolver"], // targetOf
] as const;

// an owner's monitors (at most MONITOR_LIMIT), oldest first: all of them, or a page
async function ownedMonitors(ownerId: string, page: OverviewPage, meter?: Meter) {
  const query = MonitorEntity.query.byOwner({ ownerId });
  assertCursorFor(page.cursor, MonitorEntity, "byOwner", query.params());
  const cursor = page.cursor ?? null;
  const attributes = [...OVERVIEW_ATTRIBUTES];
  const res = page.limit
    ? await query.go({ limit: page.limit, cursor, attributes, ...metered(meter) })
    : await query.go({ pages: "all", cursor, attributes, ...metered(meter) });
  return { monitors: res.data as MonitorItem[], cursor: page.limit ? (res.cursor ?? null) : null };
}

// open incidents by id, in one batch request per 100
async function incidentsById(ids: string[], meter?: Meter): Promise<Map<string, IncidentItem>> {
  if (ids.length === 0) return new Map();
  const { data } = await IncidentEntity.get(ids.map((incidentId) => ({ incidentId }))).go(metered(meter));
  return new Map((data as IncidentItem[]).map((i) => [i.incidentId, i]));
}

/**
 * Every monitor with its status, last check, 24h uptime and open incident. Status comes from
 * the monitor item, last check and 24 h figures from LiveStatus, open incidents from one batch
 * get for all monitors.
 */
export async function overview(ownerId: string, opts: { now?: number; meter?: Meter; page?: OverviewPage } = {}): Promise<Overview> {
  const now = opts.now ?? Date.now();
  const { monitors, cursor } = await ownedMonitors(ownerId, opts.page ?? {}, opts.meter);
  const [live, open] = await Promise.all([
    LiveStatus.forMonitors(monitors, { day: true, recent: RECENT_CHECKS, now, meter: opts.meter }),
    incidentsById(monitors.flatMap((m) => (m.openIncidentId ? [m.openIncidentId] : [])), opts.meter),
  ]);
  return {
    generatedAt: iso(now),
    monitors: monitors.map((m) => {
      const { last, day, recent = { ok: [] } } = live.get(m.monitorId) ?? {};
      const agg = day ?? Stats.emptyAgg();
      const incident = m.openIncidentId ? open.get(m.openIncidentId) : undefined;
      return {
        id: m.monitorId,
        name: m.name,
        type: typeOf(m),
        url: targetOf(m),
        slug: m.slug ?? null,
        intervalSec: m.intervalSec,
        failureThreshold: m.failureThreshold,
        status: monitorStatus(m),
        lastCheckedAt: isoOrNull(last?.at),
        lastLatencyMs: last?.latencyMs ?? null,
        lastOk: last?.ok ?? null,
        certDaysLeft: last?.certDaysLeft ?? null,
        uptime24h: Stats.uptimePercent(agg.count, agg.failures),
        checks24h: agg.count,
        openIncident: incident ? Incident.toView(incident) : null,
        recentChecks: { since: isoOrNull(recent.since), ok: recent.ok },
      };
    }),
    cursor,
  };
}

// ---------- incident listings ----------

export interface IncidentFilter {
  monitorId?: string;
  status?: "open" | "resolved";
  days: number;
  limit: number;
  cursor?: string | null;
}

// an owner's incidents (or one monitor's) started in the last `days`, newest first, optionally one status
export async function incidents(ownerId: string, filter: IncidentFilter, now = Date.now()) {
  const since = now - filter.days * DAY;
  let query;
  if (filter.monitorId) {
    await MonitorRead.getOwned(ownerId, filter.monitorId);
    query = IncidentEntity.query.byMonitor({ monitorId: filter.monitorId }).between({ startedAt: since }, { startedAt: now });
  } else {
    // bounded above too: monitors share this index partition and sort after incidents
    query = IncidentEntity.query.byOwner({ ownerId }).between({ startedAt: since }, { startedAt: now });
  }
  const status = filter.status;
  const filtered = status ? query.where((a, op) => op.eq(a.status, status)) : query;
  assertCursorFor(filter.cursor, IncidentEntity, filter.monitorId ? "byMonitor" : "byOwner", filtered.params());
  // `count` keeps reading past pages the status filter thinned out, so pages come back full.
  const res = await filtered.go({ order: "desc", count: filter.limit, cursor: filter.cursor ?? null });
  return { data: (res.data as IncidentItem[]).map(Incident.toView), cursor: res.cursor ?? null };
}

// ---------- raw results ----------

/** CheckResult.list (which checks the caller's cursor), newest first. */
export async function results(m: CheckResult.Owner, opts: { from?: number; to?: number; limit: number; cursor?: string | null }) {
  const page = await CheckResult.list(m, opts);
  return { data: page.data, cursor: page.cursor ?? null };
}
