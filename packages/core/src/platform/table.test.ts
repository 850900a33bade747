import { describe, expect, it } from "vitest";
import { BATCH_WRITE_MAX, deleteAllPaged } from "./table";

describe("deleteAllPaged", () => {
  it("deletes page after page in batches of at most 25, retrying what comes back unprocessed", async () => {
    const stored = new Set(Array.from({ length: 60 }, (_, i) => `k${i}`));
    const batches: number[] = [];
    let throttled = 0;
    const deleted = await deleteAllPaged(
      async (cursor) => {
        const rest = [...stored].sort().filter((k) => !cursor || k > cursor);
        const data = rest.slice(0, 30);
        return { data, cursor: rest.length > 30 ? data[data.length - 1]! : null };
      },
      async (keys) => {
        batches.push(keys.length);
        // the first request of every batch leaves its last two keys unprocessed
        const unprocessed = throttled++ % 2 === 0 ? keys.slice(-2) : [];
        for (const k of keys) if (!unprocessed.includes(k)) stored.delete(k);
        return { unprocessed };
      },
      { backoffMs: 1 },
    );
    expect(stored.size).toBe(0);
    expect(deleted).toBe(60);
    expect(Math.max(...batches)).toBeLessThanOrEqual(BATCH_WRITE_MAX);
    expect(batches).toEqual([25, 2, 5, 2, 25, 2, 5, 2]);
  });

  it("gives up loudly when requests stay unprocessed", async () => {
    await expect(
      deleteAllPaged(async () => ({ data: ["a"], cursor: null }), async (keys) => ({ unprocessed: keys }), { attempts: 3, backoffMs: 1 }),
    ).rejects.toThrow("1 deletes still unprocessed after 3 attempts");
  });
});
