export * as Rollup from "./rollup";

import { Entity, type ElectroEvent } from "electrodb";
import { CheckResultEntity, type Result } from "../check/result";
import { mapLimit } from "../platform/concurrency";
import { config } from "../platform/config";
import { isConditionalCheckFailed } from "../platform/errors";
import { INTERVALS, MonitorEntity, dueKeys, type MonitorItem } from "../monitors/monitor";
import { Stats } from "./stats";
import { bindToTable, entityOptions } from "../platform/table";

/**
 * Rollups: per monitor, one item per hour and one per day holding the check count, failures
 * and a mergeable latency summary (Stats.Agg), so a 30- or 90-day figure reads a few dozen
 * small items instead of tens of thousands of check results.
 *
 * Built by a scheduled job, not as results arrive. A healthy check writes exactly one item
 * today; updating an hour rollup per check would double that, and the budget is 1.1 write
 * units per check. The hourly job instead writes one hour item per monitor per hour and one
 * day item per monitor per day (each under 1 KB, so 1 write unit):
 *   - 1-minute monitor:  (24 + 1) writes / 1,440 checks ≈ 0.017 WCU per check
 *   - 5-minute monitor:  (24 + 1) / 288 ≈ 0.087 WCU per check (1.087 in all, the worst case)
 *   - slower monitors get no hour items (they would cost a 10-minute monitor +0.17 and an
 *     hourly one +1 WCU per check), only the day item: 1 / 144 ≈ 0.007 WCU per check for a
 *     10-minute monitor, 1 / 24 ≈ 0.042 for an hourly one; reads of their partial days use
 *     their few raw results instead.
 *
 * The job is idempotent: keys are (monitor, grain, start) and writes are plain puts of values
 * recomputed from the results, so a repeated or overlapping run writes the same items. A
 * watermark item records the end of the last hour rolled for every monitor; each run catches
 * up from there, and readers use raw results for whatever lies past it.
 */

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;
export const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit;

export const RollupEntity = bindToTable(
  new Entity(
    {
      model: { entity: "rollup", version: "1", service: "uptime" },
      attributes: {
        monitorId: { type: "string", required: true },
        grain: { type: ["hour", "day"] as const, required: true },
        start: { type: "number", required: true }, // epoch ms, UTC-aligned
        count: { type: "number", required: true },
        failures: { type: "number", required: true },
        latencySum: { type: "number", required: true },
        latencyMin: { type: "number" },
        latencyMax: { type: "number" },
        hist: { type: "any", required: true }, // Stats.Histogram
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // a monitor's rollups of one grain, by start (shares the partition of its check results)
        byMonitor: {
          pk: { field: "pk", composite: ["monitorId"] },
          sk: { field: "sk", composite: ["grain", "start"] },
        },
      },
    },
    entityOptions(),
  ),
);

export type RollupItem = NonNullable<Awaited<ReturnType<ReturnType<typeof RollupEntity.get>["go"]>>["data"]>;
export type RollupGrain = RollupItem["grain"];

/** How far the job has got: every hour before `through` is rolled up for every monitor. */
export const RollupMarkEntity = bindToTable(
  new Entity(
    {
      model: { entity: "rollupMark", version: "1", service: "uptime" },
      attributes: {
        job: { type: "string", required: true },
        through: { type: "number", required: true },
        updatedAt: { type: "number", required: true },
      },
      indexes: {
        // the watermark of one job
        byJob: { pk: { field: "pk", composite: ["job"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

const JOB = "hourly";

// ---------- read accounting ----------

/** Requests, items read and read units, for tests and logs to see what a read really cost. */
export interface Meter {
  requests: number;
  items: number;
  readUnits: number;
}

export const newMeter = (): Meter => ({ requests: 0, items: 0, readUnits: 0 });

/** ElectroDB options that add every response's item count and consumed capacity to `meter`. */
export function metered(meter?: Meter) {
  if (!meter) return {};
  return {
    params: { ReturnConsumedCapacity: "TOTAL" },
    logger: (event: ElectroEvent) => {
      if (event.type !== "results" || !event.success) return;
      const r = event.results as any;
      meter.requests++;
      if (Array.isArray(r?.Items)) meter.items += r.ScannedCount ?? r.Items.length;
      else if (r?.Item) meter.items += 1;
      else if (r?.Responses) meter.items += Object.values(r.Responses as Record<string, unknown[]>).reduce((n, l) => n + l.length, 0);
      const cc = r?.ConsumedCapacity;
      const units = (c: any) => Number(c?.CapacityUnits ?? 0);
      meter.readUnits += Array.isArray(cc) ? cc.reduce((s: number, c: any) => s + units(c), 0) : units(cc);
    },
  };
}

// ---------- items ----------

export function toAgg(item: Pick<RollupItem, "count" | "failures" | "latencySum" | "latencyMin" | "latencyMax" | "hist">): Stats.Agg {
  return {
    count: item.count,
    failures: item.failures,
    latencySum: item.latencySum,
    latencyMin: item.latencyMin,
    latencyMax: item.latencyMax,
    hist: { ...((item.hist as Stats.Histogram | undefined) ?? {}) },
  };
}

export function itemOf(monitorId: string, grain: RollupGrain, start: number, agg: Stats.Agg): RollupItem {
  const c = config();
  const keepDays = grain === "hour" ? c.ROLLUP_HOUR_RETENTION_DAYS : c.ROLLUP_DAY_RETENTION_DAYS;
  return {
    monitorId,
    grain,
    start,
    count: agg.count,
    failures: agg.failures,
    latencySum: agg.latencySum,
    latencyMin: agg.latencyMin,
    latencyMax: agg.latencyMax,
    hist: agg.hist,
    expiresAt: Math.floor((start + (grain === "hour" ? HOUR : DAY)) / 1000) + keepDays * 86400,
  };
}

/** DynamoDB's item size rule (names + values; numbers about one byte per two digits), to price writes. */
export function itemBytes(value: unknown): number {
  const size = (v: unknown): number => {
    if (v === null || v === undefined || typeof v === "boolean") return 1;
    if (typeof v === "string") return Buffer.byteLength(v);
    if (typeof v === "number") return Math.ceil(String(Math.abs(v)).replace(/[.-]|^0+/g, "").length / 2) + 1;
    if (Array.isArray(v)) return 3 + v.reduce((n: number, x) => n + size(x) + 1, 0);
    return 3 + Object.entries(v as object).reduce((n, [k, x]) => n + Buffer.byteLength(k) + size(x) + 1, 0);
  };
  return Object.entries(value as object).reduce((n, [k, v]) => n + Buffer.byteLength(k) + size(v), 0);
}

/** Write units of one put of this rollup, as DynamoDB bills it (1 KB steps). */
export function writeUnitsOf(item: RollupItem): number {
  const { Item } = RollupEntity.put(item).params() as { Item: Record<string, unknown> };
  return Math.max(1, Math.ceil(itemBytes(Item) / 1024));
}

// ---------- reads ----------

// a monitor's check results with at in [from, to), oldest first
export async function readResults(monitorId: string, from: number, to: number, meter?: Meter): Promise<Result[]> {
  if (to <= from) return [];
  const { data } = await CheckResultEntity.query
    .history({ monitorId })
    .between({ at: from }, { at: to - 1 })
    .go({ pages: "all", ...metered(meter) });
  return data as Result[];
}

// a monitor's newest check result

// a monitor's rollups of one grain starting in [from, to)
export async function readRollups(monitorId: string, grain: RollupGrain, from: number, to: number, meter?: Meter, consistent = false) {
  if (to <= from) return [];
  const { data } = await RollupEntity.query
    .byMonitor({ monitorId })
    .between({ grain, start: from }, { grain, start: to - 1 })
    .go({ pages: "all", consistent, ...metered(meter) });
  return data as RollupItem[];
}

// the end of the last hour the job rolled up for every monitor
export async function watermark(meter?: Meter): Promise<number | undefined> {
  const { data } = await RollupMarkEntity.get({ job: JOB }).go(metered(meter));
  return data?.through;
}

/** Moves the watermark forward only: an older run finishing late must not move it back. */
async function advanceWatermark(through: number, now: number) {
  try {
    await RollupMarkEntity.update({ job: JOB })
      .set({ through, updatedAt: now })
      .where((a, op) => `${op.notExists(a.through)} OR ${op.lt(a.through, through)}`)
      .go({ response: "none" });
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

// ---------- the job ----------

export const isHourly = (intervalSec: number) => intervalSec <= config().ROLLUP_HOURLY_MAX_INTERVAL_SEC;

/**
 * Every partition of the `due` index (gsi2). Each monitor sits in exactly one: its interval's
 * bucket, or `paused`. Derived from Monitor.dueKeys so it cannot drift from how they are written.
 */
export function dueBuckets(): string[] {
  const buckets = new Set<string>();
  for (const interval of INTERVALS) {
    for (let offset = 0; offset < interval; offset += 60) buckets.add(dueKeys(interval, offset, false).dueBucket);
  }
  buckets.add(dueKeys(60, 0, true).dueBucket);
  return [...buckets];
}

/**
 * Every monitor, without a table scan: one query per due-index partition (127 of them, most
 * small). Paused monitors are included because they may have been checked before pausing.
 */
export async function allMonitors(meter?: Meter): Promise<Array<Pick<MonitorItem, "monitorId" | "intervalSec">>> {
  const lists = await mapLimit(dueBuckets(), config().ROLLUP_CONCURRENCY, async (dueBucket) => {
    const { data } = await MonitorEntity.query.due({ dueBucket }).go({ pages: "all", attributes: ["monitorId", "intervalSec"], ...metered(meter) });
    return data as Array<Pick<MonitorItem, "monitorId" | "intervalSec">>;
  });
  const byId = new Map(lists.flat().map((m) => [m.monitorId, m]));
  return [...byId.values()];
}

function groupBy(results: Result[], unit: number): Map<number, Stats.Agg> {
  const groups = new Map<number, Stats.Agg>();
  for (const r of results) {
    const start = floorTo(r.at, unit);
    let agg = groups.get(start);
    if (!agg) groups.set(start, (agg = Stats.emptyAgg()));
    Stats.addCheck(agg, r);
  }
  return groups;
}

/** Starts of the UTC days that end inside (from, to]. */
function daysEndingIn(from: number, to: number): number[] {
  const days: number[] = [];
  for (let d = floorTo(from, DAY); d + DAY <= to; d += DAY) if (d + DAY > from) days.push(d);
  return days;
}

export interface RunReport {
  from: number;
  to: number;
  skipped?: boolean;
  monitors: number;
  reads: Meter;
  writes: number;
  writeUnits: number;
}

async function putAll(items: RollupItem[]) {
  let pending = items;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= 6) throw new Error(`rollup: ${pending.length} items still unprocessed after ${attempt} attempts`);
    if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    const { unprocessed } = await RollupEntity.put(pending).go();
    const left = new Set(unprocessed.map((k: any) => `${k.grain}#${k.start}#${k.monitorId}`));
    pending = pending.filter((i) => left.has(`${i.grain}#${i.start}#${i.monitorId}`));
  }
}

/** Rolls up one monitor's whole hours in [from, to), and every UTC day that ends inside them. */
async function rollMonitor(m: Pick<MonitorItem, "monitorId" | "intervalSec">, from: number, to: number, meter: Meter) {
  const items: RollupItem[] = [];
  const days = daysEndingIn(from, to);
  if (isHourly(m.intervalSec)) {
    const hours = groupBy(await readResults(m.monitorId, from, to, meter), HOUR);
    for (const [start, agg] of hours) items.push(itemOf(m.monitorId, "hour", start, agg));
    for (const day of days) {
      const parts = [...hours].filter(([start]) => start >= day && start < day + DAY).map(([, agg]) => agg);
      // The day began before this run: its earlier hours were written by earlier runs.
      if (day < from) parts.push(...(await readRollups(m.monitorId, "hour", day, from, meter, true)).map(toAgg));
      const agg = Stats.mergeAll(parts);
      if (agg.count > 0) items.push(itemOf(m.monitorId, "day", day, agg));
    }
  } else if (days.length > 0) {
    // At most 144 results per day at these intervals: the day is rebuilt from them directly.
    const results = await readResults(m.monitorId, days[0]!, days[days.length - 1]! + DAY, meter);
    for (const [start, agg] of groupBy(results, DAY)) items.push(itemOf(m.monitorId, "day", start, agg));
  }
  await putAll(items);
  return items;
}

/** Rolls up the whole hours [from, to) for every monitor. Does not move the watermark. */
export async function run(from: number, to: number, opts: { meter?: Meter } = {}): Promise<RunReport> {
  if (from % HOUR !== 0 || to % HOUR !== 0) throw new Error("rollup spans must start and end on whole hours");
  const reads = opts.meter ?? newMeter();
  const monitors = await allMonitors(reads);
  let writes = 0;
  let writeUnits = 0;
  await mapLimit(monitors, config().ROLLUP_CONCURRENCY, async (m) => {
    const items = await rollMonitor(m, from, to, reads);
    writes += items.length;
    for (const i of items) writeUnits += writeUnitsOf(i);
  });
  return { from, to, monitors: monitors.length, reads, writes, writeUnits };
}

/** One hour, for tests and manual repair. */
export const runHour = (hourStart: number) => run(hourStart, hourStart + HOUR);

/**
 * What the hourly schedule runs: every whole hour that ended at least ROLLUP_GRACE_SEC ago and
 * is not rolled up yet, reaching back at most `maxHours` (missed runs are caught up, a long
 * outage of the job is not replayed forever). Then the watermark moves to the end of it.
 */
export async function catchUp(now = Date.now(), opts: { maxHours?: number } = {}): Promise<RunReport> {
  const c = config();
  const to = floorTo(now - c.ROLLUP_GRACE_SEC * 1000, HOUR);
  const mark = await watermark();
  const from = Math.max(mark ?? -Infinity, to - (opts.maxHours ?? c.ROLLUP_CATCHUP_HOURS) * HOUR);
  if (from >= to) return { from: to, to, skipped: true, monitors: 0, reads: newMeter(), writes: 0, writeUnits: 0 };
  const report = await run(from, to);
  await advanceWatermark(to, now);
  return report;
}

// ---------- reading history ----------

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

/** A piece of history: one rollup, or one raw check (start = its slot). */
export interface Piece {
  start: number;
  grain: Grain;
  agg: Stats.Agg;
}

export interface History {
  pieces: Piece[];
  /** The newest result, when the read covered the latest raw results (otherwise look it up). */
  latest?: Result;
}

/** A monitor's history over [from, to), as pieces no coarser than `coarsest`. */
export async function history(
  m: Pick<MonitorItem, "monitorId" | "intervalSec">,
  from: number,
  to: number,
  opts: { coarsest: Grain; watermark: number | undefined; meter?: Meter },
): Promise<History> {
  const p = plan(from, to, {
    watermark: opts.watermark,
    hourly: isHourly(m.intervalSec),
    coarsest: opts.coarsest,
    rawMaxMs: config().ROLLUP_RAW_MAX_HOURS * HOUR,
  });
  const [days, hours, raws] = await Promise.all([
    p.days ? readRollups(m.monitorId, "day", p.days.from, p.days.to, opts.meter) : [],
    Promise.all(p.hours.map((s) => readRollups(m.monitorId, "hour", s.from, s.to, opts.meter))),
    Promise.all(p.raw.map((s) => readResults(m.monitorId, s.from, s.to, opts.meter))),
  ]);
  const pieces: Piece[] = [
    ...days.map((i) => ({ start: i.start, grain: "day" as const, agg: toAgg(i) })),
    ...hours.flat().map((i) => ({ start: i.start, grain: "hour" as const, agg: toAgg(i) })),
    ...raws.flat().map((r) => ({ start: r.at, grain: "raw" as const, agg: Stats.aggOf([r]) })),
  ];
  const lastSpan = p.raw[p.raw.length - 1];
  const tail = lastSpan && lastSpan.to === to ? raws[raws.length - 1]! : [];
  return { pieces, latest: tail[tail.length - 1] };
}

// ---------- helpers ----------

