import { describe, expect, it } from "vitest";
import type { MonitorItem } from "../monitors/entity";
import { Message, pack, snapshotOf } from "./check-job";

describe("packing jobs into SQS messages and batches", () => {
  it("stops at the count limit", () => {
    expect(pack([1, 2, 3, 4, 5], () => 1, 2, 100)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("stops before the byte limit, and sends an oversized item alone", () => {
    const sizes: Record<string, number> = { a: 100, b: 100, c: 50, d: 300, e: 10 };
    expect(pack(["a", "b", "c", "d", "e"], (x) => sizes[x]!, 10, 200)).toEqual([["a", "b"], ["c"], ["d"], ["e"]]);
  });

  it("keeps every item exactly once", () => {
    const items = Array.from({ length: 137 }, (_, i) => i);
    const groups = pack(items, (i) => (i % 7) * 40, 10, 250);
    expect(groups.flat()).toEqual(items);
    for (const g of groups) expect(g.length).toBeLessThanOrEqual(10);
    for (const g of groups) if (g.length > 1) expect(g.reduce((n, i) => n + (i % 7) * 40, 0)).toBeLessThanOrEqual(250);
  });
});

describe("queue messages", () => {
  it("still parses a job queued with the thresholds it used to carry, and drops them", () => {
    const monitor = {
      monitorId: "m-1",
      url: "https://example.com/health",
      method: "GET",
      expectedStatus: ["200-399"],
      timeoutMs: 10000,
      intervalSec: 60,
      state: "up",
    };
    const old = { v: 1, jobs: [{ monitor: { ...monitor, failureThreshold: 3, recoveryThreshold: 1, retryIntervalSec: 20 }, dueAt: 1_800_000_000_000, kind: "retry" }] };
    const parsed = Message.parse(JSON.parse(JSON.stringify(old)));
    // queued before monitor types existed: an HTTP job
    expect(parsed.jobs[0]).toEqual({ monitor: { ...monitor, type: "http" }, dueAt: 1_800_000_000_000, kind: "retry" });
  });

  it("snapshots what the checker reads and nothing it re-reads from the monitor", () => {
    const item = {
      monitorId: "m-1", ownerId: "o-1", name: "Shop", url: "https://example.com/", method: "POST", body: "{}", expectedStatus: ["200"],
      timeoutMs: 5000, intervalSec: 30, keyword: "ok", keywordMode: "contains", failureThreshold: 2, recoveryThreshold: 1,
      retryIntervalSec: 10, paused: false, alertEmails: ["a@example.com"], offsetSec: 7, dueBucket: "i30", dueSk: "07#",
      state: "down", openIncidentId: "m-1.1", createdAt: 1, updatedAt: 2,
    } as MonitorItem;
    expect(JSON.parse(JSON.stringify(snapshotOf(item)))).toEqual({
      type: "http", monitorId: "m-1", url: "https://example.com/", method: "POST", body: "{}", expectedStatus: ["200"], timeoutMs: 5000,
      intervalSec: 30, keyword: "ok", keywordMode: "contains", state: "down", openIncidentId: "m-1.1",
    });
  });
});
