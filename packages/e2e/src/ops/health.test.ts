import { afterAll, beforeAll, describe, expect, it } from "vitest";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { createMonitorFixture } from "../kit/monitor-fixture";

let stack: TestStack;
let target: Target;
beforeAll(async () => {
  target = await startTarget();
  stack = await startTestStack({ tickSeconds: 10 });
});
afterAll(async () => {
  await stack?.stop();
  await target?.stop();
});

describe("local health figures (what the deployed alarms watch)", () => {
  it("count the checks, slot lag and queues the functions report, and say the tick runs", async () => {
    const before = await stack.health();
    expect(before.total.ticks).toBe(0);

    // Both monitors are due in the current 10-second window; one target answers, one refuses.
    const now = Date.now();
    const offsetSec = Math.floor((now / 1000) % 10);
    await createMonitorFixture({ intervalSec: 10, offsetSec, url: `${target.url}/ok` });
    await createMonitorFixture({ intervalSec: 10, offsetSec, url: "http://127.0.0.1:9/closed", failureThreshold: 3 });
    await stack.tick(new Date(now));
    await stack.drainQueues();

    const f = await stack.health();
    expect(f.total.ticks).toBe(1);
    expect(f.total.jobsEnqueued).toBe(2);
    expect(f.minute.checks).toBe(2);
    expect(f.minute.failedChecks).toBe(1);
    expect(f.minute.slotLagP95Ms).not.toBeNull();
    expect(f.minute.slotLagP95Ms!).toBeGreaterThanOrEqual(0);
    expect(f.tickStopped).toBe(false);
    expect(f.lastTickAt).not.toBeNull();
    expect(f.deadLettered).toBe(0);

    const res = await fetch(`${stack.apiUrl}/local/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ total: { ticks: 1, checks: 2 }, tickStopped: false });
  });

  it("are served in the Prometheus text format, as a community parser reads it", async () => {
    const res = await fetch(`${stack.apiUrl}/local/metrics`);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusTextFormat(await res.text());
    const byName = Object.fromEntries(families.map((f) => [f.name, f]));
    expect(byName.uptime_checks_total).toMatchObject({ type: "COUNTER", metrics: [{ value: "2" }] });
    expect(byName.uptime_checks_failed_total!.metrics[0]!.value).toBe("1");
    expect(byName.uptime_tick_stopped).toMatchObject({ type: "GAUGE", metrics: [{ value: "0" }] });
    expect(Number(byName.uptime_last_tick_timestamp_seconds!.metrics[0]!.value)).toBeGreaterThan(1.7e9);
  });
});
