import { describe, expect, it } from "vitest";
import { pack } from "./check-job";

describe("packing jobs into SQS messages and batches", () => {
  it("stops at the count limit", () => {
    expect(pack([1, 2, 3, 4, 5], () => 1, 2, 100)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it("stops before the byte limit, and sends an oversized item alone", () => {
    const sizes: Record<string, number> = { a: 100, b: 100, c: 50, d: 300, e: 10 };
    expect(pack(["a", "b", "c", "d", "e"], (x) => sizes[x]!, 10, 200)).toEqual([["a", "b"], ["c"], ["d"], ["e"]]);
  });

  it("keeps every item exactly once", () => {
    const items = Array.from({ length: 137 }, (_, i) => i);
    const groups = pack(items, (i) => (i % 7) * 40, 10, 250);
    expect(groups.flat()).toEqual(items);
    for (const g of groups) expect(g.length).toBeLessThanOrEqual(10);
    for (const g of groups) if (g.length > 1) expect(g.reduce((n, i) => n + (i % 7) * 40, 0)).toBeLessThanOrEqual(250);
  });
});
