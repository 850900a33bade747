export * as Flapping from "./flapping";

import { Entity } from "electrodb";
import { lazyEntity, entityOptions } from "../platform/table";
import { HOUR, floorTo } from "../platform/time";

/**
 * The incidents a monitor opened in one clock hour, as a set of ids: adding the same id again
 * (a redelivered check re-running Incident.open) changes nothing, so the count stays exact.
 * Written only when an incident opens, read only when an alert is sent.
 */
export const FlapEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "flapCount", version: "1", service: "uptime" },
      attributes: {
        monitorId: { type: "string", required: true },
        hour: { type: "number", required: true },
        incidents: { type: "set", items: "string" },
        expiresAt: { type: "number" },
      },
      indexes: {
        // the incidents one monitor opened in one hour
        byMonitorHour: { pk: { field: "pk", composite: ["monitorId", "hour"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

export async function recordOpening(monitorId: string, incidentId: string, startedAt: number) {
  const hour = floorTo(startedAt, HOUR);
  await FlapEntity.update({ monitorId, hour })
    .add({ incidents: [incidentId] })
    .set({ expiresAt: Math.ceil((hour + 2 * HOUR) / 1000) })
    .go({ response: "none" });
}

/** How many incidents the monitor opened in the clock hour of `at`, and when that hour ends. */
export async function openedInHourOf(monitorId: string, at: number): Promise<{ count: number; hourEnd: number }> {
  const hour = floorTo(at, HOUR);
  const { data } = await FlapEntity.get({ monitorId, hour }).go({ consistent: true });
  return { count: data?.incidents?.length ?? 0, hourEnd: hour + HOUR };
}
