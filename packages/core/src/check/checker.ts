export * as Checker from "./checker";

import { config } from "../platform/config";
import { Incident } from "../incident/incident";
import type { MonitorItem } from "../monitors/entity";
import { MonitorRead } from "../monitors/read";
import { markDegraded, markUp } from "../monitors/state";
import { rememberAnswer } from "../monitors/last-answer";
import { MonitorNotice } from "../alert/notice";
import { Telemetry } from "../platform/telemetry";
import { CertExpiry } from "./cert-expiry";
import { CheckJob } from "./check-job";
import type { ProbeOutcome } from "./probe";
import { probeFor } from "./probe-by-type";
import { CheckResult, type Result } from "./result";
import { CheckRules } from "./rules";
import { lastPingResult, observeMissed } from "../heartbeat/observe";

/**
 * Runs check jobs: probe, store the result, then carry out the steps CheckRules names. A
 * healthy check of a healthy monitor stops after the one result write; anything that could
 * change state reads the monitor and the recent results before deciding.
 */

export interface JobOutcome {
  result: Result;
  /** False when an earlier delivery had already stored this slot. */
  created: boolean;
  opened?: string;
  resolved?: string;
  /** The monitor turned degraded with this check. */
  degraded?: boolean;
  retryAt?: number;
  /** A job with the monitor as just read was queued for this slot (CheckRules.refreshSlot). */
  refreshAt?: number;
}

/** A job as the queue handed it over: `redelivered` when its message was received before. */
export interface Delivery {
  job: CheckJob.Job;
  redelivered: boolean;
}

/** What probing a job produced: a fresh outcome, or the result an earlier delivery stored. */
export type Observation = { outcome: ProbeOutcome; checkedAt: number } | { stored: Result };

/** Probes the job's target, unless a redelivered job finds its slot already recorded. */
export async function observe(job: CheckJob.Job, opts: { redelivered?: boolean; now?: () => number } = {}): Promise<Observation> {
  const m = job.monitor;
  const already = opts.redelivered ? await CheckResult.find(m.monitorId, job.dueAt) : undefined;
  if (already) return { stored: already };
  if (m.type === "heartbeat") return { outcome: await observeMissed(m.pingToken, job.dueAt), checkedAt: (opts.now ?? Date.now)() };
  const outcome = await probeFor(m);
  if (m.type === "dns" && m.alertOnChange && outcome.answer !== undefined && outcome.answer !== m.lastAnswer) {
    await rememberAnswer(m.monitorId, outcome.answer);
  }
  return { outcome, checkedAt: (opts.now ?? Date.now)() };
}

export async function runJob(job: CheckJob.Job, opts: { redelivered?: boolean; now?: () => number } = {}): Promise<JobOutcome> {
  return settle(job, await observe(job, opts), opts);
}

/**
 * Runs a batch of jobs, each stored and settled as soon as its own probe ends: a target that
 * hangs until its timeout delays only its own result, never its batch-mates'. Settling signs
 * and sends DynamoDB requests on the thread that also times the other probes' responses, so
 * settlements start one per event-loop turn, after the I/O that is ready: a response that has
 * arrived is timed before the next request is signed, not after a burst of them.
 */
export async function runJobs(deliveries: Delivery[]): Promise<PromiseSettledResult<JobOutcome>[]> {
  const nextTurn = turns();
  // Probes start one per turn too: starting a whole batch at once is ~20 ms of work during which
  // no response is read, so the first probes' responses would wait, and be timed, behind it.
  const nextStart = turns();
  return Promise.allSettled(
    deliveries.map(async ({ job, redelivered }) => {
      await nextStart();
      const observation = await observe(job, { redelivered });
      await nextTurn();
      return settle(job, observation, { redelivered });
    }),
  );
}

/** Each call resolves one event-loop turn (a setImmediate) after the previous call's. */
function turns(): () => Promise<void> {
  let last = Promise.resolve();
  return () => (last = last.then(() => new Promise<void>((resolve) => setImmediate(resolve))));
}

/** Stores an observation, then performs the steps the rules name until they say stop. */
export async function settle(
  job: CheckJob.Job,
  observation: Observation,
  opts: { redelivered?: boolean; now?: () => number } = {},
): Promise<JobOutcome> {
  const now = opts.now ?? Date.now;
  const monitorId = job.monitor.monitorId;
  const stored =
    "stored" in observation
      ? { result: observation.stored, created: false }
      : await CheckResult.record({
          ...CheckResult.fromOutcome(monitorId, job.dueAt, job.kind, observation.outcome, observation.checkedAt),
          ...(CheckRules.inMaintenance(job.monitor, job.dueAt) && { inMaintenance: true }),
        });
  const out: JobOutcome = { result: stored.result, created: stored.created };
  if ("outcome" in observation) {
    // A warning that fails to go out now is due again at the next check; it must not hold up the rules.
    await CertExpiry.warnIfDue(job.monitor, observation.outcome, observation.checkedAt).catch((err) =>
      Telemetry.log.error("certificate warning not published", { monitorId, error: String(err) }),
    );
  }
  const facts: CheckRules.Facts = {
    job: { kind: job.kind, snapshot: job.monitor },
    result: stored.result,
    created: stored.created,
    redelivered: opts.redelivered === true,
    tickSeconds: config().TICK_SECONDS,
  };
  // The rules name a write only after the monitor was read and found.
  let monitor: MonitorItem | undefined;
  const retry = async (m: MonitorItem, at: number) => {
    await CheckJob.enqueue([{ monitor: CheckJob.snapshotOf(m), dueAt: at, kind: "retry" }], now());
    out.retryAt = at;
  };
  const refresh = async (snapshot: CheckJob.Snapshot, at: number) => {
    await CheckJob.enqueue([{ monitor: snapshot, dueAt: at, kind: "scheduled" }], now());
    out.refreshAt = at;
  };

  for (;;) {
    const step = CheckRules.nextStep(facts);
    switch (step.do) {
      case "stop":
        return out;
      case "readMonitor":
        monitor = await MonitorRead.get(monitorId, { consistent: step.consistent });
        facts.monitor = monitor ?? null;
        continue;
      case "readRecent":
        facts.recent = await CheckResult.latest(monitorId, step.count);
        continue;
      case "markUp":
        await markUp(monitorId, undefined, step.at);
        return out;
      case "markDegraded": {
        // Published first: a crash after marking would lose it, a repeated notice is sent once anyway.
        if (step.alert) await MonitorNotice.publish(degradedNotice(monitor!, stored.result, step.at, facts.recent?.length ?? 0));
        out.degraded = await markDegraded(monitorId, step.at);
        return out;
      }
      case "resolve": {
        const resolved = await Incident.resolve(monitorId, step.incidentId, step.recoveredAt);
        if (resolved) out.resolved = resolved.incidentId;
        return out;
      }
      case "open": {
        const opened = await Incident.open(monitor!, step);
        if (opened) {
          out.opened = opened.incidentId;
          if (step.refreshAt !== undefined) {
            await refresh({ ...CheckJob.snapshotOf(monitor!), state: "down", openIncidentId: opened.incidentId }, step.refreshAt);
          }
        } else if (step.retryAt !== undefined) await retry(monitor!, step.retryAt);
        return out;
      }
      case "retry":
        await retry(monitor!, step.at);
        return out;
      case "refresh":
        await refresh(CheckJob.snapshotOf(monitor!), step.at);
        return out;
    }
  }
}

function degradedNotice(m: MonitorItem, result: Result, since: number, checks: number): MonitorNotice.Event {
  return {
    type: "monitor.notice",
    kind: "degraded",
    noticeId: `${m.monitorId}.degraded.${since}`,
    monitorId: m.monitorId,
    at: result.at,
    degraded: { since, latencyMs: result.latencyMs, aboveMs: m.degradedAboveMs ?? 0, checks },
  };
}

/** A check requested through the API: same rules, result returned to the caller. */
export async function runNow(monitor: MonitorItem, now = Date.now()): Promise<JobOutcome> {
  // A heartbeat cannot be checked from here: "check now" shows its last ping instead.
  if (monitor.type === "heartbeat") return { result: await lastPingResult(monitor, now), created: false };
  const snapshot = CheckJob.snapshotOf(monitor);
  const timeoutMs = Math.min(snapshot.timeoutMs, config().MANUAL_CHECK_MAX_MS);
  return runJob({ monitor: { ...snapshot, timeoutMs }, dueAt: now, kind: "manual" });
}
