export * as Muting from "./muting";

import { MonitorEntity } from "../monitors/entity";
import { mapLimit } from "../platform/concurrency";
import { isConditionalCheckFailed } from "../platform/errors";

/**
 * Maintenance mutes monitors by writing `maintenanceUntil` onto the monitor item: the scheduler
 * copies it into every queued job's snapshot, so the checker knows without reading anything.
 * Overlapping maintenance keeps the latest end; ending one maintenance clears only its own end.
 */

const WRITES_IN_FLIGHT = 8;

async function ignoringMissing(op: Promise<unknown>) {
  try {
    await op;
  } catch (err) {
    // a later maintenance already holds it, or the monitor was deleted meanwhile
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

export async function mute(monitorIds: string[], until: number) {
  await mapLimit([...new Set(monitorIds)], WRITES_IN_FLIGHT, (monitorId) =>
    ignoringMissing(
      MonitorEntity.patch({ monitorId })
        .set({ maintenanceUntil: until })
        .where((a, op) => `${op.notExists(a.maintenanceUntil)} OR ${op.lt(a.maintenanceUntil, until)}`)
        .go({ response: "none" }),
    ),
  );
}

export async function unmute(monitorIds: string[], until: number) {
  await mapLimit([...new Set(monitorIds)], WRITES_IN_FLIGHT, (monitorId) =>
    ignoringMissing(
      MonitorEntity.patch({ monitorId })
        .remove(["maintenanceUntil"])
        .where((a, op) => op.lte(a.maintenanceUntil, until))
        .go({ response: "none" }),
    ),
  );
}
