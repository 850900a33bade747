import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import type { Result } from "@uptime/core/check/result";
import { writeManyResults } from "../kit/test-history";
import { MonitorEntity } from "@uptime/core/monitors/monitor";
import { History } from "@uptime/core/history/history";
import { Rollup } from "@uptime/core/history/rollup";
import { RollupJob } from "@uptime/core/history/rollup-job";
import { DAY, HOUR, floorTo } from "@uptime/core/platform/time";
import { config } from "@uptime/core/platform/config";
import { Stats } from "@uptime/core/history/stats";
import { handler } from "@uptime/functions/schedule/rollup";
import { createMonitorFixture } from "../kit/monitor-fixture";


let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ pollers: false });
});
afterAll(() => stack?.stop());


/** Check results every `intervalSec` over [from, to), a deterministic mix of latencies and failures. */
async function resultsFixture(monitor: { monitorId: string; cohort?: string | null }, intervalSec: number, from: number, to: number, seed = 1) {
  const { monitorId } = monitor;
  let s = seed;
  const r = () => (s = (s * 48271) % 2147483647) / 2147483647;
  const results: Result[] = [];
  for (let at = from; at < to; at += intervalSec * 1000) {
    const ok = r() > 0.05;
    results.push({ monitorId, at, ok, latencyMs: ok ? Math.round(50 + r() * r() * 900) : 10_000, kind: "scheduled", checkedAt: at + 500 });
  }
  await writeManyResults([monitor], results);
  return results;
}

const rollups = (monitorId: string, grain: Rollup.RollupGrain, from = 0, to = 9_999_999_999_999) =>
  History.readRollups(monitorId, grain, from, to, undefined, true);

const aggFor = (results: Result[], from: number, to: number) => Stats.aggOf(results.filter((x) => x.at >= from && x.at < to));

describe("rollup job", () => {
  it("writes one hour item per monitor per hour, for paused monitors too, and is idempotent", async () => {
    const h = Date.UTC(2025, 1, 3, 10);
    const fast = await createMonitorFixture({ intervalSec: 60 });
    const paused = await createMonitorFixture({ intervalSec: 30, paused: true });
    const slow = await createMonitorFixture({ intervalSec: 3600 });
    const fastResults = await resultsFixture(fast, 60, h, h + 3 * HOUR);
    await resultsFixture(paused, 30, h, h + HOUR);
    await resultsFixture(slow, 3600, h, h + 3 * HOUR);

    const first = await RollupJob.run(h, h + 3 * HOUR);
    const items = await rollups(fast.monitorId, "hour");
    expect(items.map((i) => i.start)).toEqual([h, h + HOUR, h + 2 * HOUR]);
    for (const i of items) expect(Rollup.toAgg(i)).toEqual(aggFor(fastResults, i.start, i.start + HOUR));
    expect(await rollups(paused.monitorId, "hour")).toHaveLength(1);
    // an hourly item for a monitor checked once an hour would double its writes
    expect(await rollups(slow.monitorId, "hour")).toHaveLength(0);
    expect(first.writes).toBe(4);
    expect(first.monitors).toBeGreaterThanOrEqual(3);

    const again = await RollupJob.run(h, h + 3 * HOUR);
    expect(again.writes).toBe(4);
    expect(await rollups(fast.monitorId, "hour")).toEqual(items);
  });

  it("folds the hours of a day into a day item, also when the day's hours were rolled by earlier runs", async () => {
    const day = Date.UTC(2025, 1, 10);
    const fast = await createMonitorFixture({ intervalSec: 60 });
    const slow = await createMonitorFixture({ intervalSec: 600 });
    const fastResults = await resultsFixture(fast, 60, day, day + DAY, 2);
    const slowResults = await resultsFixture(slow, 600, day, day + DAY, 3);

    await RollupJob.run(day, day + 13 * HOUR); // the morning, by an earlier run
    expect(await rollups(fast.monitorId, "day")).toHaveLength(0);
    await RollupJob.run(day + 13 * HOUR, day + DAY + 2 * HOUR); // after midnight

    const [fastDay] = await rollups(fast.monitorId, "day");
    expect(fastDay?.start).toBe(day);
    expect(Rollup.toAgg(fastDay!)).toEqual(Stats.aggOf(fastResults));
    expect(Rollup.toAgg(fastDay!)).toEqual(Stats.mergeAll((await rollups(fast.monitorId, "hour")).map(Rollup.toAgg)));
    const [slowDay] = await rollups(slow.monitorId, "day");
    expect(Rollup.toAgg(slowDay!)).toEqual(Stats.aggOf(slowResults));
  });

  // 48 runs, each listing every due bucket: about 15 s on a busy 2-core machine
  it("writes far less than one extra unit per check: about 0.017 for a 1-minute monitor, 0.042 for an hourly one", { timeout: 60_000 }, async () => {
    const day = Date.UTC(2025, 1, 20);
    const fast = await createMonitorFixture({ intervalSec: 60 });
    await resultsFixture(fast, 60, day, day + DAY, 4);
    let units = 0;
    for (let h = day; h < day + DAY; h += HOUR) units += (await RollupJob.runHour(h)).writeUnits;
    expect(units).toBe(24 + 1);
    expect(units / 1440).toBeLessThan(0.1);

    const slowDay = day + DAY;
    const slow = await createMonitorFixture({ intervalSec: 3600 });
    await resultsFixture(slow, 3600, slowDay, slowDay + DAY, 5);
    let slowUnits = 0;
    for (let h = slowDay; h < slowDay + DAY; h += HOUR) slowUnits += (await RollupJob.runHour(h)).writeUnits;
    expect(slowUnits).toBe(1);
    expect(slowUnits / 24).toBeLessThan(0.1);
  });

  it("catches up on missed hours from the watermark, and never moves it back", async () => {
    const start = Date.UTC(2025, 2, 1, 0);
    const afterGrace = config().ROLLUP_GRACE_SEC * 1000 + 60_000; // a run just after an hour's grace
    const m = await createMonitorFixture({ intervalSec: 60 });
    await resultsFixture(m, 60, start, start + 30 * HOUR, 6);

    // No watermark yet: the first run reaches back maxHours.
    const first = await RollupJob.catchUp(start + 10 * HOUR + afterGrace, { maxHours: 10 });
    expect([first.from, first.to]).toEqual([start, start + 10 * HOUR]);
    expect(await RollupJob.watermark()).toBe(start + 10 * HOUR);
    expect(await rollups(m.monitorId, "hour")).toHaveLength(10);

    // Within the grace period the last hour is left alone; the same run again does nothing.
    const early = await RollupJob.catchUp(start + 11 * HOUR + 60_000);
    expect(early.skipped).toBe(true);

    // Three runs missed: the next one rolls them all, and the day that ended meanwhile.
    const later = await RollupJob.catchUp(start + 26 * HOUR + afterGrace);
    expect([later.from, later.to]).toEqual([start + 10 * HOUR, start + 26 * HOUR]);
    expect(await rollups(m.monitorId, "hour")).toHaveLength(26);
    expect((await rollups(m.monitorId, "day")).map((d) => [d.start, d.count])).toEqual([[start, 1440]]);

    // A late, older run does not move the watermark back.
    await RollupJob.catchUp(start + 12 * HOUR + afterGrace, { maxHours: 1 });
    expect(await RollupJob.watermark()).toBe(start + 26 * HOUR);
  });

  it("runs as the scheduled handler", async () => {
    const report = await handler({ time: new Date().toISOString() });
    expect(report.skipped).not.toBe(true);
    expect(report.to).toBe(floorTo(Date.now() - config().ROLLUP_GRACE_SEC * 1000, HOUR));
    expect(await RollupJob.watermark()).toBe(report.to);
  });
});
