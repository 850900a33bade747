import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Cohort } from "./cohort";

type M = { monitorId: string; intervalSec: number; offsetSec: number; type: "http" | "heartbeat"; cohort?: string };

function fleet(n: number, intervalSec = 60, type: M["type"] = "http"): M[] {
  const out: M[] = [];
  for (let i = 0; i < n; i++) {
    const monitorId = randomUUID();
    out.push({ monitorId, intervalSec, type, ...Cohort.choose(monitorId, intervalSec, type, out) });
  }
  return out;
}

describe("Cohort.choose", () => {
  it("fills cohorts of one interval to COHORT_SIZE members that share an offset", () => {
    const monitors = fleet(20);
    const sizes = new Map<string, number>();
    for (const m of monitors) sizes.set(m.cohort!, (sizes.get(m.cohort!) ?? 0) + 1);
    expect([...sizes.values()].sort()).toEqual([4, 8, 8]);
    for (const [cohort] of sizes) expect(new Set(monitors.filter((m) => m.cohort === cohort).map((m) => m.offsetSec)).size).toBe(1);
    // a cohort is named after its first member
    expect(monitors[0]!.cohort).toBe(monitors[0]!.monitorId);
  });

  it("never puts different intervals or heartbeats together", () => {
    const minute = fleet(3, 60);
    const id = randomUUID();
    expect(Cohort.choose(id, 300, "http", minute).cohort).toBe(id);
    const hb = randomUUID();
    expect(Cohort.choose(hb, 60, "heartbeat", minute).cohort).toBe(hb);
  });

  it("skips a cohort where the new member's key is taken, and a member that moved off the slots", () => {
    const [a] = fleet(1);
    const twin = a!.monitorId.slice(0, 14) + "ffff-ffff-ffffffffffff".slice(0, 22);
    expect(Cohort.memberKey(twin)).toBe(Cohort.memberKey(a!.monitorId));
    expect(Cohort.choose(twin, 60, "http", [a!]).cohort).toBe(twin);
    // a's founder changed interval: its offset no longer counts as a seat for 60 s monitors
    const moved = { ...a!, intervalSec: 30 };
    const id = randomUUID();
    expect(Cohort.choose(id, 60, "http", [moved]).cohort).toBe(id);
  });
});
