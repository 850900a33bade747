import { describe, expect, it } from "vitest";
import { mapLimit, spaced } from "./concurrency";

describe("mapLimit", () => {
  it("keeps order and never exceeds the limit", async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 4, 3, 2, 1, 0], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 2;
    });
    expect(out).toEqual([10, 8, 6, 4, 2, 0]);
    expect(peak).toBe(2);
  });
});

describe("spaced", () => {
  it("lets calls through in order, no more often than one per spacing on average", async () => {
    const next = spaced(0.5);
    const order: number[] = [];
    const at: number[] = [];
    await Promise.all(
      Array.from({ length: 41 }, (_, i) =>
        next().then(() => {
          order.push(i);
          at.push(performance.now());
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 41 }, (_, i) => i));
    // 40 gaps of 0.5 ms, less the last wait's rounding (at most a millisecond)
    expect(at[40]! - at[0]!).toBeGreaterThanOrEqual(40 * 0.5 - 1);
    expect(at[40]! - at[0]!).toBeLessThan(1000);
  });
});
