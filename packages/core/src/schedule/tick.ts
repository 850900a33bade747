export * as Tick from "./tick";

import { Entity } from "electrodb";
import { Maintenance } from "../status-pages/maintenance";
import { FollowUp } from "../channels/follow-up";
import { CheckJob } from "../check/check-job";
import { config } from "../platform/config";
import { Claim } from "../platform/claim";
import { lazyEntity, entityOptions } from "../platform/table";
import { dueTimes, forEachDuePage, queriesFor } from "./due-index";
import { Telemetry } from "../platform/telemetry";
import { HeartbeatSweep } from "../heartbeat/sweep";

/**
 * One item per scheduler window. EventBridge may deliver a scheduled event twice, or late;
 * the conditional create lets exactly one invocation fan out a given window.
 * It costs one write per window for the whole system, not one per monitor.
 */
export const TickClaimEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "tickClaim", version: "1", service: "uptime" },
      attributes: {
        windowStart: { type: "number", required: true },
        claimedAt: { type: "number", required: true },
        expiresAt: { type: "number", required: true },
        /** Which call claimed it (platform/claim.ts): a retried write finds its own claim. */
        claimToken: { type: "string" },
      },
      indexes: {
        // the claim on one scheduler window
        byWindow: { pk: { field: "pk", composite: ["windowStart"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

export interface Report {
  windowStart: number;
  skipped: boolean;
  queries: number;
  itemsRead: number;
  readUnits: number;
  jobs: number;
  sqsRequests: number;
  maintenance?: { started: number; completed: number };
  followUps?: { reminders: number; escalations: number };
  heartbeats?: HeartbeatSweep.Report;
}

/**
 * What the scheduled rule runs for the window starting at `at`. A rate(1 minute) rule fires some
 * seconds into its minute (plus a cold start), so the window it names has already begun: fanned
 * out then, its first slots would get no delay and run late and bunched. So each tick also fans out
 * the next window, ahead of time, with every job delayed to its slot; its own window is normally
 * already claimed by the tick before and skipped at the cost of one refused write. It is fanned out
 * here only when nothing did (a new stage, missed ticks), late but not lost.
 */
export async function onSchedule(at: Date | number, now = Date.now()): Promise<{ own: Report; next?: Report }> {
  const c = config();
  const atMs = typeof at === "number" ? at : at.getTime();
  const own = await run(atMs, now);
  if (!c.TICK_LOOKAHEAD) return { own };
  return { own, next: await run(atMs + c.TICK_SECONDS * 1000, now) };
}

/** Finds the monitors due in a window and enqueues their checks, once per window. */
export async function run(at: Date | number, now = Date.now()): Promise<Report> {
  const windowSec = config().TICK_SECONDS;
  const atSec = Math.floor((typeof at === "number" ? at : at.getTime()) / 1000);
  const windowStart = atSec - (atSec % windowSec);
  const report: Report = { windowStart, skipped: false, queries: 0, itemsRead: 0, readUnits: 0, jobs: 0, sqsRequests: 0 };

  const claimed = await Claim.create(
    (claimToken) => TickClaimEntity.create({ windowStart, claimedAt: now, expiresAt: windowStart + 86400, claimToken }).go({ response: "none" }),
    async () => (await TickClaimEntity.get({ windowStart }).go({ consistent: true })).data?.claimToken,
  );
  if (!claimed) return { ...report, skipped: true };

  // Maintenance moves first, so the jobs of this very window carry the monitors' new mute.
  try {
    report.maintenance = await Maintenance.runDue(now);
  } catch (err) {
    Telemetry.log.error("maintenance transitions failed", { error: String(err) });
  }

  // Incident reminders and escalations due by now: one query of their agenda.
  try {
    report.followUps = await FollowUp.runDue(now);
  } catch (err) {
    Telemetry.log.error("incident follow-ups failed", { error: String(err) });
  }

  // Heartbeats whose deadline passed without a ping: only those are read (heartbeat/sweep.ts).
  try {
    report.heartbeats = await HeartbeatSweep.run(now);
  } catch (err) {
    Telemetry.log.error("overdue heartbeats failed", { error: String(err) });
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
async function fanOut(report: Report, windowSec: number, now: number): Promise<Report> {
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
