import { describe, expect, it } from "vitest";
import { decode, encode, newLogId, RECENT_PINGS, withPing, type PingEntry } from "./recent";

const T = Date.parse("2026-06-01T03:00:07.123Z");

describe("a heartbeat's last pings, kept in its item", () => {
  it.each<[string, PingEntry]>([
    ["a plain good ping", { at: T, kind: "success", method: "GET" }],
    ["a start by HEAD", { at: T, kind: "start", method: "HEAD" }],
    ["a finish with its exit code, duration and a log", { at: T, kind: "fail", method: "POST", exitCode: 3, durationMs: 93_456, logId: newLogId(T, "a1") }],
    ["an exit code 0 with a log", { at: T, kind: "success", method: "POST", exitCode: 0, logId: newLogId(T, "ff") }],
  ])("reads back %s as written", (_, entry) => {
    expect(decode(encode(entry))).toEqual(entry);
  });

  // 20 of the longest (failed week-long runs with a log) and the state stay under 1 KB; bench section 14 measures the item.
  it("keeps each entry short", () => {
    expect(encode({ at: T, kind: "success", method: "GET" })).toHaveLength(10);
    const longest = encode({ at: T, kind: "fail", method: "POST", exitCode: 255, durationMs: 7 * 86400_000, logId: newLogId(T, "a1") });
    expect(longest.length).toBeLessThanOrEqual(24);
  });

  it("puts the newest first and forgets the oldest past the cap", () => {
    let list: string[] | undefined;
    for (let i = 0; i < RECENT_PINGS + 5; i++) list = withPing(list, { at: T + i * 1000, kind: "success", method: "GET" });
    expect(list).toHaveLength(RECENT_PINGS);
    expect(decode(list![0]!).at).toBe(T + (RECENT_PINGS + 4) * 1000);
    expect(decode(list!.at(-1)!).at).toBe(T + 5 * 1000);
  });
});
