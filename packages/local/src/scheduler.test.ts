import { afterEach, describe, expect, it, vi } from "vitest";
import { scheduledEvent, startScheduler, windowStart } from "./scheduler";

describe("windowStart", () => {
  it("floors to the wall-clock window", () => {
    expect(windowStart(new Date("2024-01-01T12:00:59.999Z"), 60).toISOString()).toBe("2024-01-01T12:00:00.000Z");
    expect(windowStart(new Date("2024-01-01T12:00:14.999Z"), 15).toISOString()).toBe("2024-01-01T12:00:00.000Z");
    expect(windowStart(new Date("2024-01-01T12:00:15.000Z"), 15).toISOString()).toBe("2024-01-01T12:00:15.000Z");
  });
});

describe("scheduledEvent", () => {
  it("has EventBridge's Scheduled Event shape", () => {
    const e = scheduledEvent(new Date("2024-01-01T12:01:00.000Z"), { region: "eu-west-1", ruleName: "local-tick" });
    expect(e).toMatchObject({
      version: "0",
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      time: "2024-01-01T12:01:00Z",
      region: "eu-west-1",
      resources: ["arn:aws:events:eu-west-1:000000000000:rule/local-tick"],
      detail: {},
    });
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("startScheduler", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("fires once per window boundary, survives a failing tick, and stops", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2024-01-01T12:00:03.500Z"));
    const fired: string[] = [];
    const errors: string[] = [];
    const s = startScheduler({
      tickSeconds: 5,
      fire: async (at) => {
        fired.push(at.toISOString());
        if (fired.length === 2) throw new Error("boom");
      },
      onError: (err, at) => errors.push(`${at.toISOString()} ${(err as Error).message}`),
    });
    expect(s.next.toISOString()).toBe("2024-01-01T12:00:05.000Z");
    await vi.advanceTimersByTimeAsync(1499);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual(["2024-01-01T12:00:05.000Z"]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fired).toEqual(["2024-01-01T12:00:05.000Z", "2024-01-01T12:00:10.000Z", "2024-01-01T12:00:15.000Z"]);
    expect(errors).toEqual(["2024-01-01T12:00:10.000Z boom"]);
    await s.stop();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(fired).toHaveLength(3);
  });

  it("skips boundaries missed while the process was suspended, firing the current window once", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2024-01-01T12:00:04.000Z"));
    const fired: string[] = [];
    let clock = Date.now();
    const s = startScheduler({ tickSeconds: 5, now: () => clock, fire: async (at) => void fired.push(at.toISOString()) });
    // The timer fires at 12:00:05 but the wall clock has jumped to 12:00:27 (laptop lid closed).
    clock = new Date("2024-01-01T12:00:27.000Z").getTime();
    await vi.advanceTimersByTimeAsync(1010);
    expect(fired).toEqual(["2024-01-01T12:00:05.000Z", "2024-01-01T12:00:25.000Z"]);
    expect(s.next.toISOString()).toBe("2024-01-01T12:00:30.000Z");
    await s.stop();
  });

  it("can fire late, as EventBridge does, still naming the boundary", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2024-01-01T12:00:04.000Z"));
    const fired: Array<{ at: string; firedAt: string }> = [];
    const s = startScheduler({
      tickSeconds: 5,
      lateFireMs: 4000,
      random: () => 0.5,
      fire: async (at) => void fired.push({ at: at.toISOString(), firedAt: new Date().toISOString() }),
    });
    await vi.advanceTimersByTimeAsync(2999);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual([{ at: "2024-01-01T12:00:05.000Z", firedAt: "2024-01-01T12:00:07.000Z" }]);
    // The next boundary is not pushed back by the lateness of this one.
    await vi.advanceTimersByTimeAsync(5000);
    expect(fired.at(-1)).toEqual({ at: "2024-01-01T12:00:10.000Z", firedAt: "2024-01-01T12:00:12.000Z" });
    await s.stop();
  });

  it("waits for a running tick on stop", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2024-01-01T12:00:04.900Z"));
    let release!: () => void;
    let done = false;
    const s = startScheduler({
      tickSeconds: 5,
      fire: () => new Promise<void>((r) => (release = r)).then(() => void (done = true)),
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(s.running).toBe(1);
    const stopped = s.stop();
    release();
    await stopped;
    expect(done).toBe(true);
    expect(s.running).toBe(0);
  });
});
