export * as DueIndex from "./due-index";

import { mapLimit } from "../platform/concurrency";
import { metered, type Meter } from "../platform/metering";
import { MonitorEntity, type MonitorItem } from "../monitors/entity";
import { INTERVALS } from "../monitors/shape";

/**
 * The scheduler's access pattern lives in the `due` index (gsi2). Each monitor has a fixed
 * offset inside its interval; a window query then names exactly the monitors due in it:
 * - intervals up to a minute share one partition per interval (`i30`), sorted by offset;
 * - longer intervals get one partition per minute of their cycle (`i300m2`), sorted by the
 *   second inside that minute.
 * So a tick reads the due monitors and nothing else, however many monitors exist.
 * Paused monitors move to the `paused` partition, which no tick ever reads.
 * This module is the only one that knows the layout: writers take their keys from dueKeys,
 * readers use the queries below.
 */
export function dueKeys(intervalSec: number, offsetSec: number, paused: boolean) {
  const dueSecond = offsetSec % 60;
  const dueBucket = paused ? "paused" : intervalSec <= 60 ? `i${intervalSec}` : `i${intervalSec}m${Math.floor(offsetSec / 60)}`;
  return { dueBucket, dueSk: `${pad(dueSecond)}#` };
}

const pad = (n: number) => String(n).padStart(2, "0");

// ---------- monitors due in a window ----------

export interface Query {
  bucket: string;
  /** Inclusive range of the second (inside the minute, or inside a sub-minute interval) the monitor is due at. */
  fromSecond: number;
  toSecond: number;
}

/**
 * The index queries naming every monitor due in [windowStart, windowStart + windowSec).
 * windowSec divides 60, so a window never straddles a minute (see dueKeys).
 */
export function queriesFor(windowStart: number, windowSec: number): Query[] {
  const queries: Query[] = [];
  const minute = Math.floor(windowStart / 60);
  for (const interval of INTERVALS) {
    if (interval <= 60) {
      if (windowSec >= interval) {
        queries.push({ bucket: `i${interval}`, fromSecond: 0, toSecond: interval - 1 });
      } else {
        const from = windowStart % interval;
        const to = from + windowSec - 1;
        if (to < interval) queries.push({ bucket: `i${interval}`, fromSecond: from, toSecond: to });
        else {
          queries.push({ bucket: `i${interval}`, fromSecond: from, toSecond: interval - 1 });
          queries.push({ bucket: `i${interval}`, fromSecond: 0, toSecond: to - interval });
        }
      }
    } else {
      const cycleMinute = minute % (interval / 60);
      const from = windowStart % 60;
      queries.push({ bucket: `i${interval}m${cycleMinute}`, fromSecond: from, toSecond: from + windowSec - 1 });
    }
  }
  return queries;
}

/** Every instant inside the window at which this monitor is due (several for sub-window intervals). */
export function dueTimes(m: Pick<MonitorItem, "intervalSec" | "offsetSec">, windowStart: number, windowSec: number): number[] {
  const first = windowStart + (((m.offsetSec - windowStart) % m.intervalSec) + m.intervalSec) % m.intervalSec;
  const times: number[] = [];
  for (let t = first; t < windowStart + windowSec; t += m.intervalSec) times.push(t);
  return times;
}

// the monitors in one due-bucket whose due second lies in a range, a page (up to 1 MB) at a time
export async function forEachDuePage(q: Query, onPage: (items: MonitorItem[], readUnits: number) => Promise<void>) {
  let cursor: string | null = null;
  do {
    let readUnits = 0;
    const res: { data: MonitorItem[]; cursor: string | null } = await MonitorEntity.query
      .due({ dueBucket: q.bucket })
      // '~' sorts after every character of "#<uuid>", so the upper bound includes the whole last second.
      .between({ dueSk: `${pad(q.fromSecond)}#` }, { dueSk: `${pad(q.toSecond)}#~` })
      .go({
        cursor,
        pages: 1,
        params: { ReturnConsumedCapacity: "TOTAL" },
        logger: (event) => {
          if (event.type === "results") readUnits += (event.results as any)?.ConsumedCapacity?.CapacityUnits ?? 0;
        },
      });
    await onPage(res.data, readUnits);
    cursor = res.cursor;
  } while (cursor);
}

// ---------- heartbeats ----------

/**
 * A heartbeat monitor is never probed, so its monitor item sits in a partition no tick reads (but
 * `allMonitors` does). Its deadline lives on its heartbeat item (heartbeat/entity.ts), filed by the
 * minute of the deadline (`hb<epoch minute>`, sorted by second then token); every ping moves it. So
 * the tick reads, of all heartbeats, only those whose deadline has passed without a ping.
 */
export const HEARTBEAT_MONITORS = "heartbeat";

export function heartbeatMonitorKeys() {
  return { dueBucket: HEARTBEAT_MONITORS, dueSk: "00#" };
}

export function heartbeatKeys(deadlineMs: number, paused: boolean) {
  if (paused) return { dueBucket: "hb-paused", dueSk: "00" };
  const sec = Math.floor(deadlineMs / 1000);
  return { dueBucket: `hb${Math.floor(sec / 60)}`, dueSk: pad(sec % 60) };
}

/** Past minutes swept again each time: a tick that never ran (an outage) leaves no deadline unread for this long. */
export const HEARTBEAT_LOOKBACK_MINUTES = 3;

/** The queries naming every heartbeat whose deadline passed by `now`: whole past minutes, and the current one up to now's second. */
export function overdueHeartbeatQueries(now: number): Query[] {
  const sec = Math.floor(now / 1000);
  const minute = Math.floor(sec / 60);
  const queries: Query[] = [];
  for (let m = minute - HEARTBEAT_LOOKBACK_MINUTES; m < minute; m++) queries.push({ bucket: `hb${m}`, fromSecond: 0, toSecond: 59 });
  if (sec % 60 > 0) queries.push({ bucket: `hb${minute}`, fromSecond: 0, toSecond: (sec % 60) - 1 });
  return queries;
}

// ---------- every monitor ----------

/**
 * Every partition of the index. Each monitor sits in exactly one: its interval's bucket, or
 * `paused`. Derived from dueKeys so it cannot drift from how they are written.
 */
export function dueBuckets(): string[] {
  const buckets = new Set<string>();
  for (const interval of INTERVALS) {
    for (let offset = 0; offset < interval; offset += 60) buckets.add(dueKeys(interval, offset, false).dueBucket);
  }
  buckets.add(dueKeys(60, 0, true).dueBucket);
  buckets.add(HEARTBEAT_MONITORS);
  return [...buckets];
}

/**
 * Every monitor, without a table scan: one query per partition (127 of them, most small),
 * `concurrency` at a time. Paused monitors are included.
 */
export async function allMonitors(opts: { concurrency: number; meter?: Meter }): Promise<Array<Pick<MonitorItem, "monitorId" | "intervalSec" | "cohort">>> {
  const lists = await mapLimit(dueBuckets(), opts.concurrency, async (dueBucket) => {
    const { data } = await MonitorEntity.query.due({ dueBucket }).go({ pages: "all", attributes: ["monitorId", "intervalSec", "cohort"], ...metered(opts.meter) });
    return data as Array<Pick<MonitorItem, "monitorId" | "intervalSec" | "cohort">>;
  });
  const byId = new Map(lists.flat().map((m) => [m.monitorId, m]));
  return [...byId.values()];
}
