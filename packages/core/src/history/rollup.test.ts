import { describe, expect, it } from "vitest";
import { mapLimit } from "../platform/concurrency";
import { dueKeys, INTERVALS } from "../monitors/monitor";
import { Rollup } from "./rollup";
import { Stats } from "./stats";

const { HOUR, DAY } = Rollup;
const RAW_MAX = 24 * HOUR;

function rng(seed: number) {
  return () => (seed = (seed * 48271) % 2147483647) / 2147483647;
}

const spansOf = (p: Rollup.Plan) => [...(p.days ? [p.days] : []), ...p.hours, ...p.raw];
const covering = (p: Rollup.Plan, t: number) => spansOf(p).filter((s) => s.from <= t && t < s.to).length;

describe("plan", () => {
  const now = Date.UTC(2025, 4, 20, 14, 37, 12, 345);

  it("covers a 30-day range of a 1-minute monitor with ~30 day items, a few dozen hour items and two short raw spans", () => {
    const mark = Rollup.floorTo(now, HOUR); // the job is up to date
    const p = Rollup.plan(now - 30 * DAY, now, { watermark: mark, hourly: true, coarsest: "day", rawMaxMs: RAW_MAX });
    expect(p.days).toEqual({ from: Rollup.ceilTo(now - 30 * DAY, DAY), to: Rollup.floorTo(now, DAY) });
    expect((p.days!.to - p.days!.from) / DAY).toBe(29);
    const hourItems = p.hours.reduce((n, s) => n + (s.to - s.from) / HOUR, 0);
    expect(hourItems).toBe(9 + 14); // 15:00-24:00 on the first day, 00:00-14:00 today
    const rawMinutes = p.raw.reduce((n, s) => n + (s.to - s.from) / 60_000, 0);
    expect(rawMinutes).toBeLessThan(2 * 60); // the leading partial hour and the current one
    // an upper bound on items read for a 1-minute monitor, against 43,200 raw results
    expect(29 + hourItems + Math.ceil(rawMinutes)).toBeLessThan(150);
  });

  it("gives slower monitors day items and raw results for the partial days, never hour items", () => {
    const mark = Rollup.floorTo(now, HOUR);
    const p = Rollup.plan(now - 30 * DAY, now, { watermark: mark, hourly: false, coarsest: "day", rawMaxMs: RAW_MAX });
    expect(p.hours).toEqual([]);
    expect(p.raw).toEqual([
      { from: now - 30 * DAY, to: p.days!.from },
      { from: p.days!.to, to: now },
    ]);
  });

  it("reads raw results past the watermark, but only for the last rawMaxMs", () => {
    const lagging = Rollup.plan(now - 7 * DAY, now, { watermark: now - 3 * DAY, hourly: true, coarsest: "day", rawMaxMs: RAW_MAX });
    expect(lagging.raw[lagging.raw.length - 1]).toEqual({ from: now - RAW_MAX, to: now });
    const never = Rollup.plan(now - 30 * DAY, now, { watermark: undefined, hourly: true, coarsest: "day", rawMaxMs: RAW_MAX });
    expect(never).toEqual({ hours: [], raw: [{ from: now - RAW_MAX, to: now }] });
  });

  it("uses raw results only when asked for fine buckets", () => {
    const p = Rollup.plan(now - DAY, now, { watermark: Rollup.floorTo(now, HOUR), hourly: true, coarsest: "raw", rawMaxMs: RAW_MAX });
    expect(p).toEqual({ hours: [], raw: [{ from: now - DAY, to: now }] });
  });

  it("covers every instant exactly once, except unrolled hours beyond the raw limit", () => {
    const r = rng(11);
    for (let i = 0; i < 300; i++) {
      const to = now + Math.floor(r() * 10 * DAY);
      const from = to - Math.floor(r() * 95 * DAY) - 1;
      const mark = r() < 0.1 ? undefined : Rollup.floorTo(to - Math.floor(r() * r() * 5 * DAY), HOUR);
      const hourly = r() < 0.5;
      const coarsest = (["day", "hour", "raw"] as const)[Math.floor(r() * 3)]!;
      const p = Rollup.plan(from, to, { watermark: mark, hourly, coarsest, rawMaxMs: RAW_MAX });
      for (const s of spansOf(p)) {
        expect(s.to).toBeGreaterThan(s.from);
        if (p.days && s === p.days) expect([s.from % DAY, s.to % DAY]).toEqual([0, 0]);
      }
      for (const s of p.hours) expect([s.from % HOUR, s.to % HOUR, s.to <= (mark ?? -Infinity)]).toEqual([0, 0, true]);
      for (let k = 0; k < 200; k++) {
        const t = from + Math.floor(r() * (to - from));
        const dropped = t >= (mark ?? -Infinity) && t < to - RAW_MAX;
        expect(covering(p, t), `t=${t} plan=${JSON.stringify(p)}`).toBe(dropped ? 0 : 1);
      }
    }
  });
});

describe("the job's reach", () => {
  it("queries every due-index partition any monitor can be in", () => {
    const buckets = new Set(Rollup.dueBuckets());
    for (const interval of INTERVALS) {
      for (let offset = 0; offset < interval; offset++) {
        expect(buckets.has(dueKeys(interval, offset, false).dueBucket)).toBe(true);
        expect(buckets.has(dueKeys(interval, offset, true).dueBucket)).toBe(true);
      }
    }
    expect(buckets.size).toBe(4 + 2 + 5 + 10 + 15 + 30 + 60 + 1);
  });

  it("decides who gets hour rollups by what they cost per check", () => {
    expect(Rollup.isHourly(60)).toBe(true);
    expect(Rollup.isHourly(300)).toBe(true); // 12 checks per hour item: +0.09 WCU per check
    expect(Rollup.isHourly(600)).toBe(false); // 6 per item would be +0.17
    expect(Rollup.isHourly(3600)).toBe(false);
  });
});

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
});

describe("mapLimit", () => {
  it("keeps order and never exceeds the limit", async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 4, 3, 2, 1, 0], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 2;
    });
    expect(out).toEqual([10, 8, 6, 4, 2, 0]);
    expect(peak).toBe(2);
  });
});
