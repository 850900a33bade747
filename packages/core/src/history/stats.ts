export * as Stats from "./stats";

/**
 * The arithmetic behind dashboards and status pages, free of I/O so it can be tested on known
 * numbers. Everything here works on `Agg`, a mergeable summary of checks: a rollup item is an
 * Agg, raw results become Aggs, and any time range is the merge of the Aggs inside it.
 *
 * Latency figures describe successful checks only: a failed check's "latency" is a timeout or
 * an instant connection refusal, which says nothing about how fast the site answers.
 */

/** Histogram buckets are this much wider than the one below (5%). */
export const GAMMA = 1.05;
const LN_GAMMA = Math.log(GAMMA);
/** Bucket for latencies under 1 ms (the probe rounds to whole milliseconds, so this is 0 ms). */
const ZERO_BUCKET = -1;

/**
 * Sparse log-bucketed histogram: bucket index → count. Bucket i holds [γ^i, γ^(i+1)) ms and is
 * reported as its midpoint, so any value read back is within (γ-1)/2 = 2.5% of a value that
 * fell into it. Latencies up to 30 s span at most ~215 buckets; a steady site uses a few dozen.
 */
export type Histogram = Record<string, number>;

export function bucketOf(ms: number): number {
  if (!(ms >= 1)) return ZERO_BUCKET;
  return Math.floor(Math.log(ms) / LN_GAMMA);
}

export function bucketValue(index: number): number {
  if (index === ZERO_BUCKET) return 0;
  return (Math.pow(GAMMA, index) * (1 + GAMMA)) / 2;
}

export function addToHistogram(h: Histogram, ms: number, n = 1): Histogram {
  const k = String(bucketOf(ms));
  h[k] = (h[k] ?? 0) + n;
  return h;
}

export function mergeHistograms(into: Histogram, other: Histogram): Histogram {
  for (const [k, n] of Object.entries(other)) into[k] = (into[k] ?? 0) + n;
  return into;
}

/** Nearest-rank position (1-based) of quantile q among n values. */
const rankOf = (q: number, n: number) => Math.min(n, Math.max(1, Math.ceil(q * n)));

/**
 * The q-quantile (0..1, nearest rank) read from a histogram. The observed min/max make the
 * extreme ranks exact and keep every estimate inside what was measured.
 */
export function histogramQuantile(h: Histogram, q: number, bounds: { min?: number; max?: number } = {}): number | null {
  const entries = Object.entries(h)
    .map(([k, n]) => [Number(k), n] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const rank = rankOf(q, total);
  // The first and last ranks are the measured extremes themselves, when known.
  if (rank === 1 && bounds.min !== undefined) return bounds.min;
  if (rank === total && bounds.max !== undefined) return bounds.max;
  let seen = 0;
  for (const [index, n] of entries) {
    seen += n;
    if (seen >= rank) {
      let v = bucketValue(index);
      if (bounds.min !== undefined) v = Math.max(v, bounds.min);
      if (bounds.max !== undefined) v = Math.min(v, bounds.max);
      return v;
    }
  }
  return null;
}

/** The exact q-quantile (nearest rank) of raw values; the reference the histogram is judged against. */
export function exactQuantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[rankOf(q, sorted.length) - 1]!;
}

// ---------- aggregates ----------

export interface Agg {
  /** Every check, successful or not. */
  count: number;
  failures: number;
  /** Failed checks made during scheduled maintenance: status pages count them as up. */
  maintenanceFailures?: number;
  /** Sum, min, max and histogram of successful checks' latency. */
  latencySum: number;
  latencyMin?: number;
  latencyMax?: number;
  hist: Histogram;
}

export const emptyAgg = (): Agg => ({ count: 0, failures: 0, latencySum: 0, hist: {} });

export function addCheck(a: Agg, check: { ok: boolean; latencyMs: number; inMaintenance?: boolean }): Agg {
  a.count++;
  if (!check.ok) {
    a.failures++;
    if (check.inMaintenance) a.maintenanceFailures = (a.maintenanceFailures ?? 0) + 1;
    return a;
  }
  a.latencySum += check.latencyMs;
  a.latencyMin = a.latencyMin === undefined ? check.latencyMs : Math.min(a.latencyMin, check.latencyMs);
  a.latencyMax = a.latencyMax === undefined ? check.latencyMs : Math.max(a.latencyMax, check.latencyMs);
  addToHistogram(a.hist, check.latencyMs);
  return a;
}

export function mergeAgg(into: Agg, other: Agg): Agg {
  into.count += other.count;
  into.failures += other.failures;
  if (other.maintenanceFailures) into.maintenanceFailures = (into.maintenanceFailures ?? 0) + other.maintenanceFailures;
  into.latencySum += other.latencySum;
  if (other.latencyMin !== undefined) into.latencyMin = into.latencyMin === undefined ? other.latencyMin : Math.min(into.latencyMin, other.latencyMin);
  if (other.latencyMax !== undefined) into.latencyMax = into.latencyMax === undefined ? other.latencyMax : Math.max(into.latencyMax, other.latencyMax);
  mergeHistograms(into.hist, other.hist);
  return into;
}

export function aggOf(checks: Iterable<{ ok: boolean; latencyMs: number }>): Agg {
  const a = emptyAgg();
  for (const c of checks) addCheck(a, c);
  return a;
}

export function mergeAll(aggs: Iterable<Agg>): Agg {
  const a = emptyAgg();
  for (const x of aggs) mergeAgg(a, x);
  return a;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Share of successful checks, in percent with three decimals; null when nothing was checked. */
export function uptimePercent(count: number, failures: number): number | null {
  if (count <= 0) return null;
  return round(((count - failures) / count) * 100, 3);
}

export interface Figures {
  total: number;
  failed: number;
  uptimePercent: number | null;
  avgMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export function quantileOf(a: Agg, q: number): number | null {
  const v = histogramQuantile(a.hist, q, { min: a.latencyMin, max: a.latencyMax });
  return v === null ? null : round(v, 1);
}

export function figures(a: Agg): Figures {
  const ok = a.count - a.failures;
  return {
    total: a.count,
    failed: a.failures,
    uptimePercent: uptimePercent(a.count, a.failures),
    avgMs: ok > 0 ? round(a.latencySum / ok, 1) : null,
    p50Ms: quantileOf(a, 0.5),
    p95Ms: quantileOf(a, 0.95),
    p99Ms: quantileOf(a, 0.99),
  };
}

// ---------- outages ----------

export interface Outage {
  startedAt: number;
  /** Absent while the outage is ongoing. */
  resolvedAt?: number;
}

/** Time inside [from, to] during which an outage was ongoing (an ongoing one runs until `to`). */
export function downtimeMs(outages: Outage[], from: number, to: number): number {
  let total = 0;
  for (const o of outages) {
    const start = Math.max(o.startedAt, from);
    const end = Math.min(o.resolvedAt ?? to, to);
    if (end > start) total += end - start;
  }
  return total;
}

/**
 * Mean time to recovery: the average full duration of the outages that ended inside [from, to].
 * Ongoing outages have not recovered and do not count; null when none recovered.
 */
export function mttrMs(outages: Outage[], from: number, to: number): number | null {
  const recovered = outages.filter((o) => o.resolvedAt !== undefined && o.resolvedAt >= from && o.resolvedAt <= to);
  if (recovered.length === 0) return null;
  return Math.round(recovered.reduce((s, o) => s + (o.resolvedAt! - o.startedAt), 0) / recovered.length);
}

/** Outages that share any time with [from, to]. */
export function overlapping<T extends Outage>(outages: T[], from: number, to: number): T[] {
  return outages.filter((o) => o.startedAt <= to && (o.resolvedAt ?? Infinity) > from);
}
