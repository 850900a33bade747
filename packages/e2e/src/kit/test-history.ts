import { CheckResultEntity, type Result } from "@uptime/core/check/result";
import { config } from "@uptime/core/platform/config";
import { IncidentEntity, type IncidentItem } from "@uptime/core/incident/incident";
import { randomUUID } from "node:crypto";
import { MonitorEntity } from "@uptime/core/monitors/monitor";
import { RollupJob } from "@uptime/core/history/rollup-job";
import { HOUR, floorTo } from "@uptime/core/platform/time";
import { dueKeys } from "@uptime/core/schedule/due-index";

/**
 * Known history written straight into the table (the local stack's DynamoDB is real), so tests
 * can assert exact figures instead of waiting for live checks.
 */

/** Deterministic pseudo-random numbers in [0, 1), so a failure reproduces. */
export function rng(seed: number) {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

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
  monitor: { monitorId: string; ownerId: string; name: string; url: string; alertEmails: string[] },
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
    url: monitor.url,
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

/** A monitor item written straight to the table: the scheduler and the rollup job only need its due keys. */
export async function createMonitorFixture(overrides: { intervalSec: number; offsetSec?: number; paused?: boolean }) {
  const now = Date.now();
  const { intervalSec, paused = false } = overrides;
  const offsetSec = overrides.offsetSec ?? Math.floor(Math.random() * intervalSec);
  const item = {
    monitorId: randomUUID(),
    ownerId: "fixture-owner",
    name: "fixture",
    url: "http://127.0.0.1:9/",
    method: "GET" as const,
    expectedStatus: ["200-399"],
    timeoutMs: 1000,
    failureThreshold: 3,
    recoveryThreshold: 1,
    retryIntervalSec: Math.min(20, intervalSec),
    alertEmails: ["fixture@example.com"],
    state: "up" as const,
    createdAt: now,
    updatedAt: now,
    paused,
    intervalSec,
    offsetSec,
    ...dueKeys(intervalSec, offsetSec, paused),
  };
  await MonitorEntity.create(item).go();
  return item;
}
