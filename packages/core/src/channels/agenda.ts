export * as FollowUpAgenda from "./agenda";

import { FollowUpDueEntity } from "./entity";

const MINUTE = 60_000;

export interface Schedulable {
  incidentId: string;
  monitorId: string;
  startedAt: number;
  remindEveryMin?: number;
  escalateAfterMin?: number;
}

/**
 * Puts an opening incident's reminder and escalation on the tick's agenda. Times count from the
 * outage's start, so re-running the opening (a redelivered check) writes the very same entries.
 */
export async function schedule(i: Schedulable) {
  const entries = [
    i.remindEveryMin ? { at: i.startedAt + i.remindEveryMin * MINUTE, kind: "reminder" as const } : undefined,
    i.escalateAfterMin ? { at: i.startedAt + i.escalateAfterMin * MINUTE, kind: "escalation" as const } : undefined,
  ].filter((e) => !!e);
  for (const e of entries) await FollowUpDueEntity.put({ ...e, incidentId: i.incidentId, monitorId: i.monitorId }).go({ response: "none" });
}

/** Which reminder (1, 2, ...) an agenda entry at `at` is. */
export const reminderNumber = (i: Schedulable, at: number) => Math.round((at - i.startedAt) / ((i.remindEveryMin ?? 1) * MINUTE));

export const nextReminderAt = (i: Schedulable, at: number) => at + (i.remindEveryMin ?? 0) * MINUTE;
