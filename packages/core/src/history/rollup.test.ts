import { describe, expect, it } from "vitest";
import { DAY, HOUR } from "../platform/time";
import { Rollup } from "./rollup";
import { Stats } from "./stats";

function rng(seed: number) {
  return () => (seed = (seed * 48271) % 2147483647) / 2147483647;
}

describe("rollup items", () => {
  it("cost one write unit for a busy hour and a busy day", () => {
    const r = rng(5);
    const checks = (n: number) =>
      Array.from({ length: n }, () => ({ ok: r() > 0.01, latencyMs: r() < 0.9 ? Math.round(60 + r() * 200) : Math.round(300 + r() * 9000) }));
    const start = Date.UTC(2025, 0, 1);
    const hourAgg = Stats.aggOf(checks(360)); // a 10-second monitor
    const dayAgg = Stats.aggOf(checks(8640));
    const hour = Rollup.itemOf("3b1f6a52-8d0e-4c3f-9a57-1f2e4d5c6b7a", "hour", start, hourAgg);
    const day = Rollup.itemOf("3b1f6a52-8d0e-4c3f-9a57-1f2e4d5c6b7a", "day", start, dayAgg);
    expect(Object.keys(dayAgg.hist).length).toBeGreaterThan(50); // a wide spread, not a flattering one
    expect(Rollup.writeUnitsOf(hour)).toBe(1);
    expect(Rollup.writeUnitsOf(day)).toBe(1);
    expect(Rollup.toAgg(day)).toEqual(dayAgg);
    expect(Rollup.toAgg(hour)).toEqual(hourAgg);
  });

  it("expire: hours after the hour retention, days after the day retention", () => {
    const start = Date.UTC(2025, 0, 1);
    expect(Rollup.itemOf("m", "hour", start, Stats.emptyAgg()).expiresAt).toBe((start + HOUR) / 1000 + 35 * 86400);
    expect(Rollup.itemOf("m", "day", start, Stats.emptyAgg()).expiresAt).toBe((start + DAY) / 1000 + 400 * 86400);
  });

  it("decides who gets hour rollups by what they cost per check", () => {
    expect(Rollup.isHourly(60)).toBe(true);
    expect(Rollup.isHourly(300)).toBe(true); // 12 checks per hour item: +0.09 WCU per check
    expect(Rollup.isHourly(600)).toBe(false); // 6 per item would be +0.17
    expect(Rollup.isHourly(3600)).toBe(false);
  });
});
