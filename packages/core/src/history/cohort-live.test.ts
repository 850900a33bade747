import { describe, expect, it } from "vitest";
import type { Result } from "../check/result-shape";
import { ResultSlots } from "../check/result-slots";
import { itemBytes } from "../platform/metering";
import { HOUR } from "../platform/time";
import { CohortLive, CohortLiveEntity, CohortWindowEntity } from "./cohort-live";

const T0 = Date.UTC(2026, 11, 6, 10, 0, 0);
const id = "3f2a9c1e-0b7d-4e8a-9c11-5d6e7f809a1b";
const check = (at: number, ok = true): Result => ({ monitorId: id, at, ok, latencyMs: 120, httpStatus: ok ? 200 : 503, kind: "scheduled", checkedAt: at + 150 });

describe("CohortLive member state", () => {
  it("keeps the last result, the newest 40 flags and the live hours only", () => {
    let s: CohortLive.MemberState | undefined;
    // 3.5 hours of 1-minute checks, every 10th failing
    const n = 210;
    for (let i = 0; i < n; i++) s = CohortLive.applyResult(s, check(T0 + i * 60_000, i % 10 !== 9), T0 + (n - 1) * 60_000);
    s = CohortLive.decodeState(CohortLive.encodeState(s!))!;
    expect(s.at).toBe(T0 + (n - 1) * 60_000);
    expect(ResultSlots.fromFields(id, s.at, s.last)).toEqual(check(T0 + (n - 1) * 60_000, false));
    expect(s.count).toBe(40);
    const f = CohortLive.figuresOf({ monitorId: id, intervalSec: 60 }, { live: { [id.replace(/-/g, "").slice(0, 12)]: CohortLive.encodeState(s) } }, T0 + (n - 1) * 60_000);
    expect(f.recent.ok).toHaveLength(40);
    expect(f.recent.ok.filter((ok) => !ok)).toHaveLength(4);
    expect(f.recent.ok[39]).toBe(false);
    expect(f.recent.ok[38]).toBe(true);
    expect(f.recent.since).toBe(T0 + (n - 40) * 60_000);
    // hours 11:00, 12:00 and 13:00 (the live hours); 10:00 has left the live item
    expect(s.hours.map((h) => h[0] * HOUR)).toEqual([T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR]);
    expect(f.day).toMatchObject({ count: 150, failures: 15 });
  });

  it("adds the window's rolled hours and the live hours after it, within 24 hours", () => {
    const now = T0 + 30 * 60_000; // 10:30
    const key = id.replace(/-/g, "").slice(0, 12);
    // window through 10:00: hours 10:00 the day before ... 09:00, 60 checks each, 1 failure each
    const window = { through: T0, m: { [key]: Array.from({ length: 24 }, () => [60, 1]).flat() } };
    let s: CohortLive.MemberState | undefined;
    for (let i = 0; i < 30; i++) s = CohortLive.applyResult(s, check(T0 + i * 60_000, i !== 3), now);
    const f = CohortLive.figuresOf({ monitorId: id, intervalSec: 60 }, { window, live: { [key]: CohortLive.encodeState(s!) } }, now);
    // 24-hour window starts at 11:00 yesterday: 23 rolled hours + 30 live checks
    expect(f.day).toMatchObject({ count: 23 * 60 + 30, failures: 23 + 1 });
  });

  it("fits eight healthy members in one write unit", () => {
    const live: Record<string, unknown> = {};
    for (let k = 0; k < 8; k++) {
      let s: CohortLive.MemberState | undefined;
      for (let i = 0; i < 180; i++) s = CohortLive.applyResult(s, { ...check(T0 + i * 60_000), phases: { dns: 1, connect: 2, tls: 9, firstByte: 95, download: 5 } }, T0 + 179 * 60_000);
      live[`${k}f2a9c1e0b7d`] = CohortLive.encodeState(s!);
    }
    const item = { pk: ResultSlots.partitionOf(id), sk: "$cohortlive_1", cohort: id, v: 123456, m: live, updatedAt: T0, __edb_e__: "cohortLive", __edb_v__: "1" };
    expect(itemBytes(item)).toBeLessThanOrEqual(1024);
  });

  it("uses the keys ElectroDB reads", () => {
    const live = CohortLiveEntity.create({ cohort: "C1", v: 1, m: {}, updatedAt: 1 }).params() as { Item: Record<string, unknown> };
    expect(live.Item).toMatchObject({ pk: ResultSlots.partitionOf("C1"), sk: "$cohortlive_1" });
    const win = CohortWindowEntity.create({ cohort: "C1", through: 1, m: {}, updatedAt: 1 }).params() as { Item: Record<string, unknown> };
    expect(win.Item).toMatchObject({ pk: ResultSlots.partitionOf("C1"), sk: "$cohortwindow_1" });
  });
});
