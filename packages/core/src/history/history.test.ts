import { describe, expect, it } from "vitest";
import { DAY, HOUR, ceilTo, floorTo } from "../platform/time";
import { History } from "./history";

const RAW_MAX = 24 * HOUR;

function rng(seed: number) {
  return () => (seed = (seed * 48271) % 2147483647) / 2147483647;
}

const spansOf = (p: History.Plan) => [...(p.days ? [p.days] : []), ...p.hours, ...p.raw];
const covering = (p: History.Plan, t: number) => spansOf(p).filter((s) => s.from <= t && t < s.to).length;

describe("plan", () => {
  const now = Date.UTC(2025, 4, 20, 14, 37, 12, 345);

  it("covers a 30-day range of a 1-minute monitor with ~30 day items, a few dozen hour items and two short raw spans", () => {
    const mark = floorTo(now, HOUR); // the job is up to date
    const p = History.plan(now - 30 * DAY, now, { watermark: mark, hourly: true, coarsest: "day", rawMaxMs: RAW_MAX });
    expect(p.days).toEqual({ from: ceilTo(now - 30 * DAY, DAY), to: floorTo(now, DAY) });
    expect((p.days!.to - p.days!.from) / DAY).toBe(29);
    const hourItems = p.hours.reduce((n, s) => n + (s.to - s.from) / HOUR, 0);
    expect(hourItems).toBe(9 + 14); // 15:00-24:00 on the first day, 00:00-14:00 today
    const rawMinutes = p.raw.reduce((n, s) => n + (s.to - s.from) / 60_000, 0);
    expect(rawMinutes).toBeLessThan(2 * 60); // the leading partial hour and the current one
    // an upper bound on items read for a 1-minute monitor, against 43,200 raw results
    expect(29 + hourItems + Math.ceil(rawMinutes)).toBeLessThan(150);
  });

  it("gives slower monitors day items and raw results for the partial days, never hour items", () => {
    const mark = floorTo(now, HOUR);
    const p = History.plan(now - 30 * DAY, now, { watermark: mark, hourly: false, coarsest: "day", rawMaxMs: RAW_MAX });
    expect(p.hours).toEqual([]);
    expect(p.raw).toEqual([
      { from: now - 30 * DAY, to: p.days!.from },
      { from: p.days!.to, to: now },
    ]);
  });

  it("reads raw results past the watermark, but only for the last rawMaxMs", () => {
    const lagging = History.plan(now - 7 * DAY, now, { watermark: now - 3 * DAY, hourly: true, coarsest: "day", rawMaxMs: RAW_MAX });
    expect(lagging.raw[lagging.raw.length - 1]).toEqual({ from: now - RAW_MAX, to: now });
    const never = History.plan(now - 30 * DAY, now, { watermark: undefined, hourly: true, coarsest: "day", rawMaxMs: RAW_MAX });
    expect(never).toEqual({ hours: [], raw: [{ from: now - RAW_MAX, to: now }] });
  });

  it("uses raw results only when asked for fine buckets", () => {
    const p = History.plan(now - DAY, now, { watermark: floorTo(now, HOUR), hourly: true, coarsest: "raw", rawMaxMs: RAW_MAX });
    expect(p).toEqual({ hours: [], raw: [{ from: now - DAY, to: now }] });
  });

  it("covers every instant exactly once, except unrolled hours beyond the raw limit", () => {
    const r = rng(11);
    for (let i = 0; i < 300; i++) {
      const to = now + Math.floor(r() * 10 * DAY);
      const from = to - Math.floor(r() * 95 * DAY) - 1;
      const mark = r() < 0.1 ? undefined : floorTo(to - Math.floor(r() * r() * 5 * DAY), HOUR);
      const hourly = r() < 0.5;
      const coarsest = (["day", "hour", "raw"] as const)[Math.floor(r() * 3)]!;
      const p = History.plan(from, to, { watermark: mark, hourly, coarsest, rawMaxMs: RAW_MAX });
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
