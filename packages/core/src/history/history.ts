export * as History from "./history";

import { CheckResult, type Result } from "../check/result";
import { config } from "../platform/config";
import { metered, type Meter } from "../platform/metering";
import { DAY, HOUR, ceilTo, floorTo } from "../platform/time";
import { Rollup, RollupEntity, type RollupGrain, type RollupItem } from "./rollup";
import { Stats } from "./stats";

/**
 * A monitor's history over a range, read from the coarsest items that cover it: day and hour
 * rollups up to the rollup job's watermark, raw check results for the rest. Dashboards and
 * status pages read through here, so a read costs a few dozen items whatever the range holds.
 */

// a monitor's check results with at in [from, to), oldest first
export const readResults = (m: CheckResult.Owner, from: number, to: number, meter?: Meter): Promise<Result[]> => CheckResult.between(m, from, to, meter);

// a monitor's rollups of one grain starting in [from, to)
export async function readRollups(monitorId: string, grain: RollupGrain, from: number, to: number, meter?: Meter, consistent = false) {
  if (to <= from) return [];
  const { data } = await RollupEntity.query
    .byMonitor({ monitorId })
    .between({ grain, start: from }, { grain, start: to - 1 })
    .go({ pages: "all", consistent, ...metered(meter) });
  return data as RollupItem[];
}

// ---------- planning ----------

export type Grain = "day" | "hour" | "raw";
export interface Span {
  from: number;
  to: number;
}
/** Which items cover [from, to): day rollups, hour rollups, and raw results for the rest. */
export interface Plan {
  days?: Span;
  hours: Span[];
  raw: Span[];
}

/**
 * Cover [from, to) with the coarsest items allowed: whole UTC days from day rollups, whole
 * hours from hour rollups (only monitors that have them), raw results for the edges and for
 * whatever lies past the watermark. Raw results past the watermark are read only for the last
 * `rawMaxMs`: if the job falls far behind, older unrolled hours drop out of the figures rather
 * than one request reading an unbounded number of results.
 */
export function plan(from: number, to: number, opts: { watermark?: number; hourly: boolean; coarsest: Grain; rawMaxMs: number }): Plan {
  const mark = opts.watermark ?? -Infinity;
  const rolledEnd = Math.min(to, mark);
  let gaps: Span[] = [{ from, to }];
  let days: Span | undefined;
  if (opts.coarsest === "day") {
    const d0 = ceilTo(from, DAY);
    const d1 = floorTo(rolledEnd, DAY);
    if (d1 > d0) {
      days = { from: d0, to: d1 };
      gaps = [
        { from, to: d0 },
        { from: d1, to },
      ];
    }
  }
  const hours: Span[] = [];
  const raw: Span[] = [];
  for (const g of gaps) {
    if (g.to <= g.from) continue;
    if (opts.coarsest !== "raw" && opts.hourly) {
      const h0 = ceilTo(g.from, HOUR);
      const h1 = floorTo(Math.min(g.to, rolledEnd), HOUR);
      if (h1 > h0) {
        hours.push({ from: h0, to: h1 });
        raw.push({ from: g.from, to: h0 }, { from: h1, to: g.to });
        continue;
      }
    }
    raw.push(g);
  }
  const rawFloor = Math.max(mark, to - opts.rawMaxMs);
  const clipped = raw.flatMap((s) => [
    { from: s.from, to: Math.min(s.to, mark) },
    { from: Math.max(s.from, rawFloor), to: s.to },
  ]);
  return { ...(days ? { days } : {}), hours, raw: mergeSpans(clipped.filter((s) => s.to > s.from)) };
}

function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.from - b.from);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to);
    else out.push({ ...s });
  }
  return out;
}


// ---------- reading ----------

/** A piece of history: one rollup, or one raw check (start = its slot). */
export interface Piece {
  start: number;
  grain: Grain;
  agg: Stats.Agg;
}

export interface MonitorHistory {
  pieces: Piece[];
  /** The newest result, when the read covered the latest raw results (otherwise look it up). */
  latest?: Result;
  /** The raw results that end the range, oldest first (empty when rollups cover its end). */
  tail: Result[];
}

/** A monitor's history over [from, to), as pieces no coarser than `coarsest`. */
export async function read(
  m: { monitorId: string; intervalSec: number; cohort?: string | null },
  from: number,
  to: number,
  opts: { coarsest: Grain; watermark: number | undefined; meter?: Meter },
): Promise<MonitorHistory> {
  const p = plan(from, to, {
    watermark: opts.watermark,
    hourly: Rollup.isHourly(m.intervalSec),
    coarsest: opts.coarsest,
    rawMaxMs: config().ROLLUP_RAW_MAX_HOURS * HOUR,
  });
  const [days, hours, raws] = await Promise.all([
    p.days ? readRollups(m.monitorId, "day", p.days.from, p.days.to, opts.meter) : [],
    Promise.all(p.hours.map((s) => readRollups(m.monitorId, "hour", s.from, s.to, opts.meter))),
    Promise.all(p.raw.map((s) => readResults(m, s.from, s.to, opts.meter))),
  ]);
  const pieces: Piece[] = [
    ...days.map((i) => ({ start: i.start, grain: "day" as const, agg: Rollup.toAgg(i) })),
    ...hours.flat().map((i) => ({ start: i.start, grain: "hour" as const, agg: Rollup.toAgg(i) })),
    ...raws.flat().map((r) => ({ start: r.at, grain: "raw" as const, agg: Stats.aggOf([r]) })),
  ];
  const lastSpan = p.raw[p.raw.length - 1];
  const tail = lastSpan && lastSpan.to === to ? raws[raws.length - 1]! : [];
  return { pieces, latest: tail[tail.length - 1], tail };
}
