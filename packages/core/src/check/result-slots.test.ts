import { describe, expect, it } from "vitest";
import { itemBytes } from "../platform/metering";
import { ResultSlots, ResultSlotEntity } from "./result-slots";
import type { Result } from "./result-shape";

const at = 1_700_000_040_000;
const healthy: Result = { monitorId: "3f2a9c1e-0b7d-4e8a-9c11-5d6e7f809a1b", at, ok: true, latencyMs: 112, httpStatus: 200, kind: "scheduled", checkedAt: at + 130, phases: { dns: 1, connect: 2, tls: 9, firstByte: 95, download: 5 } };

describe("ResultSlots entry codec", () => {
  it.each<[string, Result]>([
    ["a healthy HTTP check with phases", healthy],
    ["a bare TCP check", { monitorId: "m", at, ok: true, latencyMs: 3, kind: "scheduled", checkedAt: at + 4 }],
    [
      "a failure with every field",
      { monitorId: "m", at, ok: false, reason: "status_mismatch", message: 'expected 200-399, got 503 "|,]', httpStatus: 503, latencyMs: 210, certDaysLeft: 12, phases: { dns: 4, firstByte: 170 }, kind: "retry", inMaintenance: true, checkedAt: at + 20_400 },
    ],
    ["a manual check in maintenance", { monitorId: "m", at, ok: true, latencyMs: 0, kind: "manual", inMaintenance: true, checkedAt: at }],
  ])("gives back %s exactly", (_, r) => {
    expect(ResultSlots.decodeEntry(r.monitorId, r.at, ResultSlots.encodeEntry(r))).toEqual(r);
  });

  it("keeps a healthy check short: eight of them and the keys fit one write unit", () => {
    expect(ResultSlots.encodeEntry(healthy).length).toBeLessThanOrEqual(40);
    const e = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`${i}f2a9c1e0b7d`, ResultSlots.encodeEntry({ ...healthy, latencyMs: 9000 + i })]));
    const item = { pk: ResultSlots.partitionOf(healthy.monitorId), sk: ResultSlots.sortKeyOf(at), cohort: healthy.monitorId, at, e, expiresAt: 1_702_592_040, __edb_e__: "resultSlot", __edb_v__: "1" };
    expect(itemBytes(item)).toBeLessThanOrEqual(1024);
  });

  it("writes the keys ElectroDB reads", () => {
    const params = ResultSlotEntity.create({ cohort: "AbC-1", at, e: {}, expiresAt: 1 }).params() as { Item: Record<string, unknown> };
    expect(params.Item.pk).toBe(ResultSlots.partitionOf("AbC-1"));
    expect(params.Item.sk).toBe(ResultSlots.sortKeyOf(at));
    expect(params.Item.__edb_e__).toBe("resultSlot");
  });
});
