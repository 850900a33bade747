import { CheckResultEntity, type Result } from "@uptime/core/check/result";
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
  await CheckResultEntity.put(results.map((r) => ({ ...r, expiresAt: Math.floor(r.at / 1000) + 90 * 86400 }))).go({ concurrent: 4 });
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
