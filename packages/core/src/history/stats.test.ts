import { describe, expect, it } from "vitest";
import { Stats } from "./stats";

/** Deterministic pseudo-random numbers, so a failure reproduces. */
function rng(seed: number) {
  return () => (seed = (seed * 48271) % 2147483647) / 2147483647;
}

/** Latencies shaped like a real site: mostly fast, a long slow tail, some 0 ms. */
function latencies(n: number, seed = 7) {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const x = r();
    if (x < 0.01) return 0;
    if (x < 0.9) return Math.round(80 + r() * 120);
    return Math.round(200 + Math.pow(r(), 3) * 4800);
  });
}

describe("histogram", () => {
  it("reads back any value within 2.5%", () => {
    for (let ms = 1; ms < 60_000; ms = Math.ceil(ms * 1.013)) {
      const back = Stats.bucketValue(Stats.bucketOf(ms));
      expect(Math.abs(back - ms) / ms, `${ms} ms`).toBeLessThanOrEqual(0.025);
    }
    expect(Stats.bucketValue(Stats.bucketOf(0))).toBe(0);
  });

  it("gives percentiles within 2.5% of the exact ones, and merging histograms changes nothing", () => {
    const values = latencies(20_000);
    const whole = Stats.aggOf(values.map((latencyMs) => ({ ok: true, latencyMs })));
    // the same data in 24 uneven parts, merged back
    const parts = Array.from({ length: 24 }, () => Stats.emptyAgg());
    values.forEach((latencyMs, i) => Stats.addCheck(parts[(i * 7) % 24]!, { ok: true, latencyMs }));
    const merged = Stats.mergeAll(parts);
    expect(merged).toEqual(whole);
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999]) {
      const exact = Stats.exactQuantile(values, q)!;
      const estimate = Stats.histogramQuantile(merged.hist, q, { min: merged.latencyMin, max: merged.latencyMax })!;
      expect(Math.abs(estimate - exact) / exact, `q${q}: ${estimate} vs ${exact}`).toBeLessThanOrEqual(0.025);
    }
    // the extremes are exact thanks to min/max
    expect(Stats.histogramQuantile(merged.hist, 1, { min: merged.latencyMin, max: merged.latencyMax })).toBe(Math.max(...values));
  });

  it("stays small: a realistic hour of checks fills a few dozen buckets", () => {
    const agg = Stats.aggOf(latencies(60, 3).map((latencyMs) => ({ ok: true, latencyMs })));
    expect(Object.keys(agg.hist).length).toBeLessThan(40);
  });

  it("uses nearest rank", () => {
    expect(Stats.exactQuantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(Stats.exactQuantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(Stats.exactQuantile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(Stats.exactQuantile([], 0.5)).toBeNull();
  });
});

describe("figures", () => {
  it("computes uptime from all checks and latency from successful ones", () => {
    const agg = Stats.aggOf([
      { ok: true, latencyMs: 100 },
      { ok: true, latencyMs: 200 },
      { ok: true, latencyMs: 300 },
      { ok: false, latencyMs: 10_000 }, // a timeout: not a response time
    ]);
    const f = Stats.figures(agg);
    expect(f).toMatchObject({ total: 4, failed: 1, uptimePercent: 75, avgMs: 200 });
    expect(f.p50Ms).toBeCloseTo(200, -1);
    expect(f.p99Ms).toBe(300);
  });

  it("has nulls, not zeros, without data", () => {
    expect(Stats.figures(Stats.emptyAgg())).toEqual({ total: 0, failed: 0, uptimePercent: null, avgMs: null, p50Ms: null, p95Ms: null, p99Ms: null });
    const allFailed = Stats.figures(Stats.aggOf([{ ok: false, latencyMs: 5 }]));
    expect(allFailed).toMatchObject({ uptimePercent: 0, avgMs: null, p95Ms: null });
  });

  it("rounds uptime to three decimals", () => {
    expect(Stats.uptimePercent(43_200, 20)).toBe(99.954);
    expect(Stats.uptimePercent(3, 1)).toBe(66.667);
  });
});

describe("downtime and MTTR", () => {
  const H = 3_600_000;
  const outages = [
    { startedAt: -2 * H, resolvedAt: 1 * H }, // began before the range: 1 h inside it
    { startedAt: 10 * H, resolvedAt: 10.5 * H }, // 30 min
    { startedAt: 20 * H, resolvedAt: 22 * H }, // 2 h
    { startedAt: 23 * H }, // ongoing: runs to the end of the range
  ];

  it("counts only the time inside the range", () => {
    expect(Stats.downtimeMs(outages, 0, 24 * H)).toBe(1 * H + 0.5 * H + 2 * H + 1 * H);
    expect(Stats.downtimeMs(outages, 10.25 * H, 21 * H)).toBe(0.25 * H + 1 * H);
  });

  it("averages the full duration of outages resolved inside the range, ignoring ongoing ones", () => {
    expect(Stats.mttrMs(outages, 0, 24 * H)).toBe((3 * H + 0.5 * H + 2 * H) / 3);
    expect(Stats.mttrMs(outages, 0, 5 * H)).toBe(3 * H);
    expect(Stats.mttrMs([{ startedAt: 0 }], 0, H)).toBeNull();
  });

  it("finds the outages overlapping a range", () => {
    expect(Stats.overlapping(outages, 0, 5 * H)).toHaveLength(1);
    expect(Stats.overlapping(outages, 1 * H, 5 * H)).toHaveLength(0); // resolved exactly at the start
    expect(Stats.overlapping(outages, 23.5 * H, 30 * H)).toHaveLength(1);
  });
});
