export * as CheckRules from "./rules";

import type { MonitorItem } from "../monitors/entity";
import type { Snapshot } from "./check-job";
import type { CheckKind, Result } from "./result";
import { DEFAULT_DEGRADED_AFTER_CHECKS } from "../monitors/shape";

/**
 * When does an incident open, and when does it resolve? The checker's rules, as pure functions
 * of what is known so far. After a result is stored, `nextStep` names one step: a read (the
 * monitor, or its newest results), a write, or stop. The checker (checker.ts) performs it and,
 * after a read, asks again with what it learnt. The writes belong to the modules that own the
 * items: incidents in incident/incident.ts, monitor state in monitors/state.ts, jobs in check-job.ts.
 */

/** What a queued job's snapshot says of the monitor: used only to decide whether to read the monitor at all. */
export type SnapshotState = Pick<Snapshot, "state" | "openIncidentId" | "intervalSec"> & { degradedAboveMs?: number };

/** The monitor as read after the result was stored. Thresholds and intervals always come from here, never from a snapshot. */
export type MonitorState = Pick<
  MonitorItem,
  "monitorId" | "paused" | "state" | "openIncidentId" | "intervalSec" | "failureThreshold" | "recoveryThreshold" | "retryIntervalSec"
> & {
  maintenanceUntil?: number;
  offsetSec?: number;
  stateChangedAt?: number;
  degradedAboveMs?: number;
  degradedAfterChecks?: number;
  degradedAlert?: boolean;
};

export interface Facts {
  job: { kind: CheckKind; snapshot: SnapshotState };
  /** The slot's stored result: this delivery's, or the one an earlier delivery of the slot stored. */
  result: Result;
  /** This delivery stored the result; false when another delivery of the same slot had. */
  created: boolean;
  /** The queue delivered this job before (its message was received more than once). */
  redelivered: boolean;
  /** The scheduler's period: jobs are made up to this long before they run (see refreshSlot). */
  tickSeconds: number;
  /** Absent until read; null when the monitor no longer exists. */
  monitor?: MonitorState | null;
  /** Absent until read; the monitor's newest results, newest first, read consistently after `result` was stored. */
  recent?: Result[];
}

export type Step =
  | { do: "stop" }
  | { do: "readMonitor"; consistent: boolean }
  | { do: "readRecent"; count: number }
  /** A first pass of a pending monitor (or one left down without an incident). */
  | { do: "markUp"; at: number }
  /** The slow streak that began at `at` makes an up monitor degraded; `alert`: tell its emails and channels. */
  | { do: "markDegraded"; at: number; alert: boolean }
  | { do: "resolve"; incidentId: string; recoveredAt: number }
  /**
   * `retryAt`: the retry this failure gets if another incident turns out to be open already
   * (another check opened it after our read), as if it were below the threshold.
   */
  | { do: "open"; incidentId: string; startedAt: number; trigger: Result; retryAt?: number; refreshAt?: number }
  | { do: "retry"; at: number }
  /** Queue a job for this slot with the monitor as just read (see refreshSlot). */
  | { do: "refresh"; at: number };

const STOP: Step = { do: "stop" };

export const incidentIdFor = (monitorId: string, triggerAt: number) => `${monitorId}.${triggerAt}`;

/** Newest first: true when the newest `threshold` results all failed outside maintenance. */
export function failureThresholdReached(recent: Result[], threshold: number): boolean {
  return recent.length >= threshold && recent.slice(0, threshold).every((r) => !r.ok && !r.inMaintenance);
}

/** Whether scheduled maintenance muted the monitor at this instant. */
export const inMaintenance = (m: { maintenanceUntil?: number }, at: number) => m.maintenanceUntil !== undefined && at < m.maintenanceUntil;

/** A passing check slower than the monitor's degradedAboveMs. */
export const isSlow = (r: Pick<Result, "ok" | "latencyMs">, m: { degradedAboveMs?: number }) =>
  r.ok && m.degradedAboveMs !== undefined && r.latencyMs > m.degradedAboveMs;

/** Newest first: true when the newest `count` results all passed, slower than `aboveMs`. */
export function degradedThresholdReached(recent: Result[], count: number, aboveMs: number): boolean {
  return recent.length >= count && recent.slice(0, count).every((r) => isSlow(r, { degradedAboveMs: aboveMs }));
}

/** Newest first: true when the newest `threshold` results all passed. */
export function recoveryThresholdReached(recent: Result[], threshold: number): boolean {
  return recent.length >= threshold && recent.slice(0, threshold).every((r) => r.ok);
}

/**
 * When a failure below the threshold is confirmed: sooner than the next interval, or not at all
 * (undefined: the next scheduled check confirms it). The slot is derived from the failure's own,
 * so a redelivered message schedules the same retry, not a second one. Only for the newest
 * result (a late, out-of-order one must not start a retry chain) and only by the delivery that
 * stored it or a redelivery repairing a crash (two jobs of one slot would start two chains).
 */
export function retrySlot(
  monitor: Pick<MonitorItem, "intervalSec" | "retryIntervalSec">,
  failure: { at: number; kind: CheckKind },
  delivery: { newest: boolean; ownsResult: boolean },
): number | undefined {
  if (failure.kind === "manual" || !delivery.newest || !delivery.ownsResult) return undefined;
  if (monitor.retryIntervalSec >= monitor.intervalSec) return undefined;
  return failure.at + monitor.retryIntervalSec * 1000;
}

/**
 * Whether the monitor must be read after storing the result, and how. A healthy check of a
 * healthy monitor needs no read, at any interval: its snapshot says nothing can change, and a
 * snapshot that went stale because an incident opened after the job was made is covered by
 * the fresh job the opening queued for the same slot (refreshSlot).
 */
function reread(f: Facts): Step {
  const { snapshot } = f.job;
  const steady = snapshot.state === "up" && !snapshot.openIncidentId;
  // A slow pass may be the one that makes the monitor degraded; a fast one of an up monitor changes nothing.
  if (f.result.ok && steady && !isSlow(f.result, snapshot)) return STOP;
  return { do: "readMonitor", consistent: true };
}

/** The first slot of the monitor's schedule strictly after `t` (epoch ms). */
export function nextSlotAfter(m: { intervalSec: number; offsetSec: number }, t: number): number {
  const sec = Math.floor(t / 1000) + 1;
  const k = Math.ceil((sec - m.offsetSec) / m.intervalSec);
  return (m.offsetSec + k * m.intervalSec) * 1000;
}

/**
 * Jobs of a monitor whose interval is shorter than the tick are made a whole tick window at a
 * time, before they run, each with the snapshot of that moment. Once an incident opens, the
 * jobs already queued for the rest of that window still say "up", and a passing check with an
 * "up" snapshot reads nothing, so a recovery would wait for the next window. Instead, the
 * opening queues one job, with the incident in its snapshot, for the next slot of the window;
 * that job (when it fails) queues the slot after, and so on to the window's end. A slot then has
 * two jobs; the slot key stores one result, and the fresh job acts on it (resolves on a pass).
 * Undefined when the next slot lies beyond the window (the next tick's jobs carry the incident).
 */
export function refreshSlot(m: { intervalSec: number; offsetSec?: number }, after: number, openedAt: number, tickSeconds: number): number | undefined {
  if (m.offsetSec === undefined || m.intervalSec >= tickSeconds) return undefined;
  const windowEnd = Math.floor(openedAt / (tickSeconds * 1000)) * tickSeconds * 1000 + tickSeconds * 1000;
  const next = nextSlotAfter({ intervalSec: m.intervalSec, offsetSec: m.offsetSec }, after);
  return next < windowEnd ? next : undefined;
}

/**
 * A passing check of a monitor without an incident: degraded after `degradedAfterChecks` slow
 * passes in a row (counted from the recent results, read only after a slow pass), up again
 * after one pass that is not slow.
 */
function afterPassWithoutIncident(f: Facts, monitor: MonitorState): Step {
  const slow = isSlow(f.result, monitor);
  if (monitor.state === "degraded") return slow ? STOP : { do: "markUp", at: f.result.at };
  if (monitor.state !== "up") return { do: "markUp", at: f.result.at };
  if (!slow) return STOP;
  const count = monitor.degradedAfterChecks ?? DEFAULT_DEGRADED_AFTER_CHECKS;
  if (!f.recent) return { do: "readRecent", count };
  if (!degradedThresholdReached(f.recent, count, monitor.degradedAboveMs!)) return STOP;
  const streak = f.recent.slice(0, count);
  // as for incidents: an old redelivered check must not name a newer streak
  if (!streak.some((r) => r.at === f.result.at)) return STOP;
  const at = Math.min(...streak.map((r) => r.at));
  return { do: "markDegraded", at, alert: monitor.degradedAlert !== false && !inMaintenance(monitor, f.result.at) && !f.result.inMaintenance };
}

function afterPass(f: Facts, monitor: MonitorState): Step {
  if (!monitor.openIncidentId) return afterPassWithoutIncident(f, monitor);
  if (!f.recent) return { do: "readRecent", count: monitor.recoveryThreshold };
  if (!recoveryThresholdReached(f.recent, monitor.recoveryThreshold)) return STOP;
  const streak = f.recent.slice(0, monitor.recoveryThreshold);
  return { do: "resolve", incidentId: monitor.openIncidentId, recoveredAt: Math.min(...streak.map((r) => r.at)) };
}

function afterFailure(f: Facts, monitor: MonitorState): Step {
  // Muted by maintenance: recorded, but no incident, no retry, so no alert.
  if (f.result.inMaintenance || inMaintenance(monitor, f.result.at)) return STOP;
  const incidentId = incidentIdFor(monitor.monitorId, f.result.at);
  const ownsResult = f.created || f.redelivered;
  // One open incident per monitor: a failure while another is open changes nothing, except
  // that it carries the refresh chain of a sub-minute monitor on (one job per slot: only the
  // delivery that stored the result). Its own incident being open means a redelivery, which
  // repeats the (idempotent) opening.
  if (monitor.openIncidentId && monitor.openIncidentId !== incidentId) {
    const next = f.job.kind === "scheduled" && ownsResult ? refreshSlot(monitor, f.result.at, monitor.stateChangedAt ?? f.result.at, f.tickSeconds) : undefined;
    return next === undefined ? STOP : { do: "refresh", at: next };
  }
  if (!f.recent) return { do: "readRecent", count: monitor.failureThreshold };

  const retryAt = retrySlot(monitor, { at: f.result.at, kind: f.job.kind }, {
    newest: f.recent[0]?.at === f.result.at,
    ownsResult,
  });
  if (!failureThresholdReached(f.recent, monitor.failureThreshold)) return retryAt === undefined ? STOP : { do: "retry", at: retryAt };
  const streak = f.recent.slice(0, monitor.failureThreshold);
  // A redelivered old check must not name the incident of a newer streak: its id would point
  // at an incident that may be long resolved, and that outage would go unrecorded and unmailed.
  if (!streak.some((r) => r.at === f.result.at)) return STOP;
  const refreshAt = refreshSlot(monitor, Math.max(f.result.at, f.result.checkedAt), f.result.checkedAt, f.tickSeconds);
  return {
    do: "open",
    incidentId,
    startedAt: Math.min(...streak.map((r) => r.at)),
    trigger: f.result,
    ...(retryAt !== undefined && { retryAt }),
    ...(refreshAt !== undefined && { refreshAt }),
  };
}

/** The next step after storing a result, given everything read so far. */
export function nextStep(f: Facts): Step {
  if (f.monitor === undefined) return reread(f);
  if (!f.monitor || f.monitor.paused) return STOP;
  return f.result.ok ? afterPass(f, f.monitor) : afterFailure(f, f.monitor);
}
