export * as LiveStatus from "./live-status";

import { CheckResult, type Result } from "../check/result";
import type { MonitorItem } from "../monitors/entity";
import { mapLimit } from "../platform/concurrency";
import { config } from "../platform/config";
import type { Meter } from "../platform/metering";
import { DAY, HOUR, floorTo } from "../platform/time";
import { History } from "./history";
import { RollupJob } from "./rollup-job";
import { Stats } from "./stats";
import { CohortLive } from "./cohort-live";
import { Cohort } from "../monitors/cohort";

/**
 * The live figures of many monitors at once, as lists and dashboards show them: the last check
 * and, on request, the checks since the start of the hour 23 hours ago. Features that show
 * "now" (lists, dashboards, status-page bars) read through here, so the result store under it
 * can change without them (docs/architecture.md, "The result store"). On today's store it
 * costs one or two queries per monitor; monitor pages make it one BatchGetItem per 100.
 * `daily` gives the per-day figures of the status-page bars.
 */

export interface Live {
  /** The newest result, if the monitor was ever checked. */
  last?: Result;
  /** Checks over the current hour and the 23 before it (only when asked for). */
  day?: Stats.Agg;
  /** Ok flags of the newest `recent` checks, oldest first, and when the first of them was due (only when asked for). */
  recent?: { since?: number; ok: boolean[] };
}

/** Start of the 24 h window: whole hours, so the window never begins mid-rollup. */
export const dayStartOf = (now: number) => floorTo(now, HOUR) - 23 * HOUR;

/**
 * Where the raw part of the 24-hour read starts: at the watermark, or earlier when the newest
 * `recent` checks are wanted too, so the same raw-results query (no extra one) reaches back over
 * that many intervals; never further back than reads fall back to raw results.
 */
function rawSince(m: Pick<MonitorItem, "intervalSec">, recent: number, now: number, mark: number | undefined) {
  if (recent === 0 || mark === undefined) return mark;
  const reach = floorTo(now - recent * m.intervalSec * 1000, HOUR);
  return Math.min(mark, Math.max(reach, now - config().ROLLUP_RAW_MAX_HOURS * HOUR));
}

type Monitored = { monitorId: string; intervalSec: number; cohort?: string | null };

/**
 * Cohort members (every monitor created since cohorts) are read from their cohorts' live and
 * window items: two BatchGetItem requests per 100 cohorts, whatever N. Monitors without a cohort
 * keep the per-monitor reads of one item per check: one or two queries each.
 */
export async function forMonitors(monitors: Monitored[], opts: { day?: boolean; recent?: number; now?: number; meter?: Meter } = {}): Promise<Map<string, Live>> {
  const now = opts.now ?? Date.now();
  const members = monitors.filter(Cohort.hasCohort);
  const alone = monitors.filter((m) => !Cohort.hasCohort(m));
  const [cohorts, rows] = await Promise.all([
    CohortLive.readMany(members.map((m) => m.cohort), { window: opts.day === true, meter: opts.meter }),
    forMonitorsAlone(alone, opts, now),
  ]);
  const out = new Map<string, Live>();
  for (const m of monitors) {
    if (!Cohort.hasCohort(m)) {
      out.set(m.monitorId, rows.get(m.monitorId) ?? {});
      continue;
    }
    const f = CohortLive.figuresOf(m, cohorts.get(m.cohort), now);
    const want = opts.recent ?? 0;
    const ok = f.recent.ok.slice(-want);
    const since = f.recent.since === undefined ? undefined : f.recent.since + (f.recent.ok.length - ok.length) * m.intervalSec * 1000;
    out.set(m.monitorId, { last: f.last, ...(opts.day && { day: f.day }), ...(want > 0 && { recent: { since: ok.length ? since : undefined, ok } }) });
  }
  return out;
}

async function forMonitorsAlone(monitors: Monitored[], opts: { day?: boolean; recent?: number; meter?: Meter }, now: number): Promise<Map<string, Live>> {
  const mark = opts.day && monitors.length > 0 ? await RollupJob.watermark(opts.meter) : undefined;
  const rows = await mapLimit(monitors, 8, async (m): Promise<[string, Live]> => {
    if (!opts.day) return [m.monitorId, { last: await CheckResult.lastOf(m, opts.meter) }];
    // Hour rollups, and raw results past the watermark whose newest doubles as the last check.
    const want = opts.recent ?? 0;
    const hist = await History.read(m, dayStartOf(now), now, { coarsest: "hour", watermark: rawSince(m, want, now, mark), meter: opts.meter });
    const last = hist.latest ?? (await CheckResult.lastOf(m, opts.meter));
    const day = Stats.mergeAll(hist.pieces.map((p) => p.agg));
    const recent = hist.tail.slice(-want);
    return [m.monitorId, { last, day, ...(want > 0 && { recent: { since: recent[0]?.at, ok: recent.map((r) => r.ok) } }) }];
  });
  return new Map(rows);
}

/** The first of `days` UTC days ending today. */
export const firstDayOf = (now: number, days: number) => floorTo(now, DAY) - (days - 1) * DAY;

/** Pieces of history summed per UTC day: `days` aggregates from `firstDay` on, oldest first. */
export function perDay(pieces: { start: number; agg: Stats.Agg }[], firstDay: number, days: number): Stats.Agg[] {
  const out = Array.from({ length: days }, () => Stats.emptyAgg());
  for (const p of pieces) {
    const i = Math.floor((p.start - firstDay) / DAY);
    if (i >= 0 && i < days) Stats.mergeAgg(out[i]!, p.agg);
  }
  return out;
}

/**
 * Each monitor's checks per UTC day over the `days` days ending today. Days the rollup job has
 * closed come from day rollups; today, and any day it has not rolled up yet, from hour rollups
 * and the raw results past its watermark, so a monitor checked a minute ago already counts.
 * Per monitor that is at most three queries (day rollups, hour rollups, raw tail; the raw tail
 * reaches back at most ROLLUP_RAW_MAX_HOURS), plus one watermark read for them all.
 */
export async function daily(
  monitors: Monitored[],
  opts: { days: number; now?: number; meter?: Meter },
): Promise<Map<string, Stats.Agg[]>> {
  const now = opts.now ?? Date.now();
  const firstDay = firstDayOf(now, opts.days);
  const mark = monitors.length > 0 ? await RollupJob.watermark(opts.meter) : undefined;
  const rows = await mapLimit(monitors, 8, async (m): Promise<[string, Stats.Agg[]]> => {
    const hist = await History.read(m, firstDay, now, { coarsest: "day", watermark: mark, meter: opts.meter });
    return [m.monitorId, perDay(hist.pieces, firstDay, opts.days)];
  });
  return new Map(rows);
}
