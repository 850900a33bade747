import { describe, expect, it } from "vitest";
import type { Telemetry } from "@uptime/core/platform/telemetry";
import { createHealth, healthLine } from "./health";

const point = (name: Telemetry.MetricName, at: number, value = 1): Telemetry.MetricPoint => ({ name, value, unit: "Count", dimensions: {}, at });
const idleQueues = async () => ({ "local-checks": { visible: 0, inFlight: 0, delayed: 0 }, "local-checks-dlq": { visible: 2, inFlight: 0, delayed: 0 } });

describe("health", () => {
  it("says the tick stopped once it has not run for three windows, and again ok when it runs", async () => {
    let clock = 1_000_000;
    const health = createHealth({ tickSeconds: 60, queueCounts: idleQueues, now: () => clock });
    health.record([point("TickRan", clock)]);
    clock += 179_000;
    expect((await health.figures()).tickStopped).toBe(false);
    clock += 2_000;
    const stopped = await health.figures();
    expect(stopped.tickStopped).toBe(true);
    expect(healthLine(stopped)).toMatch(/TICK STOPPED \(last ran 1970-01-01T00:16:40\.000Z\)/);
    health.record([point("TickRan", clock)]);
    expect((await health.figures()).tickStopped).toBe(false);
  });

  it("counts a stack whose tick never ran as stopped after three windows from start", async () => {
    let clock = 5_000;
    const health = createHealth({ tickSeconds: 10, queueCounts: idleQueues, now: () => clock });
    expect((await health.figures()).tickStopped).toBe(false);
    clock += 31_000;
    expect(healthLine(await health.figures())).toContain("TICK STOPPED (last ran never)");
  });

  it("reports the last minute only, p95 of slot lag, and dead-lettered messages apart from queued ones", async () => {
    let clock = 10_000_000;
    const health = createHealth({ tickSeconds: 60, queueCounts: idleQueues, now: () => clock });
    health.record([point("ChecksCompleted", clock - 120_000, 50)]);
    const lags = Array.from({ length: 20 }, (_, i) => ({ ...point("SlotLagMs", clock - 1000, (i + 1) * 100), unit: "Milliseconds" }));
    health.record([point("ChecksCompleted", clock - 1000, 20), ...lags, point("TickRan", clock)]);
    const f = await health.figures();
    expect(f.minute.checks).toBe(20);
    expect(f.total.checks).toBe(70);
    expect(f.minute.slotLagP95Ms).toBe(1900);
    expect(f.deadLettered).toBe(2);
    expect(f.queued).toBe(0);
    expect(healthLine(f)).toBe("[health] last minute: 20 checks (0 failed), p95 slot lag 1.90 s, 0 queued, 2 dead-lettered, 0 mails; tick ok");
  });
});
