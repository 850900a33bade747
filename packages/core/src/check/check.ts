export * as Check from "./check";

import { Entity } from "electrodb";
import { z } from "zod";
import { config } from "../platform/config";
import { isConditionalCheckFailed } from "../platform/errors";
import { bindToTable, entityOptions } from "../platform/table";
import type { FailureReason, ProbeOutcome } from "./probe";
import { CheckJob } from "./check-job";
import { Incident } from "../incident/incident";
import { Monitor, type MonitorItem } from "../monitors/monitor";
import { Probe } from "./probe";

/**
 * One item per check, keyed by monitor and slot (the instant the check was due). The slot
 * key is what makes at-least-once delivery harmless: a second delivery of the same slot
 * finds the item and records nothing new. Items expire by TTL after the retention period.
 */
export const CheckResultEntity = bindToTable(
  new Entity(
    {
      model: { entity: "checkResult", version: "1", service: "uptime" },
      attributes: {
        monitorId: { type: "string", required: true },
        at: { type: "number", required: true }, // slot, epoch ms
        ok: { type: "boolean", required: true },
        reason: { type: "string" },
        message: { type: "string" },
        httpStatus: { type: "number" },
        latencyMs: { type: "number", required: true },
        certDaysLeft: { type: "number" },
        kind: { type: CheckJob.CHECK_KINDS, required: true },
        checkedAt: { type: "number", required: true },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // a monitor's history, by slot
        history: {
          pk: { field: "pk", composite: ["monitorId"] },
          sk: { field: "sk", composite: ["at"] },
        },
      },
    },
    entityOptions(),
  ),
);

export type CheckKind = CheckJob.CheckKind;

export const Result = z.object({
  monitorId: z.string(),
  at: z.number(),
  ok: z.boolean(),
  reason: z.string().optional(),
  message: z.string().optional(),
  httpStatus: z.number().optional(),
  latencyMs: z.number(),
  certDaysLeft: z.number().optional(),
  kind: z.enum(CheckJob.CHECK_KINDS),
  checkedAt: z.number(),
});
export type Result = z.infer<typeof Result>;

export const View = z.object({
  at: z.string(),
  ok: z.boolean(),
  reason: z.string().nullable(),
  message: z.string().nullable(),
  httpStatus: z.number().nullable(),
  latencyMs: z.number(),
  certDaysLeft: z.number().nullable(),
  kind: z.enum(CheckJob.CHECK_KINDS),
});
export type View = z.infer<typeof View>;

export function toView(r: Result): View {
  return {
    at: new Date(r.at).toISOString(),
    ok: r.ok,
    reason: r.reason ?? null,
    message: r.message ?? null,
    httpStatus: r.httpStatus ?? null,
    latencyMs: r.latencyMs,
    certDaysLeft: r.certDaysLeft ?? null,
    kind: r.kind,
  };
}

export function fromOutcome(monitorId: string, at: number, kind: CheckKind, outcome: ProbeOutcome, checkedAt = Date.now()): Result {
  return {
    monitorId,
    at,
    ok: outcome.ok,
    reason: outcome.reason,
    message: outcome.message,
    httpStatus: outcome.httpStatus,
    latencyMs: outcome.latencyMs,
    certDaysLeft: outcome.certDaysLeft,
    kind,
    checkedAt,
  };
}

/**
 * Stores a result unless this slot already has one. Returns the stored result: ours, or
 * the one an earlier delivery of the same slot wrote (so both deliveries act on the same facts).
 */
export async function record(result: Result): Promise<{ result: Result; created: boolean }> {
  const expiresAt = Math.floor(result.at / 1000) + config().RESULT_RETENTION_DAYS * 86400;
  try {
    await CheckResultEntity.create({ ...result, expiresAt }).go({ response: "none" });
    return { result, created: true };
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    const existing = await find(result.monitorId, result.at);
    return { result: existing ?? result, created: false };
  }
}

export async function find(monitorId: string, at: number): Promise<Result | undefined> {
  const { data } = await CheckResultEntity.get({ monitorId, at }).go({ consistent: true });
  return data ? (data as Result) : undefined;
}

// the newest `count` results of a monitor, newest first (consistent: decides incidents)
export async function latest(monitorId: string, count: number): Promise<Result[]> {
  const { data } = await CheckResultEntity.query
    .history({ monitorId })
    .go({ order: "desc", limit: count, consistent: true });
  return data as Result[];
}

// a monitor's results newest first, optionally between two instants, a page at a time
export async function list(
  monitorId: string,
  opts: { from?: number; to?: number; limit?: number; cursor?: string | null } = {},
) {
  const q = CheckResultEntity.query.history({ monitorId });
  const ranged =
    opts.from !== undefined && opts.to !== undefined
      ? q.between({ at: opts.from }, { at: opts.to })
      : opts.from !== undefined
        ? q.gte({ at: opts.from })
        : opts.to !== undefined
          ? q.lte({ at: opts.to })
          : q;
  const res = await ranged.go({ order: "desc", limit: opts.limit ?? 50, cursor: opts.cursor ?? null });
  return { data: res.data as Result[], cursor: res.cursor };
}

export type { FailureReason };

// ---------- running a check job (the checker's whole rule set) ----------


export interface JobOutcome {
  result: Result;
  /** False when an earlier delivery had already stored this slot. */
  created: boolean;
  opened?: string;
  resolved?: string;
  retryAt?: number;
}

/** What probing a job produced: a fresh outcome, or the result an earlier delivery stored. */
export type Observation = { outcome: ProbeOutcome; checkedAt: number } | { stored: Result };

/** Probes the job's target, unless a redelivered job finds its slot already recorded. */
export async function observe(job: CheckJob.Job, opts: { redelivered?: boolean; now?: () => number } = {}): Promise<Observation> {
  const m = job.monitor;
  const already = opts.redelivered ? await find(m.monitorId, job.dueAt) : undefined;
  if (already) return { stored: already };
  const outcome = await Probe.probe({
    url: m.url,
    method: m.method,
    headers: m.headers,
    body: m.body,
    timeoutMs: m.timeoutMs,
    expectedStatus: m.expectedStatus,
    keyword: m.keyword,
    keywordMode: m.keywordMode,
  });
  return { outcome, checkedAt: (opts.now ?? Date.now)() };
}

/**
 * Probe, store the result, then apply the incident rules. A healthy check of a healthy
 * monitor stops after the one result write. Anything that could change state re-reads
 * the monitor and the recent results consistently before deciding.
 */
export async function runJob(job: CheckJob.Job, opts: { redelivered?: boolean; now?: () => number } = {}): Promise<JobOutcome> {
  return settle(job, await observe(job, opts), opts);
}

/**
 * Runs a batch of jobs: every probe first, all at once, then the writes. Probing while other
 * jobs sign and send DynamoDB requests would queue response handling behind that CPU work and
 * count it as the sites' latency.
 */
export async function runJobs(jobs: CheckJob.Job[], opts: { redelivered?: boolean } = {}): Promise<PromiseSettledResult<JobOutcome>[]> {
  const observed = await Promise.allSettled(jobs.map((job) => observe(job, opts)));
  return Promise.allSettled(
    jobs.map((job, i) => {
      const o = observed[i]!;
      return o.status === "fulfilled" ? settle(job, o.value, { redelivered: opts.redelivered }) : Promise.reject(o.reason);
    }),
  );
}

/** Stores an observation and applies the incident rules to it. */
export async function settle(
  job: CheckJob.Job,
  observation: Observation,
  opts: { redelivered?: boolean; now?: () => number } = {},
): Promise<JobOutcome> {
  const now = opts.now ?? Date.now;
  const m = job.monitor;
  const stored =
    "stored" in observation
      ? { result: observation.stored, created: false }
      : await record(fromOutcome(m.monitorId, job.dueAt, job.kind, observation.outcome, observation.checkedAt));
  const { result } = stored;
  const out: JobOutcome = { result, created: stored.created };

  const steady = m.state === "up" && !m.openIncidentId;
  // A sub-minute monitor's jobs are made up to a minute before they run, so an incident opened
  // in between is missing from their snapshot and a recovery would wait for the next tick.
  // For those, a passing check reads the monitor (eventually consistent: half a read unit).
  const snapshotMayBeStale = job.kind === "scheduled" && m.intervalSec < config().TICK_SECONDS;
  if (result.ok && steady && !snapshotMayBeStale) return out;

  const monitor = await Monitor.get(m.monitorId, { consistent: !(result.ok && steady) });
  if (!monitor || monitor.paused) return out;
  if (result.ok && !monitor.openIncidentId && monitor.state === "up") return out;

  if (result.ok) {
    if (monitor.openIncidentId) {
      const recent = await latest(monitor.monitorId, monitor.recoveryThreshold);
      const resolved = await Incident.resolveIfRecovered(monitor, recent);
      if (resolved) out.resolved = resolved.incidentId;
    } else if (monitor.state !== "up") {
      await Monitor.markUp(monitor.monitorId, undefined, result.at);
    }
    return out;
  }

  if (monitor.openIncidentId && monitor.openIncidentId !== Incident.incidentIdFor(monitor.monitorId, result.at)) return out;
  const recent = await latest(monitor.monitorId, monitor.failureThreshold);
  const opened = await Incident.openIfThresholdReached(monitor, result, recent);
  if (opened) {
    out.opened = opened.incidentId;
    return out;
  }
  // Below the threshold: confirm sooner than the next interval. The retry's slot is derived
  // from this one, so a redelivered message schedules the same retry, not a second one.
  const isNewest = recent[0]?.at === result.at; // a late, out-of-order result must not start a retry chain
  // Only the delivery that stored the result (or a redelivery repairing a crash) schedules the
  // retry: two jobs for one slot would otherwise start two retry chains.
  const ownsResult = stored.created || opts.redelivered === true;
  if (job.kind !== "manual" && isNewest && ownsResult && monitor.retryIntervalSec < monitor.intervalSec) {
    const retryAt = result.at + monitor.retryIntervalSec * 1000;
    await CheckJob.enqueue([{ monitor: CheckJob.snapshotOf(monitor), dueAt: retryAt, kind: "retry" }], now());
    out.retryAt = retryAt;
  }
  return out;
}

/** A check requested through the API: same rules, result returned to the caller. */
export async function runNow(monitor: MonitorItem, now = Date.now()): Promise<JobOutcome> {
  const snapshot = CheckJob.snapshotOf(monitor);
  const timeoutMs = Math.min(snapshot.timeoutMs, config().MANUAL_CHECK_MAX_MS);
  return runJob({ monitor: { ...snapshot, timeoutMs }, dueAt: now, kind: "manual" });
}

/** The newest result of a monitor, for its live status fields. */
export async function lastOf(monitorId: string, options: { logger?: (event: any) => void; params?: Record<string, unknown> } = {}): Promise<Result | undefined> {
  const { data } = await CheckResultEntity.query.history({ monitorId }).go({ order: "desc", limit: 1, ...options });
  return data[0] as Result | undefined;
}
