import { randomUUID } from "node:crypto";
import { MonitorEntity, settingsOf, type CreateInput, type MonitorItem } from "@uptime/core/monitors/monitor";
import { dueKeys } from "@uptime/core/schedule/due-index";

/** Any field of a create request, plus what Monitor.create decides by itself. */
export type MonitorFixture = Partial<CreateInput> & {
  intervalSec: number;
  /** Where in its interval the monitor is due; random when not given, as Monitor.create does. */
  offsetSec?: number;
  ownerId?: string;
  /** Becomes the alert address when `alertEmails` is not given, as the owner's email does. */
  ownerEmail?: string;
  state?: MonitorItem["state"];
  /** Its cohort (monitors/cohort.ts): by default its own, as Monitor.create gives an owner's first monitor; null for a monitor from before cohorts. */
  cohort?: string | null;
};

/**
 * A monitor item shaped exactly as Monitor.create writes it (same defaults, same due keys), but
 * built without the API: no quota, no URL check, and any owner, offset or live state.
 */
export function monitorItem(o: MonitorFixture, now = Date.now()): MonitorItem {
  const { offsetSec: givenOffset, ownerId = "fixture-owner", ownerEmail = "fixture@example.com", state = "up", cohort, ...input } = o;
  const settings = settingsOf({ name: "fixture", ...(input.type && input.type !== "http" ? {} : { url: "http://127.0.0.1:9/" }), ...input } as CreateInput, ownerEmail);
  const offsetSec = givenOffset ?? Math.floor(Math.random() * settings.intervalSec);
  const monitorId = randomUUID();
  return {
    monitorId,
    ownerId,
    ...(cohort !== null && { cohort: cohort ?? monitorId }),
    ...settings,
    offsetSec,
    ...dueKeys(settings.intervalSec, offsetSec, settings.paused),
    state,
    createdAt: now,
    updatedAt: now,
  } as MonitorItem;
}

/** A monitor item written straight to the table: the scheduler and the rollup job only need its due keys. */
export async function createMonitorFixture(o: MonitorFixture): Promise<MonitorItem> {
  const item = monitorItem({ timeoutMs: 1000, ...o });
  await MonitorEntity.create(item).go();
  return item;
}
