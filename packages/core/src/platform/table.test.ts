import { Entity } from "electrodb";
import { describe, expect, it, vi } from "vitest";
import { reloadConfig } from "./config";
import { BATCH_WRITE_MAX, deleteAllPaged, entityOptions, lazyEntity } from "./table";

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

describe("lazyEntity", () => {
  const model = {
    model: { entity: "lazyProbe", version: "1", service: "uptime" },
    attributes: { id: { type: "string", required: true }, n: { type: "number" } },
    indexes: { byId: { pk: { field: "pk", composite: ["id"] }, sk: { field: "sk", composite: [] } } },
  } as const;

  it("builds the entity on first use only, and behaves as the entity itself", () => {
    let built = 0;
    const lazy = lazyEntity(() => (built++, new Entity(model, entityOptions())));
    expect(built).toBe(0);
    const eager = new Entity(model, entityOptions());
    expect(lazy.get({ id: "a" }).params()).toEqual(eager.get({ id: "a" }).params());
    expect(lazy.query.byId({ id: "a" }).params()).toEqual(eager.query.byId({ id: "a" }).params());
    expect(lazy).toBeInstanceOf(Entity);
    lazy.get({ id: "b" });
    expect(built).toBe(1);
  });

  it("takes the table name of a config reload that happened before it was built", () => {
    const saved = process.env.TABLE_NAME;
    const lazy = lazyEntity(() => new Entity(model, entityOptions()));
    try {
      process.env.TABLE_NAME = "reloaded-table";
      reloadConfig();
      process.env.TABLE_NAME = "not-reloaded";
      expect(lazy.get({ id: "a" }).params()).toMatchObject({ TableName: "reloaded-table" });
    } finally {
      if (saved === undefined) delete process.env.TABLE_NAME;
      else process.env.TABLE_NAME = saved;
      reloadConfig();
    }
    expect(lazy.get({ id: "a" }).params()).toMatchObject({ TableName: saved || "uptime-local" });
  });

  it("lets a spy replace a method (the kill-between-steps tests rely on it)", () => {
    const lazy = lazyEntity(() => new Entity(model, entityOptions()));
    const spy = vi.spyOn(lazy, "get").mockImplementation(() => "spied" as never);
    expect(lazy.get({ id: "a" })).toBe("spied");
    spy.mockRestore();
    expect(lazy.get({ id: "a" }).params()).toMatchObject({ Key: { pk: expect.any(String) } });
  });
});
