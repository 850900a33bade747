export * as Schedule from "./schedule";

import { Entity } from "electrodb";
import { CheckJob } from "../check/check-job";
import { config } from "../platform/config";
import { isConditionalCheckFailed } from "../platform/errors";
import { INTERVALS, MonitorEntity, type MonitorItem } from "../monitors/monitor";
import { bindToTable, entityOptions } from "../platform/table";

/**
 * One item per scheduler window. EventBridge may deliver a scheduled event twice, or late;
 * the conditional create lets exactly one invocation fan out a given window.
 * It costs one write per window for the whole system, not one per monitor.
 */
export const TickClaimEntity = bindToTable(
  new Entity(
    {
      model: { entity: "tickClaim", version: "1", service: "uptime" },
      attributes: {
        windowStart: { type: "number", required: true },
        claimedAt: { type: "number", required: true },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // the claim on one scheduler window
        byWindow: { pk: { field: "pk", composite: ["windowStart"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

export interface Query {
  bucket: string;
  /** Inclusive range of the second (inside the minute, or inside a sub-minute interval) the monitor is due at. */
  fromSecond: number;
  toSecond: number;
}

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * The index queries naming every monitor due in [windowStart, windowStart + windowSec).
 * windowSec divides 60, so a window never straddles a minute (see Monitor.dueKeys).
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

export interface TickReport {
  windowStart: number;
  skipped: boolean;
  queries: number;
  itemsRead: number;
  readUnits: number;
  jobs: number;
  sqsRequests: number;
}

// the monitors in one due-bucket whose due second lies in a range, a page (up to 1 MB) at a time
async function forEachDuePage(q: Query, onPage: (items: MonitorItem[], readUnits: number) => Promise<void>) {
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

/** Finds the monitors due in a window and enqueues their checks, once per window. */
export async function runTick(at: Date | number, now = Date.now()): Promise<TickReport> {
  const windowSec = config().TICK_SECONDS;
  const atSec = Math.floor((typeof at === "number" ? at : at.getTime()) / 1000);
  const windowStart = atSec - (atSec % windowSec);
  const report: TickReport = { windowStart, skipped: false, queries: 0, itemsRead: 0, readUnits: 0, jobs: 0, sqsRequests: 0 };

  try {
    await TickClaimEntity.create({ windowStart, claimedAt: now, expiresAt: windowStart + 86400 }).go({ response: "none" });
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    return { ...report, skipped: true };
  }

  try {
    return await fanOut(report, windowSec, now);
  } catch (err) {
    // Let EventBridge's retry of this invocation redo the window. Jobs already sent are
    // harmless twice: results are keyed by slot, so a repeated job records nothing new.
    await TickClaimEntity.delete({ windowStart }).go();
    throw err;
  }
}

/** Jobs buffered before a send: enough to fill messages (jobs due in the same second share one), few enough to keep memory flat. */
const FLUSH_JOBS = 5000;

/**
 * Streams due monitors page by page into the queue, so memory stays flat whatever the table
 * size (holding 100,000 monitors and their jobs at once took a 256 MB function over its limit).
 * Pages from all queries feed one buffer, so jobs due in the same second still share messages.
 */
async function fanOut(report: TickReport, windowSec: number, now: number): Promise<TickReport> {
  const { windowStart } = report;
  const queries = queriesFor(windowStart, windowSec);
  report.queries = queries.length;
  const startedAt = Date.now();
  const pending: CheckJob.Job[] = [];
  let sending = Promise.resolve();
  const flush = () => {
    const jobs = pending.splice(0);
    sending = sending.then(async () => {
      if (!jobs.length) return;
      // Delays count from when each batch is sent, not from the tick's start: a long fan-out
      // would otherwise make every later check late by the time spent so far.
      const sent = await CheckJob.enqueue(jobs, now + (Date.now() - startedAt));
      report.sqsRequests += sent.requests;
    });
    return sending;
  };
  await Promise.all(
    queries.map((q) =>
      forEachDuePage(q, async (items, readUnits) => {
        report.itemsRead += items.length;
        report.readUnits += readUnits;
        for (const m of items) {
          const snapshot = CheckJob.snapshotOf(m);
          for (const t of dueTimes(m, windowStart, windowSec)) {
            pending.push({ monitor: snapshot, dueAt: t * 1000, kind: "scheduled" });
            report.jobs++;
          }
        }
        if (pending.length >= FLUSH_JOBS) await flush();
      }),
    ),
  );
  await flush();
  return report;
}
