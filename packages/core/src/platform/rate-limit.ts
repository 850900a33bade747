export * as RateLimit from "./rate-limit";

import { Entity } from "electrodb";
import { isConditionalCheckFailed } from "./errors";
import { lazyEntity, entityOptions } from "./table";
import { floorTo } from "./time";

/**
 * Counters for limits, one item per (key, fixed window), taken with a single conditional
 * update (no transactions): concurrent callers can never get past the limit. Items expire by TTL.
 */
export const CounterEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "rateCounter", version: "1", service: "uptime" },
      attributes: {
        key: { type: "string", required: true },
        window: { type: "number", required: true },
        count: { type: "number" },
        /** For spacing limits: when the last allowed call was. */
        at: { type: "number" },
        expiresAt: { type: "number" },
      },
      indexes: {
        // the counter of one key in one window ("alert-mail:<owner>", "manual-check:<monitor>", …)
        byKey: { pk: { field: "pk", composite: ["key", "window"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

export type Taken = { ok: true; count: number } | { ok: false; retryAfterSec: number };

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Takes one from the budget of `key` in the current fixed window of `windowMs`, if fewer than `max` were taken. */
export async function take(key: string, max: number, windowMs: number, now = Date.now()): Promise<Taken> {
  const window = floorTo(now, windowMs);
  try {
    const { data } = await CounterEntity.update({ key, window })
      .add({ count: 1 })
      .set({ expiresAt: Math.ceil((window + windowMs) / 1000) + 3600 })
      .where((a, op) => `${op.notExists(a.count)} OR ${op.lt(a.count, max)}`)
      .go({ response: "all_new" });
    return { ok: true, count: data.count ?? 1 };
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    return { ok: false, retryAfterSec: seconds(window + windowMs - now) };
  }
}

/** Allows a call for `key` only if the last allowed one was at least `gapMs` ago. */
export async function spaced(key: string, gapMs: number, now = Date.now()): Promise<Taken> {
  try {
    await CounterEntity.put({ key, window: 0, at: now, count: 1, expiresAt: Math.ceil((now + gapMs) / 1000) + 3600 })
      .where((a, op) => `${op.notExists(a.at)} OR ${op.lte(a.at, now - gapMs)}`)
      .go({ response: "none" });
    return { ok: true, count: 1 };
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    const { data } = await CounterEntity.get({ key, window: 0 }).go({ consistent: true });
    return { ok: false, retryAfterSec: seconds((data?.at ?? now) + gapMs - now) };
  }
}
