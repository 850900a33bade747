import { describe as group, expect, it } from "vitest";
import { cronProblem, describe, isTimeZone, nextExpected } from "./schedule";

const at = (iso: string) => new Date(iso).getTime();
const iso = (ms: number) => new Date(ms).toISOString();

group("heartbeat schedule", () => {
  it("keeps a daily cron at 03:00 Berlin time across the spring-forward change (CET to CEST)", () => {
    // 2026-03-29: Berlin clocks go from 02:00 to 03:00; 03:00 local is 02:00Z before, 01:00Z after.
    const s = { cron: "0 3 * * *", timeZone: "Europe/Berlin" };
    let t = at("2026-03-27T12:00:00Z");
    const runs: string[] = [];
    for (let i = 0; i < 4; i++) runs.push(iso((t = nextExpected(s, t))));
    expect(runs).toEqual(["2026-03-28T02:00:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-30T01:00:00.000Z", "2026-03-31T01:00:00.000Z"]);
  });

  it("keeps it across the autumn change too (CEST to CET), once a day", () => {
    const s = { cron: "0 3 * * *", timeZone: "Europe/Berlin" };
    expect(iso(nextExpected(s, at("2026-10-24T12:00:00Z")))).toBe("2026-10-25T02:00:00.000Z");
    expect(iso(nextExpected(s, at("2026-10-25T02:00:00Z")))).toBe("2026-10-26T02:00:00.000Z");
  });

  it("reads a cron expression in its zone, not in UTC", () => {
    const after = at("2026-07-01T00:00:00Z");
    expect(iso(nextExpected({ cron: "30 9 * * 1", timeZone: "America/New_York" }, after))).toBe("2026-07-06T13:30:00.000Z");
    expect(iso(nextExpected({ cron: "30 9 * * 1", timeZone: "UTC" }, after))).toBe("2026-07-06T09:30:00.000Z");
  });

  it("expects a periodic heartbeat one period after the last ping", () => {
    expect(nextExpected({ periodSec: 300 }, at("2026-01-01T00:00:07Z"))).toBe(at("2026-01-01T00:05:07Z"));
  });

  it.each([
    ["0 3 * * *", "Europe/Berlin", "at 03:00 every day, Europe/Berlin"],
    ["30 9 * * 1", "UTC", "at 09:30 every Monday, UTC"],
    ["*/15 * * * *", "UTC", "every 15 minutes"],
    ["5 * * * *", "UTC", "at minute 5 of every hour"],
    ["5 4 * * 1-5", "Asia/Tokyo", "cron 5 4 * * 1-5, Asia/Tokyo"],
  ])("says %s in %s as %j", (cron, timeZone, words) => {
    expect(describe({ cron, timeZone })).toBe(words);
  });

  it.each([
    [60, "every minute"],
    [300, "every 5 minutes"],
    [3600, "every hour"],
    [86400, "every day"],
    [90, "every 90 seconds"],
    [7 * 86400, "every 7 days"],
  ])("says a period of %s s as %j", (periodSec, words) => {
    expect(describe({ periodSec })).toBe(words);
  });

  it("refuses what it cannot schedule, saying why", () => {
    expect(cronProblem("0 3 * * *")).toBeUndefined();
    expect(cronProblem("0 3 * *")).toMatch(/five fields/);
    expect(cronProblem("0 0 3 * * *")).toMatch(/five fields/);
    expect(cronProblem("99 3 * * *")).toMatch(/not a cron expression/);
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });
});
