export * as CheckRules from "./rules";

import type { MonitorItem } from "../monitors/entity";
import type { Snapshot } from "./check-job";
import type { CheckKind, Result } from "./result";

/**
 * When does an incident open, and when does it resolve? The checker's rules, as pure functions
 * of what is known so far. After a result is stored, `nextStep` names one step: a read (the
 * monitor, or its newest results), a write, or stop. The checker (checker.ts) performs it and,
 * after a read, asks again with what it learnt. The writes belong to the modules that own the
 * items: incidents in incident/incident.ts, monitor state in monitors/state.ts, jobs in check-job.ts.
 */

/** What a queued job's snapshot says of the monitor: used only to decide whether to read the monitor at all. */
export type SnapshotState = Pick<Snapshot, "state" | "openIncidentId" | "intervalSec">;

/** The monitor as read after the result was stored. Thresholds and intervals always come from here, never from a snapshot. */
export type MonitorState = Pick<
  MonitorItem,
  "monitorId" | "paused" | "state" | "openIncidentId" | "intervalSec" | "failureThreshold" | "recoveryThreshold" | "retryIntervalSec"
> & { maintenanceUntil?: number };

export interface Facts {
  job: { kind: CheckKind; snapshot: SnapshotState };
  /** The slot's stored result: this delivery's, or the one an earlier delivery of the slot stored. */
  result: Result;
  /** This delivery stored the result; false when another delivery of the same slot had. */
  created: boolean;
  /** The queue delivered this job before (its message was received more than once). */
  redelivered: boolean;
  /** The scheduler's period: jobs are made up to this long before they run. */
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
  | { do: "resolve"; incidentId: string; recoveredAt: number }
  /**
   * `retryAt`: the retry this failure gets if another incident turns out to be open already
   * (another check opened it after our read), as if it were below the threshold.
   */
  | { do: "open"; incidentId: string; startedAt: number; trigger: Result; retryAt?: number }
  | { do: "retry"; at: number };

const STOP: Step = { do: "stop" };

export const incidentIdFor = (monitorId: string, triggerAt: number) => `${monitorId}.${triggerAt}`;

/** Newest first: true when the newest `threshold` results all failed outside maintenance. */
export function failureThresholdReached(recent: Result[], threshold: number): boolean {
  return recent.length >= threshold && recent.slice(0, threshold).every((r) => !r.ok && !r.inMaintenance);
}

/** Whether scheduled maintenance muted the monitor at this instant. */
export const inMaintenance = (m: { maintenanceUntil?: number }, at: number) => m.maintenanceUntil !== undefined && at < m.maintenanceUntil;

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
 * healthy monitor needs no read: its snapshot says nothing can change.
 */
function reread(f: Facts): Step {
  const { snapshot } = f.job;
  const steady = snapshot.state === "up" && !snapshot.openIncidentId;
  // A sub-minute monitor's jobs are made up to a minute before they run, so an incident opened
  // in between is missing from their snapshot and a recovery would wait for the next tick.
  // For those, a passing check reads the monitor (eventually consistent: half a read unit).
  const snapshotMayBeStale = f.job.kind === "scheduled" && snapshot.intervalSec < f.tickSeconds;
  if (f.result.ok && steady && !snapshotMayBeStale) return STOP;
  return { do: "readMonitor", consistent: !(f.result.ok && steady) };
}

function afterPass(f: Facts, monitor: MonitorState): Step {
  if (!monitor.openIncidentId) return monitor.state === "up" ? STOP : { do: "markUp", at: f.result.at };
  if (!f.recent) return { do: "readRecent", count: monitor.recoveryThreshold };
  if (!recoveryThresholdReached(f.recent, monitor.recoveryThreshold)) return STOP;
  const streak = f.recent.slice(0, monitor.recoveryThreshold);
  return { do: "resolve", incidentId: monitor.openIncidentId, recoveredAt: Math.min(...streak.map((r) => r.at)) };
}

function afterFailure(f: Facts, monitor: MonitorState): Step {
  // Muted by maintenance: recorded, but no incident, no retry, so no alert.
  if (f.result.inMaintenance || inMaintenance(monitor, f.result.at)) return STOP;
  const incidentId = incidentIdFor(monitor.monitorId, f.result.at);
  // One open incident per monitor: a failure while another is open changes nothing. Its own
  // incident being open means a redelivery, which repeats the (idempotent) opening.
  if (monitor.openIncidentId && monitor.openIncidentId !== incidentId) return STOP;
  if (!f.recent) return { do: "readRecent", count: monitor.failureThreshold };

  const retryAt = retrySlot(monitor, { at: f.result.at, kind: f.job.kind }, {
    newest: f.recent[0]?.at === f.result.at,
    ownsResult: f.created || f.redelivered,
  });
  if (!failureThresholdReached(f.recent, monitor.failureThreshold)) return retryAt === undefined ? STOP : { do: "retry", at: retryAt };
  const streak = f.recent.slice(0, monitor.failureThreshold);
  // A redelivered old check must not name the incident of a newer streak: its id would point
  // at an incident that may be long resolved, and that outage would go unrecorded and unmailed.
  if (!streak.some((r) => r.at === f.result.at)) return STOP;
  return { do: "open", incidentId, startedAt: Math.min(...streak.map((r) => r.at)), trigger: f.result, retryAt };
}

/** The next step after storing a result, given everything read so far. */
export function nextStep(f: Facts): Step {
  if (f.monitor === undefined) return reread(f);
  if (!f.monitor || f.monitor.paused) return STOP;
  return f.result.ok ? afterPass(f, f.monitor) : afterFailure(f, f.monitor);
}
