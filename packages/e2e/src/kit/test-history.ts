import { CheckResult, type Result } from "@uptime/core/check/result";
import { ResultSlotEntity, ResultSlots } from "@uptime/core/check/result-slots";
import { CohortLive } from "@uptime/core/history/cohort-live";
import { Cohort } from "@uptime/core/monitors/cohort";
import { mapLimit } from "@uptime/core/platform/concurrency";
import { config } from "@uptime/core/platform/config";
import { IncidentEntity, type IncidentItem } from "@uptime/core/incident/incident";
import { MonitorEntity } from "@uptime/core/monitors/monitor";
import { RollupJob } from "@uptime/core/history/rollup-job";
import { HOUR, floorTo } from "@uptime/core/platform/time";
import { rng } from "./rng";

/**
 * Known history written straight into the table (the local stack's DynamoDB is real), so tests
 * can assert exact figures instead of waiting for live checks.
 */

export interface ResultSpec {
  /** First slot (epoch ms) and the end (exclusive). */
  from: number;
  to: number;
  everySec: number;
  ok?: (i: number, at: number) => boolean;
  latencyMs?: (i: number, at: number) => number;
}

export async function writeResults(monitorId: string, spec: ResultSpec): Promise<Result[]> {
  const results: Result[] = [];
  let i = 0;
  for (let at = spec.from; at < spec.to; at += spec.everySec * 1000, i++) {
    const ok = spec.ok ? spec.ok(i, at) : true;
    results.push({
      monitorId,
      at,
      ok,
      ...(ok ? {} : { reason: "status_mismatch", message: "expected 200-399, got 503", httpStatus: 503 }),
      latencyMs: spec.latencyMs ? spec.latencyMs(i, at) : 100,
      kind: "scheduled",
      checkedAt: at + 250,
    });
  }
  const monitor = (await MonitorEntity.get({ monitorId }).go()).data;
  await writeManyResults([monitor ?? { monitorId }], results);
  return results;
}

/** Latencies shaped like a real site: mostly 80-200 ms with a long slow tail. */
export function siteLatency(seed: number) {
  const r = rng(seed);
  return () => (r() < 0.9 ? Math.round(80 + r() * 120) : Math.round(200 + Math.pow(r(), 3) * 4800));
}

export async function writeIncident(
  monitor: { monitorId: string; ownerId: string; name: string; url?: string; alertEmails: string[] },
  spec: { startedAt: number; resolvedAt?: number; reason?: string; message?: string },
): Promise<IncidentItem> {
  const item: IncidentItem = {
    incidentId: `${monitor.monitorId}.${spec.startedAt}`,
    monitorId: monitor.monitorId,
    ownerId: monitor.ownerId,
    status: spec.resolvedAt === undefined ? "open" : "resolved",
    startedAt: spec.startedAt,
    ...(spec.resolvedAt === undefined ? {} : { resolvedAt: spec.resolvedAt, durationMs: spec.resolvedAt - spec.startedAt }),
    reason: spec.reason ?? "timeout",
    message: spec.message ?? "no complete response within 10000 ms",
    monitorName: monitor.name,
    url: monitor.url ?? "",
    alertEmails: monitor.alertEmails,
  };
  await IncidentEntity.create(item).go();
  if (item.status === "open") {
    await MonitorEntity.patch({ monitorId: monitor.monitorId }).set({ state: "down", openIncidentId: item.incidentId }).go();
  }
  return item;
}

/**
 * Rolls up everything written since `from`, as the hourly job would have, and moves the
 * watermark to the last whole hour. (The job only moves forward; history written behind the
 * watermark after a run needs this explicit re-run, which is idempotent.)
 */
export async function rollUpSince(from: number) {
  const to = floorTo(Date.now() - config().ROLLUP_GRACE_SEC * 1000, HOUR);
  const start = floorTo(from, HOUR);
  if (to > start) await RollupJob.run(start, to);
  await RollupJob.catchUp(Date.now(), { maxHours: 1 });
}

/**
 * Results of many monitors written at once, the way the checker leaves them: one slot item per
 * cohort and slot (each holding every member's result of it), then each cohort's live item.
 * Monitors without a cohort get one item per check. Slots already stored (by the checker, or an
 * earlier call for a cohort-mate) are read first and merged, so tests may seed members one by one;
 * not safe against a checker writing the same slots at the same moment.
 */
export async function writeManyResults(monitors: Array<{ monitorId: string; cohort?: string | null }>, results: Result[], now = Date.now()) {
  const byId = new Map(monitors.map((m) => [m.monitorId, m]));
  const slots = new Map<string, { cohort: string; at: number; e: Record<string, string>; expiresAt: number }>();
  const alone = new Map<string, Result[]>();
  const perCohort = new Map<string, Result[]>();
  for (const r of [...results].sort((a, b) => a.at - b.at)) {
    const m = byId.get(r.monitorId);
    if (!m || !Cohort.hasCohort(m)) {
      const mine = alone.get(r.monitorId) ?? [];
      mine.push(r);
      alone.set(r.monitorId, mine);
      continue;
    }
    const key = `${m.cohort}|${r.at}`;
    const slot = slots.get(key) ?? { cohort: m.cohort, at: r.at, e: {}, expiresAt: Math.floor(r.at / 1000) + 90 * 86400 };
    slot.e[Cohort.memberKey(r.monitorId)] = ResultSlots.encodeEntry(r);
    slots.set(key, slot);
    const list = perCohort.get(m.cohort) ?? [];
    list.push(r);
    perCohort.set(m.cohort, list);
  }
  for (const [cohort, list] of perCohort) {
    const { data } = await ResultSlotEntity.query
      .bySlot({ cohort })
      .between({ at: list[0]!.at }, { at: list[list.length - 1]!.at })
      .go({ pages: "all", consistent: true });
    for (const stored of data as Array<{ at: number; e: Record<string, string> }>) {
      const slot = slots.get(`${cohort}|${stored.at}`);
      if (slot) slot.e = { ...stored.e, ...slot.e };
    }
  }
  if (slots.size) await ResultSlotEntity.put([...slots.values()]).go({ concurrent: 8 });
  for (const [monitorId, list] of alone) await CheckResult.storeMany(byId.get(monitorId) ?? { monitorId }, list);
  // The live item keeps the last checks and the last hours only: older results would be dropped anyway.
  const live = (list: Result[]) => list.filter((r, i) => r.at >= now - CohortLive.LIVE_HOURS * HOUR || i >= list.length - CohortLive.RECENT);
  await mapLimit([...perCohort], 8, ([cohort, list]) => CohortLive.record(cohort, live(list), now));
}
