export * as Rollup from "./rollup";

import { Entity } from "electrodb";
import { config } from "../platform/config";
import { putWriteUnits } from "../platform/metering";
import { lazyEntity, entityOptions } from "../platform/table";
import { DAY, HOUR } from "../platform/time";
import { Stats } from "./stats";

/**
 * Rollups: per monitor, one item per hour and one per day holding the check count, failures
 * and a mergeable latency summary (Stats.Agg), so a 30- or 90-day figure reads a few dozen
 * small items instead of tens of thousands of check results.
 *
 * Built by a scheduled job (RollupJob), not as results arrive. A healthy check writes exactly
 * one item today; updating an hour rollup per check would double that, and the budget is 1.1
 * write units per check. The hourly job instead writes one hour item per monitor per hour and
 * one day item per monitor per day (each under 1 KB, so 1 write unit):
 *   - 1-minute monitor:  (24 + 1) writes / 1,440 checks ≈ 0.017 WCU per check
 *   - 5-minute monitor:  (24 + 1) / 288 ≈ 0.087 WCU per check (1.087 in all, the worst case)
 *   - slower monitors get no hour items (they would cost a 10-minute monitor +0.17 and an
 *     hourly one +1 WCU per check), only the day item: 1 / 144 ≈ 0.007 WCU per check for a
 *     10-minute monitor, 1 / 24 ≈ 0.042 for an hourly one; reads of their partial days use
 *     their few raw results instead.
 */

export const RollupEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "rollup", version: "1", service: "uptime" },
      attributes: {
        monitorId: { type: "string", required: true },
        grain: { type: ["hour", "day"] as const, required: true },
        start: { type: "number", required: true }, // epoch ms, UTC-aligned
        count: { type: "number", required: true },
        failures: { type: "number", required: true },
        maintenanceFailures: { type: "number" },
        latencySum: { type: "number", required: true },
        latencyMin: { type: "number" },
        latencyMax: { type: "number" },
        hist: { type: "any", required: true }, // Stats.Histogram
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // a monitor's rollups of one grain, by start (shares the partition of its check results)
        byMonitor: {
          pk: { field: "pk", composite: ["monitorId"] },
          sk: { field: "sk", composite: ["grain", "start"] },
        },
      },
    },
    entityOptions(),
  ),
);

export type RollupItem = NonNullable<Awaited<ReturnType<ReturnType<typeof RollupEntity.get>["go"]>>["data"]>;
export type RollupGrain = RollupItem["grain"];

/** Whether a monitor gets hour items (see the costs above), or only day items. */
export const isHourly = (intervalSec: number) => intervalSec <= config().ROLLUP_HOURLY_MAX_INTERVAL_SEC;

export function toAgg(item: Pick<RollupItem, "count" | "failures" | "maintenanceFailures" | "latencySum" | "latencyMin" | "latencyMax" | "hist">): Stats.Agg {
  return {
    count: item.count,
    failures: item.failures,
    ...(item.maintenanceFailures && { maintenanceFailures: item.maintenanceFailures }),
    latencySum: item.latencySum,
    latencyMin: item.latencyMin,
    latencyMax: item.latencyMax,
    hist: { ...((item.hist as Stats.Histogram | undefined) ?? {}) },
  };
}

export function itemOf(monitorId: string, grain: RollupGrain, start: number, agg: Stats.Agg): RollupItem {
  const c = config();
  const keepDays = grain === "hour" ? c.ROLLUP_HOUR_RETENTION_DAYS : c.ROLLUP_DAY_RETENTION_DAYS;
  return {
    monitorId,
    grain,
    start,
    count: agg.count,
    failures: agg.failures,
    maintenanceFailures: agg.maintenanceFailures,
    latencySum: agg.latencySum,
    latencyMin: agg.latencyMin,
    latencyMax: agg.latencyMax,
    hist: agg.hist,
    expiresAt: Math.floor((start + (grain === "hour" ? HOUR : DAY)) / 1000) + keepDays * 86400,
  };
}

/** Write units of one put of this rollup, as DynamoDB bills it (1 KB steps). */
export function writeUnitsOf(item: RollupItem): number {
  const { Item } = RollupEntity.put(item).params() as { Item: Record<string, unknown> };
  return putWriteUnits(Item);
}
