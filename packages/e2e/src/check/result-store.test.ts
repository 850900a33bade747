import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CheckJob } from "@uptime/core/check/check-job";
import { CheckResult, type Result } from "@uptime/core/check/result";
import { ResultSlotEntity } from "@uptime/core/check/result-slots";
import { Checker } from "@uptime/core/check/checker";
import { CohortLive, CohortLiveEntity } from "@uptime/core/history/cohort-live";
import { LiveStatus } from "@uptime/core/history/live-status";
import { RollupJob } from "@uptime/core/history/rollup-job";
import { Cohort } from "@uptime/core/monitors/cohort";
import { MonitorEntity, type MonitorItem } from "@uptime/core/monitors/monitor";
import { watchDynamo } from "@uptime/core/platform/table";
import { HOUR, floorTo } from "@uptime/core/platform/time";
import { useStackWithTarget } from "../kit/stack-with-target";
import { monitorItem } from "../kit/monitor-fixture";

/**
 * The cohort result store (check/result-slots.ts, history/cohort-live.ts) against the real local
 * DynamoDB: one write per cohort slot, exactly once under redelivery, a hanging member stored
 * on its own, and the figures dashboards read from two items per cohort.
 */

const env = useStackWithTarget();

/** DynamoDB requests by command while `fn` runs, counted on the shared client. */
async function requestsDuring<T>(fn: () => Promise<T>): Promise<{ value: T; commands: string[] }> {
  const commands: string[] = [];
  const stop = watchDynamo((command, input, next) => {
    commands.push(command);
    return next(input);
  });
  try {
    return { value: await fn(), commands };
  } finally {
    stop();
  }
}

/** `n` monitors of one cohort (as Monitor.create seats them), written to the table. */
async function cohortOf(n: number, o: { url?: string; intervalSec?: number } = {}): Promise<MonitorItem[]> {
  const out: MonitorItem[] = [];
  const ownerId = `owner-${randomUUID()}`;
  for (let i = 0; i < n; i++) {
    const m = monitorItem({ intervalSec: o.intervalSec ?? 60, url: o.url ?? `${env.target.url}/m${i}`, ownerId, cohort: null, state: "up" });
    Object.assign(m, Cohort.choose(m.monitorId, m.intervalSec, "http", out));
    await MonitorEntity.create(m).go();
    out.push(m);
  }
  expect(new Set(out.map((m) => m.cohort)).size).toBe(Math.ceil(n / Cohort.COHORT_SIZE));
  return out;
}

const jobOf = (m: MonitorItem, dueAt: number): CheckJob.Job => ({ monitor: CheckJob.snapshotOf(m), dueAt, kind: "scheduled" });
const resultOf = (m: MonitorItem, at: number, ok = true): Result => ({ monitorId: m.monitorId, at, ok, latencyMs: 20, httpStatus: ok ? 200 : 503, kind: "scheduled", checkedAt: at + 30 });

describe("one write per cohort slot", () => {
  it("stores a full cohort's slot in one conditional put, then its live figures in one read and one put", async () => {
    const members = await cohortOf(8);
    const at = floorTo(Date.now(), 60_000);
    const { value, commands } = await requestsDuring(() => CheckResult.recordSlot(members[0]!.cohort!, at, members.map((m) => resultOf(m, at))));
    expect(value.every((s) => s.created)).toBe(true);
    expect(commands).toEqual(["PutItemCommand", "GetItemCommand", "PutItemCommand"]);
    const { data } = await ResultSlotEntity.get({ cohort: members[0]!.cohort!, at }).go();
    expect(Object.keys(data!.e as object)).toHaveLength(8);
    for (const m of members) expect(await CheckResult.find(m, at)).toEqual(resultOf(m, at));
  });

  it("stores the slots of cohorts that complete together with one read of all their live items", async () => {
    const cohorts = [await cohortOf(8), await cohortOf(3), await cohortOf(5)];
    const at = floorTo(Date.now(), 60_000);
    // one of them has a live item already
    await CheckResult.recordSlot(cohorts[1]![0]!.cohort!, at - 60_000, cohorts[1]!.map((m) => resultOf(m, at - 60_000)));
    const { value, commands } = await requestsDuring(() =>
      CheckResult.recordSlots(cohorts.map((members) => ({ cohort: members[0]!.cohort!, at, results: members.map((m) => resultOf(m, at, members.length !== 3)) }))),
    );
    expect(value.every((o) => o.status === "fulfilled" && o.value.every((s) => s.created))).toBe(true);
    expect(commands.filter((c) => c === "BatchGetItemCommand")).toHaveLength(1);
    expect(commands.filter((c) => c === "PutItemCommand")).toHaveLength(6);
    expect(commands.filter((c) => c === "GetItemCommand")).toHaveLength(0);
    const live = await LiveStatus.forMonitors(cohorts.flat(), { day: true, recent: 40 });
    for (const members of cohorts) {
      for (const m of members) {
        const figures = live.get(m.monitorId)!;
        expect(figures.last).toEqual(resultOf(m, at, members.length !== 3));
        expect(figures.recent?.ok).toEqual(members.length === 3 ? [true, false] : [true]);
      }
    }
  });

  it("adds to a live item written since it was read: the stale copy fails its version, and is read again", async () => {
    const members = await cohortOf(2);
    const cohort = members[0]!.cohort!;
    const at = floorTo(Date.now(), 60_000);
    const [stale] = (await CohortLive.readForUpdate([cohort])).values();
    expect(stale).toBeNull();
    await CheckResult.recordSlot(cohort, at - 60_000, [resultOf(members[0]!, at - 60_000)]);
    await CohortLive.record(cohort, [resultOf(members[1]!, at)], Date.now(), undefined, stale);
    const live = await LiveStatus.forMonitors(members, { day: true, recent: 40 });
    expect(live.get(members[0]!.monitorId)!.last?.at).toBe(at - 60_000);
    expect(live.get(members[1]!.monitorId)!.last?.at).toBe(at);
  });

  it("stores each member's slot exactly once: a redelivery gets the stored result, a late member is appended", async () => {
    const members = await cohortOf(6);
    const cohort = members[0]!.cohort!;
    const at = floorTo(Date.now(), 60_000) - 60_000;
    const first = await CheckResult.recordSlot(cohort, at, members.slice(0, 4).map((m) => resultOf(m, at, true)));
    expect(first.map((s) => s.created)).toEqual([true, true, true, true]);
    // The same slot again (a redelivery that probed again and saw failures), plus two members not stored yet.
    const again = await CheckResult.recordSlot(cohort, at, members.map((m) => resultOf(m, at, false)));
    expect(again.map((s) => s.created)).toEqual([false, false, false, false, true, true]);
    expect(again.slice(0, 4).map((s) => s.result.ok)).toEqual([true, true, true, true]);
    expect((await CheckResult.find(members[5]!, at))!.ok).toBe(false);
    // The live figures count each check once.
    const live = await LiveStatus.forMonitors(members, { day: true, recent: 40 });
    expect(members.map((m) => live.get(m.monitorId)!.day!.count)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(members.map((m) => live.get(m.monitorId)!.last!.ok)).toEqual([true, true, true, true, false, false]);
  });

  it("runs a batch's cohort jobs together, and stores a hanging member on its own without holding the rest", { timeout: 30_000 }, async () => {
    const held: http.ServerResponse[] = [];
    const gate = http.createServer((req, res) => {
      req.resume();
      held.push(res);
    });
    await new Promise<void>((r) => gate.listen(0, "127.0.0.1", r));
    const gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}`;
    try {
      const members = await cohortOf(8);
      const hanging = { ...members[7]!, url: `${gateUrl}/hang`, timeoutMs: 20_000 };
      const dueAt = floorTo(Date.now(), 1000);
      const jobs = [...members.slice(0, 7), hanging].map((m) => jobOf(m as MonitorItem, dueAt));
      const started = Date.now();
      const run = Checker.runJobs(jobs.map((job) => ({ job, redelivered: false })), { groupWaitMs: 300 });
      // The seven answered at once: stored together after the group's wait, long before the gate opens.
      for (;;) {
        const found = await Promise.all(members.slice(0, 7).map((m) => CheckResult.find(m, dueAt)));
        if (found.every(Boolean)) break;
        expect(Date.now() - started).toBeLessThan(5_000);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await CheckResult.find(members[7]!, dueAt)).toBeUndefined();
      const { data } = await ResultSlotEntity.get({ cohort: members[0]!.cohort!, at: dueAt }).go();
      expect(Object.keys(data!.e as object)).toHaveLength(7);
      for (const res of held.splice(0)) res.end("ok");
      const outcomes = await run;
      expect(outcomes.every((o) => o.status === "fulfilled" && o.value.created)).toBe(true);
      expect(await CheckResult.find(members[7]!, dueAt)).toMatchObject({ ok: true });
      const live = (await CohortLiveEntity.get({ cohort: members[0]!.cohort! }).go()).data!;
      expect(Object.keys(live.m as object)).toHaveLength(8);
    } finally {
      for (const res of held.splice(0)) res.end("ok");
      await new Promise<void>((r) => gate.close(() => r()));
    }
  });
});

describe("reading a member's results", () => {
  it("lists one member's results a page at a time among its cohort-mates', and refuses a forged cursor", async () => {
    const members = await cohortOf(3);
    const [a, b] = members;
    const t0 = floorTo(Date.now(), 60_000) - 30 * 60_000;
    for (let i = 0; i < 25; i++) {
      const at = t0 + i * 60_000;
      // b misses every fifth slot: pages must still be full
      await CheckResult.recordSlot(a!.cohort!, at, [resultOf(a!, at), ...(i % 5 ? [resultOf(b!, at)] : []), resultOf(members[2]!, at)]);
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Result[]; cursor: string | null } = await CheckResult.list(b!, { limit: 7, cursor });
      expect(page.data.every((r) => r.monitorId === b!.monitorId)).toBe(true);
      if (page.cursor) expect(page.data).toHaveLength(7);
      seen.push(...page.data.map((r) => r.at));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => t0 + i * 60_000).filter((_, i) => i % 5).reverse());
    await expect(CheckResult.list(b!, { cursor: "eyJwayI6IngifQ" })).rejects.toMatchObject({ code: "invalid_cursor" });
    // oldest first, for charts
    const asc = await CheckResult.list(a!, { order: "asc", limit: 10, from: t0 + 5 * 60_000 });
    expect(asc.data.map((r) => r.at)).toEqual(Array.from({ length: 10 }, (_, i) => t0 + (i + 5) * 60_000));
    expect((await CheckResult.latest(b!, 3)).map((r) => r.at)).toEqual(seen.slice(0, 3));
  });

  it("gives a dashboard of many cohorts its figures in two batch reads per 100 cohorts, the 24 hours from the rollup's window and the live item", { timeout: 90_000 }, async () => {
    const members = await cohortOf(12);
    const now = Date.now();
    const hour = floorTo(now, HOUR);
    // two hours and more of 1-minute checks, the first monitor failing every 10th
    const results = new Map<string, Result[]>();
    for (const m of members) {
      const list: Result[] = [];
      for (let at = hour - 2 * HOUR; at <= now - 60_000; at += 60_000) list.push(resultOf(m, at, m !== members[0] || Math.floor(at / 60_000) % 10 !== 0));
      results.set(m.monitorId, list);
      await CheckResult.storeMany(m, list, now);
    }
    // The rollup job has closed the hours before this one.
    await RollupJob.run(hour - 2 * HOUR, hour);
    const { value: live, commands } = await requestsDuring(() => LiveStatus.forMonitors(members, { day: true, recent: 40, now }));
    expect(commands).toEqual(["BatchGetItemCommand", "BatchGetItemCommand"]);
    for (const m of members) {
      const mine = results.get(m.monitorId)!;
      const fig = live.get(m.monitorId)!;
      expect(fig.day).toMatchObject({ count: mine.length, failures: mine.filter((r) => !r.ok).length });
      expect(fig.last).toEqual(mine[mine.length - 1]);
      expect(fig.recent!.ok).toEqual(mine.slice(-40).map((r) => r.ok));
      expect(fig.recent!.since).toBe(mine[mine.length - 40]!.at);
    }
    // A deleted member leaves the cohort's items.
    await CohortLive.forget(members[1]!);
    const after = await LiveStatus.forMonitors([members[1]!], { day: true, now });
    expect(after.get(members[1]!.monitorId)!.last).toBeUndefined();
  });
});

describe("monitors created before cohorts", () => {
  it("keep one item per check: stored, listed, found and shown on dashboards as before", async () => {
    const legacy = monitorItem({ intervalSec: 60, url: `${env.target.url}/legacy`, cohort: null, state: "up" });
    await MonitorEntity.create(legacy).go();
    expect(legacy.cohort).toBeUndefined();
    const t0 = floorTo(Date.now(), 60_000) - 10 * 60_000;
    for (let i = 0; i < 5; i++) {
      const job = jobOf(legacy, t0 + i * 60_000);
      const [outcome] = await Checker.runJobs([{ job, redelivered: false }]);
      expect(outcome).toMatchObject({ status: "fulfilled", value: { created: true } });
    }
    // one item per check under the monitor's own partition, none in cohort items
    const { CheckResultEntity } = await import("@uptime/core/check/result");
    const { data } = await CheckResultEntity.query.history({ monitorId: legacy.monitorId }).go({ pages: "all" });
    expect(data.map((r) => r.at)).toEqual([0, 1, 2, 3, 4].map((i) => t0 + i * 60_000));
    const page = await CheckResult.list(legacy, { limit: 3 });
    expect(page.data.map((r) => r.at)).toEqual([4, 3, 2].map((i) => t0 + i * 60_000));
    const next = await CheckResult.list(legacy, { limit: 3, cursor: page.cursor });
    expect(next.data.map((r) => r.at)).toEqual([1, 0].map((i) => t0 + i * 60_000));
    const live = (await LiveStatus.forMonitors([legacy], { day: true, recent: 40 })).get(legacy.monitorId)!;
    expect(live.last?.at).toBe(t0 + 4 * 60_000);
    expect(live.day?.count).toBe(5);
    expect(live.recent?.ok).toEqual([true, true, true, true, true]);
  });
});
