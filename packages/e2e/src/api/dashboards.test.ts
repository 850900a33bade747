import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cohort } from "@uptime/core/monitors/cohort";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import type { Result } from "@uptime/core/check/result";
import { Dashboard } from "@uptime/core/history/dashboard";
import { Monitor, MonitorEntity } from "@uptime/core/monitors/monitor";
import { RollupJob } from "@uptime/core/history/rollup-job";
import { newMeter } from "@uptime/core/platform/metering";
import { DAY, HOUR, floorTo } from "@uptime/core/platform/time";
import { Stats } from "@uptime/core/history/stats";
import { createUser, type TestUser } from "../kit/test-users";
import { rollUpSince, siteLatency, writeIncident, writeResults } from "../kit/test-history";

const MIN = 60_000;

let stack: TestStack;
let ada: TestUser;
let bob: TestUser;

beforeAll(async () => {
  // No pollers: no live check ever runs, so the history is exactly what the tests write.
  stack = await startTestStack({ pollers: false });
  ada = await createUser(stack);
  bob = await createUser(stack);
});
afterAll(() => stack?.stop());

async function createMonitor(user: TestUser, overrides: Record<string, unknown> = {}) {
  const res = await user.call("POST", "/v1/monitors", { name: "Shop", url: "http://127.0.0.1:9/health", ...overrides });
  expect(res.status).toBe(201);
  await MonitorEntity.patch({ monitorId: res.body.id }).set({ state: "up" }).go();
  return (await Monitor.get(res.body.id))!;
}

const within = (actual: number, expected: number, relative: number) =>
  expect(Math.abs(actual - expected) / expected, `${actual} vs exact ${expected}`).toBeLessThanOrEqual(relative);

/** Figures computed the slow, obvious way from the raw results. */
function exact(results: Result[]) {
  const ok = results.filter((r) => r.ok).map((r) => r.latencyMs);
  return {
    total: results.length,
    failed: results.length - ok.length,
    uptimePercent: Stats.uptimePercent(results.length, results.length - ok.length),
    avg: ok.reduce((s, v) => s + v, 0) / ok.length,
    p50: Stats.exactQuantile(ok, 0.5)!,
    p95: Stats.exactQuantile(ok, 0.95)!,
    p99: Stats.exactQuantile(ok, 0.99)!,
  };
}

// ---- a 1-minute monitor with 30 days of history, shared by several tests ----

let busy: Monitor.MonitorItem;
let busyResults: Result[];

describe("30 days of a 1-minute monitor", () => {
  beforeAll(async () => {
    busy = await createMonitor(ada, { name: "Busy shop", intervalSec: 60 });
    const now = Date.now();
    const latency = siteLatency(42);
    busyResults = await writeResults(busy.monitorId, {
      // an hour clear of the range's start, so the expected set does not depend on when the request runs
      from: floorTo(now - 30 * DAY + HOUR, MIN),
      to: now - 30_000,
      everySec: 60,
      ok: (i) => i % 331 !== 0 && !(i >= 20_000 && i < 20_012), // scattered failures and one 12-minute outage
      latencyMs: () => latency(),
    });
    await rollUpSince(now - 31 * DAY);
  }, 120_000);

  it("summarises from rollups: exact counts, percentiles within 5% of the exact ones", async () => {
    expect(busyResults.length).toBeGreaterThan(43_000);
    const res = await ada.call("GET", `/v1/monitors/${busy.monitorId}/summary?range=30d`);
    expect(res.status).toBe(200);
    const e = exact(busyResults);
    expect(res.body).toMatchObject({
      monitorId: busy.monitorId,
      name: "Busy shop",
      range: "30d",
      status: "up",
      checks: { total: e.total, failed: e.failed },
      uptimePercent: e.uptimePercent,
      openIncident: null,
      incidents: { count: 0, downtimeMs: 0, mttrMs: null },
    });
    expect(e.failed).toBeGreaterThan(100);
    const newest = busyResults[busyResults.length - 1]!;
    expect(res.body.lastCheckedAt).toBe(new Date(newest.at).toISOString());
    expect(res.body.lastLatencyMs).toBe(newest.latencyMs);
    expect(res.body.latencyMs.avg).toBeCloseTo(e.avg, 0);
    within(res.body.latencyMs.p50, e.p50, 0.05);
    within(res.body.latencyMs.p95, e.p95, 0.05);
    within(res.body.latencyMs.p99, e.p99, 0.05);
    // the tail is long enough that getting the percentiles wrong would show
    expect(e.p99).toBeGreaterThan(2 * e.p50);
  });

  it("reads a bounded number of items for it, not ~43,000", async () => {
    const meter = newMeter();
    const s = await Dashboard.summary(busy, "30d", { meter });
    expect(s.checks.total).toBe(busyResults.length); // everything counted...
    expect(meter.items).toBeLessThan(250); // ...from ~30 day items, ~46 hour items and the unrolled last hour
    expect(meter.requests).toBeLessThan(15);

    // The 90-day summary costs about the same: the extra days are day items.
    const meter90 = newMeter();
    const s90 = await Dashboard.summary(busy, "90d", { meter: meter90 });
    expect(s90.checks.total).toBe(busyResults.length);
    expect(meter90.items).toBeLessThan(300);
  });

  it("summarises the last 24 hours", async () => {
    const before = Date.now();
    const res = await ada.call("GET", `/v1/monitors/${busy.monitorId}/summary`);
    const after = Date.now();
    expect(res.body.range).toBe("24h");
    // whichever instant the server took as "now", the figures are those of the results after it
    const candidates = [before, after].map((now) => exact(busyResults.filter((r) => r.at >= now - DAY)));
    expect(candidates.map((c) => c.total)).toContain(res.body.checks.total);
    expect(res.body.checks.total).toBeGreaterThanOrEqual(1438);
  });

  it("serves hourly response times for 7 days and daily ones for 30", async () => {
    const week = await ada.call("GET", `/v1/monitors/${busy.monitorId}/response-times?range=7d`);
    expect(week.status).toBe(200);
    expect(week.body).toMatchObject({ range: "7d", bucketSec: 3600 });
    expect(week.body.points).toHaveLength(168);
    const full = week.body.points.slice(1, -1);
    for (const p of full) expect(p.checks).toBe(60);
    // each bucket's average is that hour's exact average
    const some = full[50];
    const hourResults = busyResults.filter((r) => r.at >= Date.parse(some.at) && r.at < Date.parse(some.at) + HOUR);
    expect(some.avgMs).toBeCloseTo(exact(hourResults).avg, 0);
    within(some.p95Ms, exact(hourResults).p95, 0.05);

    const month = await ada.call("GET", `/v1/monitors/${busy.monitorId}/response-times?range=30d`);
    expect(month.body).toMatchObject({ range: "30d", bucketSec: 86400 });
    expect(month.body.points).toHaveLength(30);
    const counted = month.body.points.reduce((n: number, p: any) => n + p.checks, 0);
    const since = Date.parse(month.body.points[0].at);
    expect(counted).toBe(busyResults.filter((r) => r.at >= since).length);
  });

  it("serves 5-minute response times for 24 hours", async () => {
    const day = await ada.call("GET", `/v1/monitors/${busy.monitorId}/response-times?range=24h`);
    expect(day.body).toMatchObject({ range: "24h", bucketSec: 300 });
    expect(day.body.points).toHaveLength(288);
    const p = day.body.points[100];
    const inBucket = busyResults.filter((r) => r.at >= Date.parse(p.at) && r.at < Date.parse(p.at) + 5 * MIN);
    expect(p.checks).toBe(5);
    expect(p.failed).toBe(inBucket.filter((r) => !r.ok).length);
    expect(p.avgMs).toBeCloseTo(exact(inBucket).avg, 0);
  });

  it("serves every check of the last day, oldest first, 1,000 a page, and of the last hour", async () => {
    const path = `/v1/monitors/${busy.monitorId}/response-times/checks`;
    const first = await ada.call("GET", `${path}?range=24h`);
    expect(first.status).toBe(200);
    expect(first.body.checks).toHaveLength(1000);
    expect(first.body.cursor).toEqual(expect.any(String));
    const second = await ada.call("GET", `${path}?range=24h&cursor=${encodeURIComponent(first.body.cursor)}`);
    const all = [...first.body.checks, ...second.body.checks];
    expect(second.body.cursor).toBeNull();
    const since = Date.parse(first.body.from);
    const expected = busyResults.filter((r) => r.at >= since);
    expect(all).toEqual(expected.map((r) => ({ at: new Date(r.at).toISOString(), ok: r.ok, latencyMs: r.latencyMs })));
    const hour = await ada.call("GET", `${path}?range=1h`);
    // Exactly the seeded checks of the hour before the request (fewer than 60 once the seeding is minutes old).
    const lastHour = busyResults.filter((r) => r.at >= Date.parse(hour.body.from));
    expect(hour.body.checks.map((c: any) => c.at)).toEqual(lastHour.map((r) => new Date(r.at).toISOString()));
    expect(lastHour.length).toBeGreaterThan(50);
    expect((await ada.call("GET", `${path}?range=7d`)).status).toBe(400);
    expect((await ada.call("GET", `${path}?range=24h&cursor=forged`)).status).toBe(400);
  });
});

describe("summary numbers on known data", () => {
  it("computes uptime and latency of a small sample exactly", async () => {
    const m = await createMonitor(ada, { name: "Small sample", intervalSec: 300 });
    const now = Date.now();
    const latencies = [100, 110, 120, 130, 140, 150, 160, 170, 180, 190];
    const from = floorTo(now - 5 * HOUR, 5 * MIN);
    const results = await writeResults(m.monitorId, {
      from,
      to: from + 5 * HOUR,
      everySec: 1800,
      ok: (i) => i !== 3 && i !== 7,
      latencyMs: (i) => latencies[i]!,
    });
    expect(results).toHaveLength(10);
    await rollUpSince(now - 6 * HOUR);
    const res = await ada.call("GET", `/v1/monitors/${m.monitorId}/summary?range=24h`);
    // ok latencies: 100 110 120 140 150 160 180 190 (130 and 170 failed)
    expect(res.body).toMatchObject({ uptimePercent: 80, checks: { total: 10, failed: 2 } });
    expect(res.body.latencyMs.avg).toBe(143.8);
    within(res.body.latencyMs.p50, 140, 0.025);
    expect(res.body.latencyMs.p99).toBe(190);
    expect(res.body.lastCheckedAt).toBe(new Date(results[9]!.at).toISOString());
  });

  it("computes incidents, downtime and MTTR over the range, counting one that began before it", async () => {
    const m = await createMonitor(ada, { name: "Flaky api" });
    const now = Date.now();
    const before = await writeIncident(m, { startedAt: now - 31 * DAY, resolvedAt: now - 29 * DAY }); // overlaps the start
    await writeIncident(m, { startedAt: now - 40 * DAY, resolvedAt: now - 40 * DAY + 5 * MIN }); // outside
    await writeIncident(m, { startedAt: now - 10 * DAY, resolvedAt: now - 10 * DAY + 30 * MIN });
    await writeIncident(m, { startedAt: now - 3 * DAY, resolvedAt: now - 3 * DAY + 10 * MIN });
    const open = await writeIncident(m, { startedAt: now - HOUR });

    const month = await ada.call("GET", `/v1/monitors/${m.monitorId}/summary?range=30d`);
    expect(month.status).toBe(200);
    expect(month.body.status).toBe("down");
    expect(month.body.openIncident).toMatchObject({ id: open.incidentId, status: "open", resolvedAt: null });
    expect(month.body.incidents.count).toBe(4);
    // (resolved - rangeStart) + 30 min + 10 min + (rangeEnd - openStart), where rangeEnd - rangeStart = 30 days
    expect(month.body.incidents.downtimeMs).toBe(before.resolvedAt! + 30 * DAY + 40 * MIN - open.startedAt);
    expect(month.body.incidents.mttrMs).toBe(Math.round((2 * DAY + 30 * MIN + 10 * MIN) / 3));

    const t0 = Date.now();
    const day = await ada.call("GET", `/v1/monitors/${m.monitorId}/summary?range=24h`);
    const t1 = Date.now();
    expect(day.body.incidents.count).toBe(1);
    expect(day.body.incidents.mttrMs).toBeNull();
    expect(day.body.incidents.downtimeMs).toBeGreaterThanOrEqual(t0 - open.startedAt);
    expect(day.body.incidents.downtimeMs).toBeLessThanOrEqual(t1 - open.startedAt);
  });

  it("validates the range", async () => {
    const res = await ada.call("GET", `/v1/monitors/${busy.monitorId}/summary?range=2w`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_error");
  });
});

describe("results", () => {
  it("lists newest first, a page at a time", async () => {
    const first = await ada.call("GET", `/v1/monitors/${busy.monitorId}/results?limit=3`);
    expect(first.status).toBe(200);
    const newest = busyResults.slice(-6).reverse();
    expect(first.body.data.map((r: any) => r.at)).toEqual(newest.slice(0, 3).map((r) => new Date(r.at).toISOString()));
    expect(first.body.data[0]).toEqual({
      at: new Date(newest[0]!.at).toISOString(),
      ok: newest[0]!.ok,
      reason: newest[0]!.reason ?? null,
      message: newest[0]!.message ?? null,
      httpStatus: newest[0]!.httpStatus ?? null,
      latencyMs: newest[0]!.latencyMs,
      certDaysLeft: null,
      phases: null,
      kind: "scheduled",
      inMaintenance: false,
    });
    const second = await ada.call("GET", `/v1/monitors/${busy.monitorId}/results?limit=3&cursor=${encodeURIComponent(first.body.cursor)}`);
    expect(second.body.data.map((r: any) => r.at)).toEqual(newest.slice(3, 6).map((r) => new Date(r.at).toISOString()));
  });

  it("filters by from/to given as ISO or epoch ms", async () => {
    const a = busyResults[1000]!.at;
    const b = busyResults[1004]!.at;
    const iso = await ada.call("GET", `/v1/monitors/${busy.monitorId}/results?from=${new Date(a).toISOString()}&to=${new Date(b).toISOString()}`);
    expect(iso.status).toBe(200);
    expect(iso.body.data.map((r: any) => Date.parse(r.at))).toEqual([b, b - MIN, b - 2 * MIN, b - 3 * MIN, a]);
    const epoch = await ada.call("GET", `/v1/monitors/${busy.monitorId}/results?from=${a}&to=${b}`);
    expect(epoch.body.data).toEqual(iso.body.data);
  });

  it("rejects from after to, unreadable instants and foreign cursors", async () => {
    const reversed = await ada.call("GET", `/v1/monitors/${busy.monitorId}/results?from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z`);
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.details).toEqual([expect.objectContaining({ path: "from" })]);
    expect((await ada.call("GET", `/v1/monitors/${busy.monitorId}/results?from=yesterday`)).status).toBe(400);
    expect((await ada.call("GET", `/v1/monitors/${busy.monitorId}/results?cursor=not-a-cursor`)).status).toBe(400);
    const other = await createMonitor(ada, { name: "Other", paused: true });
    const page = await ada.call("GET", `/v1/monitors/${busy.monitorId}/results?limit=1`);
    const foreign = await ada.call("GET", `/v1/monitors/${other.monitorId}/results?cursor=${encodeURIComponent(page.body.cursor)}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe("invalid_cursor");
  });
});

describe("incidents", () => {
  let api: Monitor.MonitorItem;
  let web: Monitor.MonitorItem;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    api = await createMonitor(ada, { name: "Incident api" });
    web = await createMonitor(ada, { name: "Incident web" });
    const now = Date.now();
    ids.apiOld = (await writeIncident(api, { startedAt: now - 20 * DAY, resolvedAt: now - 20 * DAY + MIN })).incidentId;
    ids.webMid = (await writeIncident(web, { startedAt: now - 4 * DAY, resolvedAt: now - 4 * DAY + MIN })).incidentId;
    ids.apiNew = (await writeIncident(api, { startedAt: now - 2 * DAY, resolvedAt: now - 2 * DAY + MIN })).incidentId;
    ids.webOpen = (await writeIncident(web, { startedAt: now - 30 * MIN })).incidentId;
  });

  const idsOf = (res: { body: any }) => res.body.data.map((i: any) => i.id);
  const mine = (res: { body: any }) => idsOf(res).filter((id: string) => Object.values(ids).includes(id));

  it("lists across monitors, newest first, filtered by status, monitor and age", async () => {
    const all = await ada.call("GET", "/v1/incidents");
    expect(all.status).toBe(200);
    expect(mine(all)).toEqual([ids.webOpen, ids.apiNew, ids.webMid, ids.apiOld]);
    expect(all.body.data.find((i: any) => i.id === ids.webOpen)).toMatchObject({ monitorId: web.monitorId, monitorName: "Incident web", status: "open" });
    expect(mine(await ada.call("GET", "/v1/incidents?status=open"))).toEqual([ids.webOpen]);
    expect(mine(await ada.call("GET", "/v1/incidents?status=resolved&days=10"))).toEqual([ids.apiNew, ids.webMid]);
    expect(idsOf(await ada.call("GET", `/v1/incidents?monitorId=${api.monitorId}`))).toEqual([ids.apiNew, ids.apiOld]);
    expect(idsOf(await ada.call("GET", `/v1/monitors/${web.monitorId}/incidents?days=3`))).toEqual([ids.webOpen]);
    expect((await ada.call("GET", "/v1/incidents?status=closed")).status).toBe(400);
  });

  it("paginates with a cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await ada.call("GET", `/v1/monitors/${api.monitorId}/incidents?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.body.data.length).toBeLessThanOrEqual(1);
      seen.push(...idsOf(res));
      cursor = res.body.cursor;
    } while (cursor);
    expect(seen).toEqual([ids.apiNew, ids.apiOld]);
  });

  it("shows nobody else's", async () => {
    expect(mine(await bob.call("GET", "/v1/incidents"))).toEqual([]);
    expect((await bob.call("GET", `/v1/incidents?monitorId=${api.monitorId}`)).status).toBe(404);
    expect((await bob.call("GET", `/v1/monitors/${api.monitorId}/incidents`)).status).toBe(404);
  });
});

describe("dashboard", () => {
  it("shows every monitor with status, last check, 24h uptime and open incident", async () => {
    const before = Date.now();
    const res = await ada.call("GET", "/v1/dashboard");
    const after = Date.now();
    expect(res.status).toBe(200);
    const ownIds = (await Monitor.listByOwner((await Monitor.get(busy.monitorId))!.ownerId, { limit: 100 })).data.map((m) => m.monitorId);
    expect(res.body.monitors.map((m: any) => m.id)).toEqual(ownIds);

    const b = res.body.monitors.find((m: any) => m.id === busy.monitorId);
    const newest = busyResults[busyResults.length - 1]!;
    expect(b).toMatchObject({ name: "Busy shop", status: "up", lastLatencyMs: newest.latencyMs, lastOk: newest.ok, openIncident: null });
    expect(b.lastCheckedAt).toBe(new Date(newest.at).toISOString());
    // the current hour and the 23 before it, whichever instant the server took as "now"
    const candidates = [before, after].map((now) => exact(busyResults.filter((r) => r.at >= floorTo(now, HOUR) - 23 * HOUR)));
    expect(candidates.map((c) => [c.total, c.uptimePercent])).toContainEqual([b.checks24h, b.uptime24h]);
    expect(b.checks24h).toBeGreaterThan(23 * 60);
    // the strip's newest 40 checks, whatever part of them the rollups already cover
    const strip = busyResults.slice(-40);
    expect(b.recentChecks).toEqual({ since: new Date(strip[0]!.at).toISOString(), ok: strip.map((r) => r.ok) });

    const flaky = res.body.monitors.find((m: any) => m.name === "Flaky api");
    expect(flaky).toMatchObject({ status: "down", openIncident: { status: "open" }, lastCheckedAt: null, uptime24h: null, recentChecks: { since: null, ok: [] } });
  });

  it("costs a fixed number of requests per monitor, whatever it shows", async () => {
    const meter = newMeter();
    const view = await Dashboard.overview(busy.ownerId, { meter });
    const n = view.monitors.length;
    expect(n).toBeGreaterThanOrEqual(6);
    // monitors + watermark + one batch get, then per monitor: hour rollups and the raw tail (whose newest
    // result is the last check), plus a one-item lookup for monitors not checked since the last rollup
    const mark = (await RollupJob.watermark())!;
    const unchecked = view.monitors.filter((m) => m.lastCheckedAt === null || Date.parse(m.lastCheckedAt) < mark).length;
    expect(unchecked).toBeLessThan(n);
    expect(meter.requests).toBeLessThanOrEqual(3 + 2 * n + unchecked);
    expect(meter.items).toBeLessThan(40 * n + 200);
  });

  it("answers 304 without a body while nothing but the clock changed, 200 with a new ETag after a change", async () => {
    const get = (path: string, etag?: string) =>
      stack.api(path, { headers: { authorization: `Bearer ${ada.token}`, ...(etag ? { "if-none-match": etag } : {}) } });
    const paths = ["/v1/dashboard", `/v1/monitors/${busy.monitorId}`, `/v1/monitors/${busy.monitorId}/incidents`, "/v1/incidents", `/v1/monitors/${busy.monitorId}/results?limit=5`];
    for (const path of paths) {
      const first = await get(path);
      const etag = first.headers.get("etag")!;
      expect(etag, path).toMatch(/^W\/"[\w-]+"$/);
      const again = await get(path, etag);
      expect([path, again.status, again.body]).toEqual([path, 304, ""]);
      expect(again.headers.get("etag")).toBe(etag);
      expect((await get(path, `W/"other", ${etag.slice(2)}`)).status, "a list, and a strong copy of the weak tag").toBe(304);
      expect((await get(path, `W/"other"`)).status).toBe(200);
    }
    const dashboard = await get("/v1/dashboard");
    await MonitorEntity.patch({ monitorId: busy.monitorId }).set({ name: "Busy shop, renamed" }).go();
    try {
      const changed = await get("/v1/dashboard", dashboard.headers.get("etag")!);
      expect(changed.status).toBe(200);
      expect(changed.headers.get("etag")).not.toBe(dashboard.headers.get("etag"));
      expect(changed.body.monitors.map((m: any) => m.name)).toContain("Busy shop, renamed");
    } finally {
      await MonitorEntity.patch({ monitorId: busy.monitorId }).set({ name: "Busy shop" }).go();
    }
  });

  it("pages on request: a first page, then every monitor after its cursor", async () => {
    const all = (await ada.call("GET", "/v1/dashboard")).body;
    expect(all.cursor).toBeNull();
    const first = await ada.call("GET", "/v1/dashboard?limit=2");
    expect(first.body.monitors).toHaveLength(2);
    expect(first.body.cursor).toEqual(expect.any(String));
    const rest = await ada.call("GET", `/v1/dashboard?cursor=${encodeURIComponent(first.body.cursor)}`);
    expect(rest.body.cursor).toBeNull();
    expect([...first.body.monitors, ...rest.body.monitors].map((m: any) => m.id)).toEqual(all.monitors.map((m: any) => m.id));
    expect((await bob.call("GET", `/v1/dashboard?cursor=${encodeURIComponent(first.body.cursor)}`)).status).toBe(400);
    expect((await ada.call("GET", "/v1/dashboard?limit=0")).status).toBe(400);
  });

  it("is per user", async () => {
    const res = await bob.call("GET", "/v1/dashboard");
    expect(res.status).toBe(200);
    expect(res.body.monitors).toEqual([]);
  });
});

describe("access", () => {
  it("answers 404 for another user's monitor on every dashboard route, and 401 without a token", async () => {
    for (const path of ["summary", "results", "response-times", "incidents"]) {
      const res = await bob.call("GET", `/v1/monitors/${busy.monitorId}/${path}`);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe("not_found");
      expect((await stack.api(`/v1/monitors/${busy.monitorId}/${path}`)).status, path).toBe(401);
    }
    expect((await stack.api("/v1/dashboard")).status).toBe(401);
    expect((await stack.api("/v1/incidents")).status).toBe(401);
  });
});

// ---- forged cursors ----

const encode = (key: unknown) => Buffer.from(typeof key === "string" ? key : JSON.stringify(key)).toString("base64url");
const decode = (cursor: string) => JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Record<string, string>;

/**
 * Variations of a real cursor: every key attribute swapped for values of the wrong type, out of the
 * listing's range, of another partition or entity, oversized, and whole cursors that are not keys at all.
 */
function forgeries(real: string, foreignPartition: string): string[] {
  const key = decode(real);
  const names = Object.keys(key);
  const out: string[] = ["!!", encode("null"), encode("[]"), encode("42"), encode('"a string"'), encode("{"), Buffer.from([0xff, 0xfe, 0x00]).toString("base64url")];
  out.push(encode({}), encode({ ...key, extra: "x" }), encode([key]));
  for (const name of names) {
    const { [name]: _dropped, ...rest } = key;
    out.push(encode(rest));
    const value = key[name]!;
    const prefix = value.replace(/[^_#]*$/, "");
    for (const forged of [
      null, 42, true, {}, [value], "", " ", "x".repeat(3000), value + "x".repeat(1100), value + "é".repeat(600),
      `${prefix}abc`, `${prefix}NaN`, `${prefix}-1`, `${prefix}1.5`, `${prefix}1e400`, `${prefix}99999999999999999999999`,
      `${prefix}0`, `${prefix}9999999999999`, `${prefix}${Date.now() + 86400_000}`, `${value}#extra_1`, value.toUpperCase(),
      value.replace(/^\$[a-z]+_1/, "$monitor_1"), value.replace(/^\$[a-z]+_1/, "$incident_1"), value.replace(/^\$[a-z]+_1/, "$checkresult_1"),
      foreignPartition,
    ]) {
      if (forged !== value) out.push(encode({ ...key, [name]: forged }));
    }
  }
  return out;
}

describe("forged cursors", () => {
  let watched: Monitor.MonitorItem;
  let other: Monitor.MonitorItem;
  let bobs: Monitor.MonitorItem;

  beforeAll(async () => {
    watched = await createMonitor(ada, { name: "Cursor target" });
    other = await createMonitor(ada, { name: "Cursor other", paused: true });
    bobs = await createMonitor(bob, { name: "Bob's", paused: true });
    const now = Date.now();
    for (const m of [watched, bobs]) {
      await writeResults(m.monitorId, { from: now - 10 * MIN, to: now, everySec: 60 });
      for (const daysAgo of [3, 2, 1]) await writeIncident(m, { startedAt: now - daysAgo * DAY, resolvedAt: now - daysAgo * DAY + MIN });
    }
  });

  // A monitor's incidents are indexed by start time alone; the incident id in the table key only
  // breaks ties, so any well-formed id at a real start time is a position in the listing.
  let firstPage: Record<string, string>;
  const samePlaceAnyIncident = (key: any) =>
    Object.keys(key).length === 4 && key.gsi2pk === firstPage.gsi2pk && key.gsi2sk === firstPage.gsi2sk && key.sk === "$incident_1" && /^\$uptime#incidentid_[^#]+$/.test(key.pk);

  const listings = (): Array<{ path: string; partitionOf: () => string; realPosition?: (key: unknown) => boolean }> => [
    { path: "/v1/monitors?limit=1", partitionOf: () => `$uptime#ownerid_${bobs.ownerId}` },
    {
      // a cohort member's cursor: its member key and the slot of the last result (CheckResult.list)
      path: `/v1/monitors/${watched.monitorId}/results?limit=2`,
      partitionOf: () => Cohort.memberKey(other.monitorId),
      // without from/to every instant is inside the listing: a cursor naming one is a position in it
      realPosition: (key: any) => Object.keys(key).length === 2 && key.m === Cohort.memberKey(watched.monitorId) && /^\d{1,15}$/.test(key.at),
    },
    {
      path: `/v1/monitors/${watched.monitorId}/results?limit=2&from=${Date.now() - 8 * MIN}&to=${Date.now() - 2 * MIN}`,
      partitionOf: () => Cohort.memberKey(bobs.monitorId),
    },
    { path: "/v1/incidents?limit=1&days=5", partitionOf: () => `$uptime#ownerid_${bobs.ownerId}` },
    { path: "/v1/incidents?limit=1&days=5&status=resolved", partitionOf: () => `$uptime#ownerid_${bobs.ownerId}` },
    { path: `/v1/incidents?limit=1&days=5&monitorId=${watched.monitorId}`, partitionOf: () => `$uptime#monitorid_${bobs.monitorId}`, realPosition: samePlaceAnyIncident },
    { path: `/v1/monitors/${watched.monitorId}/incidents?limit=1&days=5`, partitionOf: () => `$uptime#monitorid_${bobs.monitorId}`, realPosition: samePlaceAnyIncident },
  ];

  it("answers every forged cursor of every listing with 400 invalid_cursor, and real ones still page", async () => {
    for (const { path, partitionOf, realPosition } of listings()) {
      const first = await ada.call("GET", path);
      expect(first.status, path).toBe(200);
      expect(first.body.cursor, path).toBeTruthy();
      const next = await ada.call("GET", `${path}&cursor=${encodeURIComponent(first.body.cursor)}`);
      expect(next.status, path).toBe(200);
      firstPage = decode(first.body.cursor);
      const forged = forgeries(first.body.cursor, partitionOf());
      expect(forged.length).toBeGreaterThan(50);
      const wrong: string[] = [];
      for (const cursor of forged) {
        const res = await ada.call("GET", `${path}&cursor=${encodeURIComponent(cursor)}`);
        if (res.status === 200 && realPosition?.(decode(cursor))) continue;
        // The API caps a cursor's length before core sees it.
        const code = cursor.length > 2048 ? "validation_error" : "invalid_cursor";
        if (res.status !== 400 || res.body.error?.code !== code) {
          wrong.push(`${res.status} ${Buffer.from(cursor, "base64url").toString("utf8").slice(0, 200)}`);
        }
      }
      expect(wrong, path).toEqual([]);
    }
  }, 120_000);
});
