import { describe, expect, it } from "vitest";
import { onOverdue, onPing, type State } from "./rules";

const T = Date.parse("2026-06-01T10:00:30Z");
const MIN = 60_000;
/** A heartbeat expected every 10 minutes with 2 minutes' grace, healthy, last expected at T. */
const base: State = { periodSec: 600, graceSec: 120, paused: false, expectedAt: T, deadline: T + 2 * MIN, healthy: true };

describe("ping rules", () => {
  it.each<[string, Partial<State>, "success" | "start" | "fail", { healthy: boolean; deadline: number; startedAt?: number; settle?: string; durationMs?: number }]>([
    ["a good ping moves the deadline a period on", {}, "success", { healthy: true, deadline: T + 10 * MIN + 2 * MIN }],
    ["the first good ping settles the monitor up", { healthy: false }, "success", { healthy: true, deadline: T + 12 * MIN, settle: "up" }],
    ["a good ping after a miss settles a recovery", { healthy: false, deadline: T - 5 * MIN }, "success", { healthy: true, deadline: T + 12 * MIN, settle: "up" }],
    ["a start gives the run the grace time to finish", {}, "start", { healthy: true, deadline: T + 2 * MIN, startedAt: T }],
    ["a finish reports the run's duration", { startedAt: T - 90_000 }, "success", { healthy: true, deadline: T + 12 * MIN, durationMs: 90_000 }],
    ["a failure settles the monitor down", {}, "fail", { healthy: false, deadline: T + 12 * MIN, settle: "down" }],
    ["a failure of a paused heartbeat settles nothing", { paused: true }, "fail", { healthy: false, deadline: T + 12 * MIN }],
    ["a finish long after its start has no duration", { startedAt: T - 8 * 86400_000 }, "success", { healthy: true, deadline: T + 12 * MIN }],
  ])("%s", (_, state, kind, expected) => {
    const d = onPing({ ...base, ...state }, { kind, at: T }, 30);
    expect(d.refused).toBe(false);
    if (d.refused) return;
    expect(d.change.healthy).toBe(expected.healthy);
    expect(d.change.deadline).toBe(expected.deadline);
    expect(d.change.startedAt).toBe(expected.startedAt);
    expect(d.settle).toBe(expected.settle);
    expect(d.durationMs).toBe(expected.durationMs);
  });

  it.each<[string, Partial<State>, { refused: boolean; count?: number; retryAfterSec?: number }]>([
    ["the first ping of a minute starts its count", {}, { refused: false, count: 1 }],
    ["a ping of a new minute starts over", { rateMinute: Math.floor(T / MIN) - 1, rateCount: 30 }, { refused: false, count: 1 }],
    ["pings within the budget count up", { rateMinute: Math.floor(T / MIN), rateCount: 29 }, { refused: false, count: 30 }],
    ["past the budget: refused until the minute ends", { rateMinute: Math.floor(T / MIN), rateCount: 30 }, { refused: true, retryAfterSec: 30 }],
  ])("%s", (_, state, expected) => {
    const d = onPing({ ...base, ...state }, { kind: "success", at: T }, 30);
    expect(d.refused).toBe(expected.refused);
    if (d.refused) expect(d.retryAfterSec).toBe(expected.retryAfterSec);
    else expect(d.rate).toEqual({ rateMinute: Math.floor(T / MIN), rateCount: expected.count });
  });

  it.each<[string, Partial<State>, number, { expectedAt: number; missedStart: boolean }]>([
    ["a missed period is expected again a period later", { expectedAt: T, deadline: T + 2 * MIN }, T + 2 * MIN + 5000, { expectedAt: T + 10 * MIN, missedStart: false }],
    ["a run that never finished is a miss of its start", { startedAt: T - MIN, deadline: T + MIN }, T + MIN + 5000, { expectedAt: T + 10 * MIN, missedStart: true }],
    ["a sweep long after still files it after now", { expectedAt: T, deadline: T + 2 * MIN }, T + 60 * MIN, { expectedAt: T + 60 * MIN, missedStart: false }],
  ])("%s", (_, state, now, expected) => {
    const next = onOverdue({ ...base, ...state }, now);
    expect(next.healthy).toBe(false);
    expect(next.expectedAt).toBe(expected.expectedAt);
    expect(next.deadline).toBeGreaterThan(now);
    expect(next.missedStart).toBe(expected.missedStart);
    expect(next.missedAt).toBe({ ...base, ...state }.deadline);
  });
});
