import { describe, expect, it } from "vitest";
import { INTERVALS } from "../monitors/fields";
import { HEARTBEAT_LOOKBACK_MINUTES, dueBuckets, dueKeys, dueTimes, heartbeatKeys, overdueHeartbeatQueries, queriesFor } from "./due-index";

/** Brute force: the monitors (interval, offset) due in a window, by definition. */
function dueByDefinition(interval: number, offset: number, windowStart: number, windowSec: number) {
  const out: number[] = [];
  for (let t = windowStart; t < windowStart + windowSec; t++) if (((t - offset) % interval + interval) % interval === 0) out.push(t);
  return out;
}

function matchedByQueries(interval: number, offset: number, windowStart: number, windowSec: number) {
  const { dueBucket, dueSk } = dueKeys(interval, offset, false);
  const second = Number(dueSk.slice(0, 2));
  return queriesFor(windowStart, windowSec).some((q) => q.bucket === dueBucket && second >= q.fromSecond && second <= q.toSecond);
}

describe("due index", () => {
  it.each([60, 30, 15, 5])("names exactly the due monitors for every interval and offset (window %ss)", (windowSec) => {
    // Two hours of windows, every interval, a spread of offsets: the queries match a monitor
    // iff it is due in the window, and dueTimes lists exactly its due instants.
    const start = 1_764_000_000 - (1_764_000_000 % 3600);
    for (const interval of INTERVALS) {
      const offsets = [0, 1, interval - 1, Math.floor(interval / 2), Math.floor(interval / 3) + 7].filter((o) => o >= 0 && o < interval);
      for (const offset of offsets) {
        for (let w = start; w < start + 7200; w += windowSec) {
          const expected = dueByDefinition(interval, offset, w, windowSec);
          expect(matchedByQueries(interval, offset, w, windowSec), `i${interval} o${offset} w${w}`).toBe(expected.length > 0);
          if (expected.length) expect(dueTimes({ intervalSec: interval, offsetSec: offset }, w, windowSec)).toEqual(expected);
        }
      }
    }
  });

  it("sends paused monitors to a partition no query reads", () => {
    expect(dueKeys(60, 5, true).dueBucket).toBe("paused");
    for (const w of [0, 60, 3600]) expect(queriesFor(w, 60).some((q) => q.bucket === "paused")).toBe(false);
  });

  it("enqueues a 10-second monitor six times per one-minute window", () => {
    expect(dueTimes({ intervalSec: 10, offsetSec: 3 }, 1200, 60)).toEqual([1203, 1213, 1223, 1233, 1243, 1253]);
  });

  it("lists every partition any monitor can be in, for a reader of every monitor", () => {
    const buckets = new Set(dueBuckets());
    for (const interval of INTERVALS) {
      for (let offset = 0; offset < interval; offset++) {
        expect(buckets.has(dueKeys(interval, offset, false).dueBucket)).toBe(true);
        expect(buckets.has(dueKeys(interval, offset, true).dueBucket)).toBe(true);
      }
    }
    // ... and the heartbeat monitors' own partition
    expect(buckets.size).toBe(4 + 2 + 5 + 10 + 15 + 30 + 60 + 1 + 1);
  });

  it("names a heartbeat exactly when its deadline has passed (within the look-back), never before", () => {
    const matched = (deadlineMs: number, now: number) => {
      const { dueBucket, dueSk } = heartbeatKeys(deadlineMs, false);
      const second = Number(dueSk);
      return overdueHeartbeatQueries(now).some((q) => q.bucket === dueBucket && second >= q.fromSecond && second <= q.toSecond);
    };
    const now = 1_764_000_000_000 + 37_250; // 37.25 s into a minute
    for (let d = now - HEARTBEAT_LOOKBACK_MINUTES * 60_000 - 60_000; d < now + 120_000; d += 1000) {
      const passedBySecond = Math.floor(d / 1000) < Math.floor(now / 1000);
      const inLookBack = Math.floor(d / 60_000) >= Math.floor(now / 60_000) - HEARTBEAT_LOOKBACK_MINUTES;
      expect(matched(d, now), `deadline ${d - now} ms from now`).toBe(passedBySecond && inLookBack);
    }
    expect(heartbeatKeys(now, true).dueBucket).toBe("hb-paused");
    expect(overdueHeartbeatQueries(now).some((q) => q.bucket === "hb-paused")).toBe(false);
  });
});
