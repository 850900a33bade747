export * as Incident from "./incident";

import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { Entity } from "electrodb";
import { z } from "zod";
import { sqs } from "../platform/aws";
import type { Result } from "../check/result";
import { config } from "../platform/config";
import { isConditionalCheckFailed } from "../platform/errors";
import type { MonitorItem } from "../monitors/entity";
import { targetOf } from "../monitors/view";
import { markDown, markUp } from "../monitors/state";
import { lazyEntity, entityOptions } from "../platform/table";
import { Flapping } from "./flapping";
import { FollowUpAgenda } from "../channels/agenda";

/**
 * An outage of one monitor. Its id is derived from the check that crossed the failure
 * threshold, so re-processing that check (at-least-once delivery) names the same incident.
 * The monitor item's `openIncidentId`, set with a condition, enforces one open incident per monitor.
 */
export const IncidentEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "incident", version: "1", service: "uptime" },
      attributes: {
        incidentId: { type: "string", required: true },
        monitorId: { type: "string", required: true },
        ownerId: { type: "string", required: true },
        status: { type: ["open", "resolved"] as const, required: true },
        startedAt: { type: "number", required: true },
        resolvedAt: { type: "number" },
        durationMs: { type: "number" },
        reason: { type: "string", required: true },
        message: { type: "string" },
        /** Set when the incident ended other than by recovery (e.g. "monitor_deleted"). */
        closedReason: { type: "string" },
        // Denormalised so alerts and listings need no monitor read, and survive its deletion.
        monitorName: { type: "string", required: true },
        url: { type: "string", required: true },
        alertEmails: { type: "list", items: { type: "string" }, required: true },
        // The monitor's channel settings when the incident opened: its recovery goes where its alert went.
        channelIds: { type: "list", items: { type: "string" } },
        escalationChannelIds: { type: "list", items: { type: "string" } },
        remindEveryMin: { type: "number" },
        escalateAfterMin: { type: "number" },
        escalatedAt: { type: "number" },
        acknowledgedAt: { type: "number" },
        /** Who acknowledged: a member's email, an API key's name, or "link" for the one-click link in a message. */
        acknowledgedBy: { type: "string" },
      },
      indexes: {
        // one incident
        byId: { pk: { field: "pk", composite: ["incidentId"] }, sk: { field: "sk", composite: [] } },
        // a user's incidents across monitors, newest first with order desc
        byOwner: {
          index: "gsi1",
          pk: { field: "gsi1pk", composite: ["ownerId"] },
          sk: { field: "gsi1sk", composite: ["startedAt", "incidentId"] },
        },
        // a monitor's incidents by start
        byMonitor: {
          index: "gsi2",
          pk: { field: "gsi2pk", composite: ["monitorId"] },
          sk: { field: "gsi2sk", composite: ["startedAt"] },
        },
      },
    },
    entityOptions(),
  ),
);

export type IncidentItem = NonNullable<Awaited<ReturnType<ReturnType<typeof IncidentEntity.get>["go"]>>["data"]>;

export const Event = z.object({
  type: z.enum(["incident.opened", "incident.resolved"]),
  incidentId: z.string(),
  monitorId: z.string(),
  at: z.number(),
});
export type Event = z.infer<typeof Event>;

export const View = z.object({
  id: z.string(),
  monitorId: z.string(),
  monitorName: z.string(),
  status: z.enum(["open", "resolved"]),
  startedAt: z.string(),
  resolvedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  reason: z.string(),
  message: z.string().nullable(),
  /** Why the incident ended other than by recovery, e.g. "monitor_deleted"; null when it recovered or is open. */
  closedReason: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
});
export type View = z.infer<typeof View>;

export function toView(i: IncidentItem): View {
  return {
    id: i.incidentId,
    monitorId: i.monitorId,
    monitorName: i.monitorName,
    status: i.status,
    startedAt: new Date(i.startedAt).toISOString(),
    resolvedAt: i.resolvedAt ? new Date(i.resolvedAt).toISOString() : null,
    durationMs: i.durationMs ?? null,
    reason: i.reason,
    message: i.message ?? null,
    closedReason: i.closedReason ?? null,
    acknowledgedAt: i.acknowledgedAt ? new Date(i.acknowledgedAt).toISOString() : null,
    acknowledgedBy: i.acknowledgedBy ?? null,
  };
}

async function publish(event: Event) {
  // FIFO: one group per monitor keeps opened before resolved; the dedup id drops re-sends
  // within SQS's 5-minute window, and the alert side de-duplicates beyond it.
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: config().ALERTS_QUEUE_URL,
      MessageBody: JSON.stringify(event),
      MessageGroupId: event.monitorId,
      MessageDeduplicationId: `${event.incidentId}:${event.type}`,
    }),
  );
}

export async function get(incidentId: string): Promise<IncidentItem | undefined> {
  const { data } = await IncidentEntity.get({ incidentId }).go({ consistent: true });
  return data ?? undefined;
}

/**
 * Opens the incident the checker's rules named (CheckRules.nextStep). Every step is idempotent,
 * so a crash anywhere is repaired by redelivery. Undefined when another incident was open first.
 */
export async function open(
  monitor: MonitorItem,
  plan: { incidentId: string; startedAt: number; trigger: Result },
): Promise<IncidentItem | undefined> {
  const { incidentId, startedAt, trigger } = plan;
  const incident: IncidentItem = {
    incidentId,
    monitorId: monitor.monitorId,
    ownerId: monitor.ownerId,
    status: "open",
    startedAt,
    reason: trigger.reason ?? "error",
    message: trigger.message,
    monitorName: monitor.name,
    url: targetOf(monitor),
    alertEmails: monitor.alertEmails,
    channelIds: monitor.channelIds ?? [],
    escalationChannelIds: monitor.escalationChannelIds ?? [],
    remindEveryMin: monitor.remindEveryMin ?? 0,
    escalateAfterMin: monitor.escalateAfterMin ?? 0,
  };
  try {
    await IncidentEntity.create(incident).go({ response: "none" });
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  const marked = await markDown(monitor.monitorId, incidentId, trigger.at);
  if (marked === "other") {
    // Another check opened a different incident first; ours must not linger as open.
    await IncidentEntity.delete({ incidentId }).go();
    return undefined;
  }
  await Flapping.recordOpening(monitor.monitorId, incidentId, startedAt);
  await FollowUpAgenda.schedule(incident);
  await publish({ type: "incident.opened", incidentId, monitorId: monitor.monitorId, at: startedAt });
  return incident;
}

/** Resolves the incident the checker's rules found recovered, as of the first passing check of the streak. */
export async function resolve(monitorId: string, incidentId: string, recoveredAt: number): Promise<IncidentItem | undefined> {
  const incident = await get(incidentId);
  if (incident && incident.status === "open") {
    try {
      await IncidentEntity.patch({ incidentId })
        .set({ status: "resolved", resolvedAt: recoveredAt, durationMs: Math.max(0, recoveredAt - incident.startedAt) })
        .where((a, op) => op.eq(a.status, "open"))
        .go({ response: "none" });
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }
  await markUp(monitorId, incidentId, recoveredAt);
  // An incident closed because its monitor was deleted gets no recovery mail.
  if (incident?.closedReason) return get(incidentId);
  await publish({ type: "incident.resolved", incidentId, monitorId, at: recoveredAt });
  return get(incidentId);
}

/**
 * Ends an open incident that will never see a recovery (its monitor was deleted). No email:
 * nobody watches the site any more. The reason is kept so listings can say why it ended.
 */
export async function closeWithoutRecovery(incidentId: string, closedReason: string, at = Date.now()) {
  const incident = await get(incidentId);
  if (!incident || incident.status !== "open") return;
  try {
    await IncidentEntity.patch({ incidentId })
      .set({ status: "resolved", resolvedAt: at, durationMs: Math.max(0, at - incident.startedAt), closedReason })
      .where((a, op) => op.eq(a.status, "open"))
      .go({ response: "none" });
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

// a monitor's incidents, newest first
export async function listByMonitor(monitorId: string, opts: { since?: number; limit?: number; cursor?: string | null } = {}) {
  const q = IncidentEntity.query.byMonitor({ monitorId });
  const res = await (opts.since !== undefined ? q.gte({ startedAt: opts.since }) : q).go({
    order: "desc",
    limit: opts.limit ?? 50,
    cursor: opts.cursor ?? null,
  });
  return { data: res.data as IncidentItem[], cursor: res.cursor };
}
