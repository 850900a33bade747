export * as RollupJob from "./rollup-job";

import { Entity } from "electrodb";
import type { Result } from "../check/result";
import { mapLimit } from "../platform/concurrency";
import { config } from "../platform/config";
import { isConditionalCheckFailed } from "../platform/errors";
import { metered, newMeter, type Meter } from "../platform/metering";
import { lazyEntity, entityOptions } from "../platform/table";
import { DAY, HOUR, floorTo } from "../platform/time";
import { allMonitors } from "../schedule/due-index";
import { readResults, readRollups } from "./history";
import { Rollup, type RollupItem } from "./rollup";
import { Stats } from "./stats";
import { CohortLive } from "./cohort-live";
import { Cohort } from "../monitors/cohort";

/**
 * The hourly job that writes the rollup items (see Rollup for what they cost).
 *
 * The job is idempotent: keys are (monitor, grain, start) and writes are plain puts of values
 * recomputed from the results, so a repeated or overlapping run writes the same items. A
 * watermark item records the end of the last hour rolled for every monitor; each run catches
 * up from there, and readers use raw results for whatever lies past it.
 */

/** How far the job has got: every hour before `through` is rolled up for every monitor. */
export const RollupMarkEntity = lazyEntity(() =>
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
  /** Cohort window items rewritten (history/cohort-live.ts), and what they cost. */
  windows?: number;
  windowWriteUnits?: number;
}

async function putAll(items: RollupItem[]) {
  let pending = items;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= 6) throw new Error(`rollup: ${pending.length} items still unprocessed after ${attempt} attempts`);
    if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    const { unprocessed } = await Rollup.RollupEntity.put(pending).go();
    const left = new Set(unprocessed.map((k: any) => `${k.grain}#${k.start}#${k.monitorId}`));
    pending = pending.filter((i) => left.has(`${i.grain}#${i.start}#${i.monitorId}`));
  }
}

/**
 * Rolls up one monitor's whole hours in [from, to), and every UTC day that ends inside them.
 * Returns the items written and, for a cohort member, its checks per hour (for the cohort's window).
 */
async function rollMonitor(m: { monitorId: string; intervalSec: number; cohort?: string | null }, from: number, to: number, meter: Meter) {
  const items: RollupItem[] = [];
  const days = daysEndingIn(from, to);
  let hours: Map<number, Stats.Agg> | undefined;
  if (Rollup.isHourly(m.intervalSec)) {
    hours = groupBy(await readResults(m, from, to, meter), HOUR);
    for (const [start, agg] of hours) items.push(Rollup.itemOf(m.monitorId, "hour", start, agg));
    for (const day of days) {
      const parts = [...hours].filter(([start]) => start >= day && start < day + DAY).map(([, agg]) => agg);
      // The day began before this run: its earlier hours were written by earlier runs.
      if (day < from) parts.push(...(await readRollups(m.monitorId, "hour", day, from, meter, true)).map(Rollup.toAgg));
      const agg = Stats.mergeAll(parts);
      if (agg.count > 0) items.push(Rollup.itemOf(m.monitorId, "day", day, agg));
    }
  } else {
    // At most 144 results per day at these intervals: the day is rebuilt from them directly.
    const start = days.length > 0 ? Math.min(days[0]!, from) : from;
    const end = days.length > 0 ? Math.max(days[days.length - 1]! + DAY, to) : to;
    const results = days.length > 0 || m.cohort ? await readResults(m, start, end, meter) : [];
    for (const [dayStart, agg] of groupBy(results, DAY)) if (days.includes(dayStart)) items.push(Rollup.itemOf(m.monitorId, "day", dayStart, agg));
    hours = groupBy(results.filter((r) => r.at >= from && r.at < to), HOUR);
  }
  await putAll(items);
  return { items, hours };
}

/** Rolls up the whole hours [from, to) for every monitor, and each cohort's window. Does not move the watermark. */
export async function run(from: number, to: number, opts: { meter?: Meter } = {}): Promise<RunReport> {
  if (from % HOUR !== 0 || to % HOUR !== 0) throw new Error("rollup spans must start and end on whole hours");
  const reads = opts.meter ?? newMeter();
  const concurrency = config().ROLLUP_CONCURRENCY;
  // Paused monitors too: they may have been checked before pausing.
  const monitors = await allMonitors({ concurrency, meter: reads });
  let writes = 0;
  let writeUnits = 0;
  const cohorts = new Map<string, Map<string, Map<number, Stats.Agg>>>();
  await mapLimit(monitors, concurrency, async (m) => {
    const { items, hours } = await rollMonitor(m, from, to, reads);
    writes += items.length;
    for (const i of items) writeUnits += Rollup.writeUnitsOf(i);
    // A cohort none of whose members was checked in the run has nothing new for its window (readers
    // ignore a window's hours past 24 h, and hours after its end held no checks).
    if (Cohort.hasCohort(m) && hours && hours.size > 0) {
      const members = cohorts.get(m.cohort) ?? new Map<string, Map<number, Stats.Agg>>();
      members.set(Cohort.memberKey(m.monitorId), hours ?? new Map());
      cohorts.set(m.cohort, members);
    }
  });
  let windowWriteUnits = 0;
  await mapLimit([...cohorts], concurrency, async ([cohort, members]) => {
    windowWriteUnits += await CohortLive.rollWindow(cohort, from, to, members);
  });
  return { from, to, monitors: monitors.length, reads, writes, writeUnits, windows: cohorts.size, windowWriteUnits };
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
