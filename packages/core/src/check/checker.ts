export * as Checker from "./checker";

import { config } from "../platform/config";
import { Incident } from "../incident/incident";
import type { MonitorItem } from "../monitors/entity";
import { MonitorRead } from "../monitors/read";
import { markDegraded, markUp } from "../monitors/state";
import { rememberAnswer } from "../monitors/last-answer";
import { MonitorNotice } from "../alert/notice";
import { spaced, turns } from "../platform/concurrency";
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
  const already = opts.redelivered ? await CheckResult.find(m, job.dueAt) : undefined;
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
export async function runJobs(deliveries: Delivery[], opts: { groupWaitMs?: number } = {}): Promise<PromiseSettledResult<JobOutcome>[]> {
  const nextTurn = turns();
  // Probes start one per turn too, and at most one per START_SPACING_MS: starting a whole batch at
  // once is ~20 ms of work during which no response is read, and probes started together are
  // answered together, each response timed only when the thread gets to it after the others.
  const nextStart = spaced(START_SPACING_MS);
  const slots = slotWriter(
    deliveries.map((d) => d.job),
    opts.groupWaitMs ?? GROUP_WAIT_MS,
  );
  return Promise.allSettled(
    deliveries.map(async ({ job, redelivered }) => {
      await nextStart();
      let observation: Observation;
      try {
        observation = await observe(job, { redelivered });
      } catch (err) {
        slots.skip(job);
        throw err;
      }
      slots.probeEnded();
      if ("stored" in observation) slots.skip(job);
      await nextTurn();
      return settle(job, observation, { redelivered, record: slots.record });
    }),
  );
}

/**
 * The time between two probe starts of a batch, on average: 100 jobs start over 50 ms. Without it, a
 * full batch against sites answering at the same moment stored 84% of latencies within 5 ms of
 * the truth; with it 98% (BENCHMARKS.md §2). The batch takes that much longer, 50 ms of a 512 MB
 * Lambda per 100 checks.
 */
export const START_SPACING_MS = 0.5;

/**
 * How long the results of a cohort's slot wait for the rest of the cohort after the first one is
 * in: one write then stores them all. A member slower than this is stored on its own (one more
 * write), so a target that hangs until its timeout never holds up its cohort-mates' results.
 */
export const GROUP_WAIT_MS = 1000;

/**
 * A complete group is written once no probe of the batch has ended for QUIET_MS (at most
 * QUIET_MAX_MS after it completed): signing and sending DynamoDB requests while responses are
 * arriving would delay reading them, and so the latency stored for them.
 */
const QUIET_MS = 4;
const QUIET_MAX_MS = 60;

const slotKey = (job: CheckJob.Job) => (job.kind === "scheduled" && job.monitor.cohort ? `${job.monitor.cohort}|${job.dueAt}` : undefined);

/**
 * Stores the results of a batch's scheduled jobs that share a cohort slot together: a group is
 * written when all of its jobs in the batch have a result, or GROUP_WAIT_MS after its first.
 */
function slotWriter(jobs: CheckJob.Job[], waitMs: number) {
  /** Jobs of each cohort slot in the batch, and how many of them have not stored (or skipped) yet. */
  const sizes = new Map<string, number>();
  for (const job of jobs) {
    const key = slotKey(job);
    if (key) sizes.set(key, (sizes.get(key) ?? 0) + 1);
  }
  const expected = new Map(sizes);
  interface Group {
    cohort: string;
    at: number;
    results: Result[];
    waiting: Array<{ resolve: (s: CheckResult.Stored) => void; reject: (err: unknown) => void }>;
    timer?: NodeJS.Timeout;
    flushed: boolean;
  }
  const groups = new Map<string, Group>();
  /** Writes these groups: those that complete together share one read of their live items (CheckResult.recordSlots). */
  const flush = (ready: Array<[string, Group]>) => {
    const due = ready.filter(([, g]) => !g.flushed && g.results.length > 0);
    for (const [key, g] of due) {
      g.flushed = true;
      clearTimeout(g.timer);
      groups.delete(key);
    }
    if (due.length === 0) return;
    CheckResult.recordSlots(due.map(([, g]) => ({ cohort: g.cohort, at: g.at, results: g.results }))).then(
      (outcomes) =>
        outcomes.forEach((o, i) => {
          const g = due[i]![1];
          if (o.status === "fulfilled") o.value.forEach((stored, j) => g.waiting[j]!.resolve(stored));
          else g.waiting.forEach((w) => w.reject(o.reason));
        }),
      (err) => due.forEach(([, g]) => g.waiting.forEach((w) => w.reject(err))),
    );
  };
  let lastEnd = 0;
  let quiet: { since: number; ready: Array<[string, Group]> } | undefined;
  const whenQuiet = (key: string, g: Group) => {
    if (quiet) return void quiet.ready.push([key, g]);
    const q = { since: performance.now(), ready: [[key, g]] as Array<[string, Group]> };
    const check = () => {
      const now = performance.now();
      const wait = Math.min(QUIET_MS - (now - lastEnd), QUIET_MAX_MS - (now - q.since));
      if (wait > 0) return void setTimeout(check, wait);
      quiet = undefined;
      flush(q.ready);
    };
    quiet = q;
    check();
  };
  const arrived = (key: string) => {
    const left = (expected.get(key) ?? 1) - 1;
    expected.set(key, left);
    const g = groups.get(key);
    if (g && left <= 0) whenQuiet(key, g);
  };
  return {
    /** A probe of the batch has just ended (its response is read). */
    probeEnded() {
      lastEnd = performance.now();
    },
    /** A job that will store nothing (its slot was already stored, or its probe threw). */
    skip(job: CheckJob.Job) {
      const key = slotKey(job);
      if (key) arrived(key);
    },
    record(job: CheckJob.Job, result: Result): Promise<CheckResult.Stored> {
      const key = slotKey(job);
      if (!key || (sizes.get(key) ?? 0) <= 1) return CheckResult.record(result, job.monitor);
      let g = groups.get(key);
      if (!g) {
        g = { cohort: job.monitor.cohort!, at: job.dueAt, results: [], waiting: [], flushed: false };
        groups.set(key, g);
        const group = g;
        group.timer = setTimeout(() => flush([[key, group]]), waitMs);
      }
      const group = g;
      const stored = new Promise<CheckResult.Stored>((resolve, reject) => group.waiting.push({ resolve, reject }));
      group.results.push(result);
      arrived(key);
      return stored;
    },
  };
}

/** Stores an observation, then performs the steps the rules name until they say stop. */
export async function settle(
  job: CheckJob.Job,
  observation: Observation,
  opts: { redelivered?: boolean; now?: () => number; record?: (job: CheckJob.Job, result: Result) => Promise<CheckResult.Stored> } = {},
): Promise<JobOutcome> {
  const now = opts.now ?? Date.now;
  const monitorId = job.monitor.monitorId;
  const record = opts.record ?? ((j: CheckJob.Job, r: Result) => CheckResult.record(r, j.monitor));
  const stored =
    "stored" in observation
      ? { result: observation.stored, created: false }
      : await record(job, {
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
        facts.recent = await CheckResult.latest(job.monitor, step.count);
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
