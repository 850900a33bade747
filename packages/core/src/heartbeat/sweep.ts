export * as HeartbeatSweep from "./sweep";

import { CheckJob } from "../check/check-job";
import { MonitorRead } from "../monitors/read";
import { mapLimit } from "../platform/concurrency";
import { isConditionalCheckFailed } from "../platform/errors";
import { metered, newMeter, type Meter } from "../platform/metering";
import { heartbeatKeys, overdueHeartbeatQueries } from "../schedule/due-index";
import { HeartbeatEntity, type HeartbeatItem } from "./entity";
import { onOverdue } from "./rules";

export interface Report {
  queries: number;
  itemsRead: number;
  readUnits: number;
  missed: number;
  jobs: number;
}

/**
 * The tick's heartbeat step: reads the heartbeats whose deadline passed by `now` (a ping moves the
 * deadline, so these are exactly the overdue ones), files each under its next deadline, and queues
 * one check job per miss, which the checker records as a failure like any other (observe.ts).
 * A ping that lands between the read and the write wins: the conditional write fails, no job.
 */
export async function run(now = Date.now(), meter: Meter = newMeter()): Promise<Report> {
  const before = { ...meter };
  const queries = overdueHeartbeatQueries(now);
  const overdue: HeartbeatItem[] = [];
  for (const q of queries) {
    const { data } = await HeartbeatEntity.query
      .due({ dueBucket: q.bucket })
      // '~' sorts after "#<token>", so the upper bound takes the whole last second.
      .between({ dueSk: String(q.fromSecond).padStart(2, "0") }, { dueSk: `${String(q.toSecond).padStart(2, "0")}~` })
      .go({ pages: "all", ...metered(meter) });
    overdue.push(...data.filter((h) => h.deadline <= now && !h.paused));
  }
  const missed = (await mapLimit(overdue, 8, async (h) => ((await markMissed(h, now)) ? h : undefined))).filter((h) => h !== undefined);
  const monitors = await mapLimit(missed, 8, async (h) => ({ h, m: await MonitorRead.get(h.monitorId, { consistent: false }) }));
  // A heartbeat whose monitor is gone (a delete stopped between its steps) would be swept every period forever.
  await mapLimit(monitors.filter(({ m }) => !m), 8, ({ h }) => HeartbeatEntity.delete({ pingToken: h.pingToken }).go({ response: "none" }));
  const jobs: CheckJob.Job[] = monitors
    .filter(({ m }) => m && !m.paused)
    .map(({ h, m }) => ({ monitor: CheckJob.snapshotOf(m!), dueAt: h.deadline, kind: "scheduled" as const }));
  if (jobs.length) await CheckJob.enqueue(jobs, now);
  return {
    queries: queries.length,
    itemsRead: meter.items - before.items,
    readUnits: meter.readUnits - before.readUnits,
    missed: missed.length,
    jobs: jobs.length,
  };
}

async function markMissed(h: HeartbeatItem, now: number): Promise<boolean> {
  const next = onOverdue(h, now);
  try {
    await HeartbeatEntity.patch({ pingToken: h.pingToken })
      .set({
        expectedAt: next.expectedAt,
        deadline: next.deadline,
        ...heartbeatKeys(next.deadline, false),
        healthy: false,
        missedAt: next.missedAt,
        missedStart: next.missedStart,
        updatedAt: Math.max(now, h.updatedAt + 1),
      })
      .remove(["startedAt"])
      .where((a, o) => o.eq(a.updatedAt, h.updatedAt))
      .go({ response: "none" });
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}
