import { describe, expect, it } from "vitest";
import type { CheckKind, Result } from "./result";
import { CheckRules } from "./rules";

/**
 * The rules over sequences of results, against an in-memory monitor: each delivery stores its
 * result (or finds the slot's), then follows `nextStep`, applying each write as the owning
 * modules do (incident/incident.ts, monitors/state.ts, check-job.ts) with their conditions.
 * Times are seconds after T; incidents are named `#<trigger second>`.
 */

const T = Date.UTC(2025, 0, 1);
const TICK_SECONDS = 60;
const at = (s: number) => T + s * 1000;
const sec = (ms: number) => (ms - T) / 1000;
const idOf = (s: number) => CheckRules.incidentIdFor("m", at(s));
const nameOf = (incidentId: string) => `#${sec(Number(incidentId.slice(2)))}`;
const label = (incidentId: string | undefined) => (incidentId === undefined ? null : incidentId === "m.other" ? incidentId : nameOf(incidentId));

interface World {
  monitor: CheckRules.MonitorState | null;
  results: Result[];
  incidents: Map<string, { startedAt: number; status: "open" | "resolved"; resolvedAt?: number }>;
  retries: number[];
  /** Slots fresh jobs were queued for (CheckRules.refreshSlot). */
  refreshes: number[];
}

interface Delivery {
  at: number;
  ok: boolean;
  kind?: CheckKind;
  redelivered?: boolean;
  /** The job's snapshot; by default the monitor as it is when the job runs. */
  snapshot?: CheckRules.SnapshotState;
  /** Store the result without evaluating it (its job has not run the rules yet). */
  storeOnly?: boolean;
  /** The checker marked the result as made during maintenance (its snapshot said so). */
  inMaintenance?: boolean;
  /** Another check opens this incident between our reads and our writes. */
  raceOpens?: string;
  /** The check's latency (default 1 ms). */
  ms?: number;
  steps?: string[];
}

interface Case {
  name: string;
  monitor?: Partial<CheckRules.MonitorState> | null;
  deliveries: Delivery[];
  then?: { state?: string; open?: string | null; incidents?: Record<string, string>; retries?: number[]; refreshes?: number[] };
}

const UP: CheckRules.SnapshotState = { state: "up", intervalSec: 60 };
const UP10: CheckRules.SnapshotState = { state: "up", intervalSec: 10 };

function newWorld(monitor: Partial<CheckRules.MonitorState> | null | undefined): World {
  const base: CheckRules.MonitorState = {
    monitorId: "m",
    paused: false,
    state: "up",
    openIncidentId: undefined,
    intervalSec: 60,
    failureThreshold: 3,
    recoveryThreshold: 1,
    retryIntervalSec: 20,
    offsetSec: 0,
  };
  return { monitor: monitor === null ? null : { ...base, ...monitor }, results: [], incidents: new Map(), retries: [], refreshes: [] };
}

function describeStep(step: CheckRules.Step): string {
  switch (step.do) {
    case "stop":
      return "stop";
    case "readMonitor":
      return `read monitor (${step.consistent ? "consistent" : "eventual"})`;
    case "readRecent":
      return `read ${step.count} recent`;
    case "markUp":
      return `mark up at ${sec(step.at)}s`;
    case "markDegraded":
      return `mark degraded at ${sec(step.at)}s${step.alert ? " with alert" : ""}`;
    case "resolve":
      return `resolve ${nameOf(step.incidentId)} at ${sec(step.recoveredAt)}s`;
    case "open":
      return (
        `open ${nameOf(step.incidentId)} from ${sec(step.startedAt)}s` +
        (step.retryAt ? ` (else retry at ${sec(step.retryAt)}s)` : "") +
        (step.refreshAt ? `, refresh ${sec(step.refreshAt)}s` : "")
      );
    case "retry":
      return `retry at ${sec(step.at)}s`;
    case "refresh":
      return `refresh ${sec(step.at)}s`;
  }
}

/** One delivery of a job: store, then follow the rules. Returns the steps taken. */
function deliver(w: World, d: Delivery): string[] {
  const kind = d.kind ?? "scheduled";
  const snapshot = d.snapshot ?? { state: w.monitor!.state, openIncidentId: w.monitor!.openIncidentId, intervalSec: w.monitor!.intervalSec, degradedAboveMs: w.monitor!.degradedAboveMs };
  const existing = w.results.find((r) => r.at === at(d.at));
  const result: Result = existing ?? { monitorId: "m", at: at(d.at), ok: d.ok, latencyMs: d.ms ?? 1, kind, checkedAt: at(d.at), ...(d.ok ? {} : { reason: "status_mismatch" }), ...(d.inMaintenance && { inMaintenance: true }) };
  if (!existing) w.results.push(result);
  if (d.storeOnly) return [];

  const facts: CheckRules.Facts = { job: { kind, snapshot }, result, created: !existing, redelivered: d.redelivered === true, tickSeconds: TICK_SECONDS };
  const steps: string[] = [];
  for (;;) {
    const step = CheckRules.nextStep(facts);
    steps.push(describeStep(step));
    const m = w.monitor!;
    if (d.raceOpens && step.do !== "readMonitor" && step.do !== "readRecent") {
      Object.assign(m, { openIncidentId: d.raceOpens, state: "down" });
    }
    switch (step.do) {
      case "stop":
        return steps;
      case "readMonitor":
        facts.monitor = w.monitor && { ...w.monitor };
        continue;
      case "readRecent":
        facts.recent = [...w.results].sort((a, b) => b.at - a.at).slice(0, step.count);
        continue;
      case "markUp":
        if (!m.openIncidentId) m.state = "up";
        return steps;
      case "markDegraded":
        if (!m.openIncidentId && m.state === "up") Object.assign(m, { state: "degraded", stateChangedAt: step.at });
        return steps;
      case "resolve": {
        const incident = w.incidents.get(step.incidentId);
        if (incident?.status === "open") Object.assign(incident, { status: "resolved", resolvedAt: step.recoveredAt });
        if (m.openIncidentId === step.incidentId) Object.assign(m, { openIncidentId: undefined, state: "up" });
        return steps;
      }
      case "open":
        if (!w.incidents.has(step.incidentId)) w.incidents.set(step.incidentId, { startedAt: step.startedAt, status: "open" });
        if (!m.openIncidentId || m.openIncidentId === step.incidentId) {
          Object.assign(m, { openIncidentId: step.incidentId, state: "down", stateChangedAt: step.trigger.at });
          if (step.refreshAt !== undefined) w.refreshes.push(step.refreshAt);
        } else {
          w.incidents.delete(step.incidentId);
          if (step.retryAt !== undefined) w.retries.push(step.retryAt);
        }
        return steps;
      case "retry":
        w.retries.push(step.at);
        return steps;
      case "refresh":
        w.refreshes.push(step.at);
        return steps;
    }
  }
}

const read3 = ["read monitor (consistent)", "read 3 recent"];
const read1 = ["read monitor (consistent)", "read 1 recent"];

const cases: Case[] = [
  // ---- degraded: passing checks slower than degradedAboveMs
  {
    name: "degraded: a fast pass of an up monitor reads nothing, even with a threshold set",
    monitor: { degradedAboveMs: 500 },
    deliveries: [{ at: 0, ok: true, ms: 499, steps: ["stop"] }],
    then: { state: "up" },
  },
  {
    name: "degraded: slow passes below the streak read the recent results and change nothing",
    monitor: { degradedAboveMs: 500, degradedAfterChecks: 3 },
    deliveries: [
      { at: 0, ok: true, ms: 900, steps: [...read3, "stop"] },
      { at: 60, ok: true, ms: 900, steps: [...read3, "stop"] },
    ],
    then: { state: "up", open: null },
  },
  {
    name: "degraded: the third slow pass in a row makes it degraded from the first, with the alert",
    monitor: { degradedAboveMs: 500 },
    deliveries: [
      { at: 0, ok: true, ms: 900 },
      { at: 60, ok: true, ms: 600 },
      { at: 120, ok: true, ms: 501, steps: [...read3, "mark degraded at 0s with alert"] },
    ],
    then: { state: "degraded", open: null, incidents: {} },
  },
  {
    name: "degraded: a fast pass in between restarts the streak",
    monitor: { degradedAboveMs: 500, degradedAfterChecks: 2 },
    deliveries: [
      { at: 0, ok: true, ms: 900 },
      { at: 60, ok: true, ms: 10, steps: ["stop"] },
      { at: 120, ok: true, ms: 900, steps: ["read monitor (consistent)", "read 2 recent", "stop"] },
      { at: 180, ok: true, ms: 900, steps: ["read monitor (consistent)", "read 2 recent", "mark degraded at 120s with alert"] },
    ],
    then: { state: "degraded" },
  },
  {
    name: "degraded: a failure in the streak is not slow, and a slow monitor that fails goes down",
    monitor: { degradedAboveMs: 500, degradedAfterChecks: 2, failureThreshold: 1 },
    deliveries: [
      { at: 0, ok: true, ms: 900 },
      { at: 60, ok: false, steps: [...read1, "open #60 from 60s (else retry at 80s)"] },
    ],
    then: { state: "down", open: "#60" },
  },
  {
    name: "degraded: degradedAlert false marks it without the alert; threshold 1 needs one slow pass",
    monitor: { degradedAboveMs: 500, degradedAfterChecks: 1, degradedAlert: false },
    deliveries: [{ at: 0, ok: true, ms: 900, steps: [...read1, "mark degraded at 0s"] }],
    then: { state: "degraded" },
  },
  {
    name: "degraded: no alert during maintenance",
    monitor: { degradedAboveMs: 500, degradedAfterChecks: 1, maintenanceUntil: at(100) },
    deliveries: [{ at: 0, ok: true, ms: 900, steps: [...read1, "mark degraded at 0s"] }],
    then: { state: "degraded" },
  },
  {
    name: "degraded: further slow passes keep it degraded with one read each; one fast pass makes it up",
    monitor: { state: "degraded", degradedAboveMs: 500 },
    deliveries: [
      { at: 0, ok: true, ms: 900, steps: ["read monitor (consistent)", "stop"] },
      { at: 60, ok: true, ms: 20, steps: ["read monitor (consistent)", "mark up at 60s"] },
    ],
    then: { state: "up" },
  },
  {
    name: "degraded: a degraded monitor whose threshold was removed is up at its next pass",
    monitor: { state: "degraded" },
    deliveries: [{ at: 0, ok: true, ms: 900, steps: ["read monitor (consistent)", "mark up at 0s"] }],
    then: { state: "up" },
  },
  {
    name: "degraded: an incident's recovery makes it up, not degraded, even when the recovering pass is slow",
    monitor: { state: "down", openIncidentId: CheckRules.incidentIdFor("m", at(0)), degradedAboveMs: 500 },
    deliveries: [{ at: 60, ok: true, ms: 900, steps: [...read1, "resolve #0 at 60s"] }],
    then: { state: "up", open: null },
  },
  {
    name: "degraded: a redelivered old slow pass does not mark a newer streak",
    monitor: { degradedAboveMs: 500, degradedAfterChecks: 2 },
    deliveries: [
      { at: 0, ok: true, ms: 900, storeOnly: true },
      { at: 60, ok: true, ms: 900, storeOnly: true },
      { at: 120, ok: true, ms: 900, storeOnly: true },
      { at: 0, ok: true, ms: 900, redelivered: true, steps: ["read monitor (consistent)", "read 2 recent", "stop"] },
    ],
    then: { state: "up" },
  },
  // ---- scheduled maintenance
  {
    name: "maintenance: a failure during maintenance opens no incident and starts no retry",
    monitor: { failureThreshold: 1, maintenanceUntil: at(100) },
    deliveries: [{ at: 0, ok: false, inMaintenance: true, steps: ["read monitor (consistent)", "stop"] }],
    then: { state: "up", open: null, incidents: {}, retries: [] },
  },
  {
    name: "maintenance: a job queued before maintenance began is muted by the monitor it reads",
    monitor: { failureThreshold: 1, maintenanceUntil: at(100) },
    deliveries: [{ at: 0, ok: false, steps: ["read monitor (consistent)", "stop"] }],
    then: { open: null, incidents: {}, retries: [] },
  },
  {
    name: "maintenance: failures made during it do not count toward the threshold afterwards",
    monitor: { failureThreshold: 2, maintenanceUntil: at(30) },
    deliveries: [
      { at: 0, ok: false, inMaintenance: true, steps: ["read monitor (consistent)", "stop"] },
      { at: 60, ok: false, steps: ["read monitor (consistent)", "read 2 recent", "retry at 80s"] },
      { at: 80, ok: false, kind: "retry", steps: ["read monitor (consistent)", "read 2 recent", "open #80 from 60s (else retry at 100s)"] },
    ],
    then: { state: "down", open: "#80", incidents: { "#80": "open" }, retries: [80] },
  },
  {
    name: "maintenance: a pass during maintenance still resolves an open incident",
    monitor: { state: "down", openIncidentId: CheckRules.incidentIdFor("m", at(0)), maintenanceUntil: at(100) },
    deliveries: [{ at: 60, ok: true, inMaintenance: true, steps: ["read monitor (consistent)", "read 1 recent", "resolve #0 at 60s"] }],
    then: { state: "up", open: null },
  },
  // ---- failure threshold
  {
    name: "failure threshold 1: the first failure opens the incident",
    monitor: { failureThreshold: 1 },
    deliveries: [{ at: 0, ok: false, steps: [...read1, "open #0 from 0s (else retry at 20s)"] }],
    then: { state: "down", open: "#0", incidents: { "#0": "open" }, retries: [] },
  },
  {
    name: "failure threshold 3: two retries 20 s apart, then the incident, dated from the first failure",
    deliveries: [
      { at: 0, ok: false, steps: [...read3, "retry at 20s"] },
      { at: 20, ok: false, kind: "retry", steps: [...read3, "retry at 40s"] },
      { at: 40, ok: false, kind: "retry", steps: [...read3, "open #40 from 0s (else retry at 60s)"] },
    ],
    then: { state: "down", open: "#40", incidents: { "#40": "open" }, retries: [20, 40] },
  },
  {
    name: "a pass between failures starts the count again",
    deliveries: [
      { at: 0, ok: false, steps: [...read3, "retry at 20s"] },
      { at: 20, ok: true, kind: "retry", steps: ["stop"] },
      { at: 60, ok: false, steps: [...read3, "retry at 80s"] },
      { at: 80, ok: false, kind: "retry", steps: [...read3, "retry at 100s"] },
    ],
    then: { state: "up", open: null, incidents: {}, retries: [20, 80, 100] },
  },
  // ---- recovery threshold
  {
    name: "recovery threshold 1: the first pass resolves, as of that pass",
    monitor: { failureThreshold: 1 },
    deliveries: [
      { at: 0, ok: false, steps: [...read1, "open #0 from 0s (else retry at 20s)"] },
      { at: 60, ok: true, steps: [...read1, "resolve #0 at 60s"] },
    ],
    then: { state: "up", open: null, incidents: { "#0": "resolved" } },
  },
  {
    name: "recovery threshold 2: the second pass resolves, as of the first",
    monitor: { failureThreshold: 1, recoveryThreshold: 2 },
    deliveries: [
      { at: 0, ok: false, steps: [...read1, "open #0 from 0s (else retry at 20s)"] },
      { at: 60, ok: true, steps: ["read monitor (consistent)", "read 2 recent", "stop"] },
      { at: 120, ok: true, steps: ["read monitor (consistent)", "read 2 recent", "resolve #0 at 60s"] },
    ],
    then: { state: "up", open: null, incidents: { "#0": "resolved" } },
  },
  // ---- retries
  {
    name: "no retry when the retry interval equals the interval: the next scheduled check confirms",
    monitor: { intervalSec: 10, retryIntervalSec: 10 },
    deliveries: [{ at: 0, ok: false, steps: [...read3, "stop"] }],
    then: { retries: [] },
  },
  {
    name: "a manual check never schedules a retry",
    deliveries: [{ at: 0, ok: false, kind: "manual", steps: [...read3, "stop"] }],
    then: { retries: [] },
  },
  {
    name: "a late, out-of-order failure starts no retry chain",
    deliveries: [
      { at: 60, ok: false, storeOnly: true },
      { at: 0, ok: false, steps: [...read3, "stop"] },
    ],
    then: { retries: [] },
  },
  {
    name: "two jobs of one slot schedule one retry: only the one that stored the result",
    deliveries: [
      { at: 0, ok: false, steps: [...read3, "retry at 20s"] },
      { at: 0, ok: false, steps: [...read3, "stop"] },
    ],
    then: { retries: [20] },
  },
  // ---- what a check reads
  {
    name: "a healthy check of a healthy monitor reads nothing",
    deliveries: [{ at: 0, ok: true, steps: ["stop"] }],
  },
  {
    name: "a sub-minute monitor's passing scheduled check reads nothing either",
    monitor: { intervalSec: 10, retryIntervalSec: 10 },
    deliveries: [{ at: 0, ok: true, steps: ["stop"] }],
  },
  {
    name: "a sub-minute job whose snapshot predates the incident stops unread; the fresh job the opening queued for its slot resolves it at once",
    monitor: { intervalSec: 10, retryIntervalSec: 10, failureThreshold: 1 },
    deliveries: [
      { at: 0, ok: false, kind: "manual", steps: [...read1, "open #0 from 0s, refresh 10s"] },
      { at: 10, ok: true, snapshot: UP10, steps: ["stop"] },
      { at: 10, ok: true, steps: [...read1, "resolve #0 at 10s"] },
    ],
    then: { state: "up", open: null, incidents: { "#0": "resolved" }, refreshes: [10] },
  },
  {
    name: "while a sub-minute outage lasts, each slot's stored failure queues the next fresh job, to the end of the tick window",
    monitor: { intervalSec: 10, retryIntervalSec: 10, failureThreshold: 1 },
    deliveries: [
      { at: 30, ok: false, kind: "manual", steps: [...read1, "open #30 from 30s, refresh 40s"] },
      // the stale job of slot 40 stores the failure and carries the chain on; the fresh one of the same slot does not
      { at: 40, ok: false, snapshot: UP10, steps: ["read monitor (consistent)", "refresh 50s"] },
      { at: 40, ok: false, steps: ["read monitor (consistent)", "stop"] },
      // slot 60 belongs to the next tick window, whose jobs carry the incident
      { at: 50, ok: false, steps: ["read monitor (consistent)", "stop"] },
    ],
    then: { open: "#30", refreshes: [40, 50] },
  },
  {
    name: "a one-minute job with an up snapshot stops unread; the next tick's snapshot carries the incident",
    monitor: { failureThreshold: 1 },
    deliveries: [
      { at: 0, ok: false, kind: "manual", steps: [...read1, "open #0 from 0s"] },
      { at: 60, ok: true, snapshot: UP, steps: ["stop"] },
      { at: 120, ok: true, steps: [...read1, "resolve #0 at 120s"] },
    ],
    then: { state: "up", incidents: { "#0": "resolved" } },
  },
  {
    name: "a pending monitor's first pass marks it up",
    monitor: { state: "pending" },
    deliveries: [{ at: 0, ok: true, steps: ["read monitor (consistent)", "mark up at 0s"] }],
    then: { state: "up" },
  },
  // ---- redelivery
  {
    name: "the same failing slot delivered twice: same steps, same incident",
    monitor: { failureThreshold: 1 },
    deliveries: [
      { at: 0, ok: false, snapshot: UP, steps: [...read1, "open #0 from 0s (else retry at 20s)"] },
      { at: 0, ok: false, snapshot: UP, redelivered: true, steps: [...read1, "open #0 from 0s (else retry at 20s)"] },
    ],
    then: { state: "down", open: "#0", incidents: { "#0": "open" } },
  },
  {
    name: "a redelivered failure below the threshold schedules the same retry slot again",
    deliveries: [
      { at: 0, ok: false, steps: [...read3, "retry at 20s"] },
      { at: 0, ok: false, redelivered: true, steps: [...read3, "retry at 20s"] },
    ],
    then: { retries: [20, 20] },
  },
  // ---- results older than the open incident
  {
    name: "a late old failure while a newer incident is open reads no results and names nothing",
    monitor: { failureThreshold: 1 },
    deliveries: [
      { at: 60, ok: false, kind: "manual", steps: [...read1, "open #60 from 60s"] },
      { at: 0, ok: false, steps: ["read monitor (consistent)", "stop"] },
    ],
    then: { state: "down", open: "#60", incidents: { "#60": "open" } },
  },
  {
    name: "a late old pass does not resolve a newer incident",
    monitor: { failureThreshold: 1 },
    deliveries: [
      { at: 60, ok: false, kind: "manual", steps: [...read1, "open #60 from 60s"] },
      { at: 0, ok: true, steps: [...read1, "stop"] },
    ],
    then: { state: "down", open: "#60", incidents: { "#60": "open" } },
  },
  {
    name: "a redelivered old failure does not open an incident for a newer streak; the streak's own job does",
    monitor: { failureThreshold: 2, retryIntervalSec: 60 },
    deliveries: [
      { at: 0, ok: false, steps: ["read monitor (consistent)", "read 2 recent", "stop"] },
      { at: 60, ok: false, steps: ["read monitor (consistent)", "read 2 recent", "open #60 from 0s"] },
      { at: 120, ok: true, steps: ["read monitor (consistent)", "read 1 recent", "resolve #60 at 120s"] },
      { at: 180, ok: false, storeOnly: true },
      { at: 240, ok: false, storeOnly: true },
      { at: 60, ok: false, redelivered: true, steps: ["read monitor (consistent)", "read 2 recent", "stop"] },
      { at: 240, ok: false, redelivered: true, steps: ["read monitor (consistent)", "read 2 recent", "open #240 from 180s"] },
    ],
    then: { state: "down", open: "#240", incidents: { "#60": "resolved", "#240": "open" } },
  },
  // ---- one open incident per monitor
  {
    name: "a failure while another incident is open stops after reading the monitor",
    monitor: { state: "down", openIncidentId: "m.other" },
    deliveries: [{ at: 0, ok: false, steps: ["read monitor (consistent)", "stop"] }],
    then: { open: "m.other", incidents: {}, retries: [] },
  },
  {
    name: "losing the race to another incident withdraws ours and keeps the failure's retry",
    monitor: { failureThreshold: 1 },
    deliveries: [{ at: 0, ok: false, raceOpens: "m.other", steps: [...read1, "open #0 from 0s (else retry at 20s)"] }],
    then: { open: "m.other", incidents: {}, retries: [20] },
  },
  // ---- monitors that are gone or paused
  {
    name: "a paused monitor: nothing after the read",
    monitor: { paused: true, failureThreshold: 1 },
    deliveries: [{ at: 0, ok: false, steps: ["read monitor (consistent)", "stop"] }],
    then: { state: "up", incidents: {} },
  },
  {
    name: "a deleted monitor: nothing after the read",
    monitor: null,
    deliveries: [{ at: 0, ok: false, snapshot: UP, steps: ["read monitor (consistent)", "stop"] }],
    then: { incidents: {} },
  },
];

describe("CheckRules.nextStep over sequences of results", () => {
  it.each(cases)("$name", (c) => {
    const w = newWorld(c.monitor);
    c.deliveries.forEach((d, i) => {
      const steps = deliver(w, d);
      if (d.steps) expect(steps, `delivery ${i} (${d.at}s)`).toEqual(d.steps);
    });
    const then = c.then ?? {};
    if (then.state !== undefined) expect(w.monitor?.state).toBe(then.state);
    if (then.open !== undefined) expect(label(w.monitor?.openIncidentId)).toBe(then.open);
    if (then.incidents) {
      expect(Object.fromEntries([...w.incidents].map(([id, i]) => [nameOf(id), i.status]))).toEqual(then.incidents);
    }
    if (then.retries) expect(w.retries.map(sec)).toEqual(then.retries);
    if (then.refreshes) expect(w.refreshes.map(sec)).toEqual(then.refreshes);
  });

  it("names the incident after the trigger and dates it from the first failure of the streak", () => {
    const w = newWorld({ failureThreshold: 2, retryIntervalSec: 60 });
    deliver(w, { at: 0, ok: false });
    deliver(w, { at: 60, ok: false });
    expect([...w.incidents]).toEqual([[idOf(60), { startedAt: at(0), status: "open" }]]);
  });
});

describe("CheckRules.refreshSlot", () => {
  const m = { intervalSec: 10, offsetSec: 3 };
  it("is the monitor's next slot after the instant, while it lies inside the tick window the incident opened in", () => {
    expect(CheckRules.nextSlotAfter(m, at(25))).toBe(at(33));
    expect(CheckRules.nextSlotAfter(m, at(33))).toBe(at(43));
    expect(CheckRules.refreshSlot(m, at(25), at(25), TICK_SECONDS)).toBe(at(33));
    expect(CheckRules.refreshSlot(m, at(53), at(25), TICK_SECONDS)).toBeUndefined();
  });
  it("is never needed for a monitor checked once a tick or less often", () => {
    expect(CheckRules.refreshSlot({ intervalSec: 60, offsetSec: 3 }, at(0), at(0), TICK_SECONDS)).toBeUndefined();
  });
});

describe("CheckRules.retrySlot", () => {
  const owned = { newest: true, ownsResult: true };
  it.each([
    { name: "retry sooner than the interval", monitor: { intervalSec: 60, retryIntervalSec: 20 }, kind: "scheduled", delivery: owned, expected: at(20) },
    { name: "a retry's failure retries again", monitor: { intervalSec: 60, retryIntervalSec: 20 }, kind: "retry", delivery: owned, expected: at(20) },
    { name: "retry equal to the interval", monitor: { intervalSec: 10, retryIntervalSec: 10 }, kind: "scheduled", delivery: owned, expected: undefined },
    { name: "manual check", monitor: { intervalSec: 60, retryIntervalSec: 20 }, kind: "manual", delivery: owned, expected: undefined },
    { name: "not the newest result", monitor: { intervalSec: 60, retryIntervalSec: 20 }, kind: "scheduled", delivery: { newest: false, ownsResult: true }, expected: undefined },
    { name: "another delivery stored the result", monitor: { intervalSec: 60, retryIntervalSec: 20 }, kind: "scheduled", delivery: { newest: true, ownsResult: false }, expected: undefined },
  ] as const)("$name", ({ monitor, kind, delivery, expected }) => {
    expect(CheckRules.retrySlot(monitor, { at: at(0), kind }, delivery)).toBe(expected);
  });
});
