import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import type { Result } from "@uptime/core/check/result";
import { newMeter } from "@uptime/core/platform/metering";
import { DAY, HOUR, floorTo } from "@uptime/core/platform/time";
import { snapshot } from "@uptime/core/status-pages/snapshot";
import { createUser } from "../kit/test-users";
import { createStatusPageFixture, type StatusPageFixture } from "../kit/status-page-fixture";
import { rollUpSince, writeResults } from "../kit/test-history";

/*
 * The bars of a monitor-linked component over three days of 1-minute checks: the closed days from
 * their day rollups, today from hour rollups and the raw results since the last rollup, each day's
 * figure equal to what its raw results say, and the read bounded by rollups (not 4,000 results).
 */

let stack: TestStack;
let f: StatusPageFixture;
let results: Result[];
const now = Date.now();
const from = floorTo(now, DAY) - 2 * DAY;

beforeAll(async () => {
  stack = await startTestStack({ pollers: false, log: () => {} });
  f = await createStatusPageFixture(stack, await createUser(stack));
  // one failure in 50 the day before yesterday, one in 200 yesterday, none today
  results = await writeResults(f.monitorId, { from, to: now, everySec: 60, ok: (i) => (i < 1440 ? i % 50 !== 7 : i < 2880 ? i % 200 !== 7 : true) });
  await rollUpSince(from);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const percentOf = (rs: Result[]) => Math.round((rs.filter((r) => r.ok).length / rs.length) * 100_000) / 1000;

describe("status-page bars of a monitor-linked component", () => {
  it("match the raw results day by day, today included, reading rollups instead of every result", async () => {
    const meter = newMeter();
    const s = await snapshot(f.page.slug, Date.now(), { meter });
    const api = s!.components.find((c) => c.componentId === f.components.api)!;
    const days = api.days.slice(-3);
    expect(days.map((d) => d.start)).toEqual([from, from + DAY, from + 2 * DAY]);
    const expected = [0, 1, 2].map((d) => percentOf(results.filter((r) => r.at >= from + d * DAY && r.at < from + (d + 1) * DAY)));
    expect(days.map((d) => d.uptime)).toEqual(expected);
    expect(days.map((d) => d.level)).toEqual(["major", "minor", "up"]);
    // the whole page: groups, components, incidents, maintenance, the monitor, its rollups and at most ~70 minutes of raw results
    expect(meter.items).toBeLessThan(150);
    expect(results.length).toBeGreaterThan(2 * 1440);
  });
});
