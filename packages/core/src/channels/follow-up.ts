export * as FollowUp from "./follow-up";

import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { z } from "zod";
import { Incident, IncidentEntity, type IncidentItem } from "../incident/incident";
import { sqs } from "../platform/aws";
import { config } from "../platform/config";
import { VisibleError, isConditionalCheckFailed, notFound } from "../platform/errors";
import { nextReminderAt, reminderNumber } from "./agenda";
import { Delivery } from "./delivery";
import { FollowUpDueEntity } from "./entity";
import { Telemetry } from "../platform/telemetry";

/**
 * What happens to an open incident after its DOWN alert: reminders while nobody acknowledges,
 * escalation if nobody acknowledges in time, and the acknowledgement itself. Each reaches the
 * alerts queue as a message, so channel fan-out and caps stay in one consumer.
 */
export const Event = z.object({
  type: z.literal("incident.followup"),
  kind: z.enum(["reminder", "escalation", "acknowledged"]),
  incidentId: z.string(),
  monitorId: z.string(),
  seq: z.number().int().optional(),
  at: z.number(),
});
export type Event = z.infer<typeof Event>;

async function publish(e: Event) {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: config().ALERTS_QUEUE_URL,
      MessageBody: JSON.stringify(e),
      MessageGroupId: e.monitorId,
      MessageDeduplicationId: `${e.incidentId}:${e.kind}:${e.seq ?? 0}`,
    }),
  );
}

/** The alerts consumer's step for a follow-up: the incident as it is now, to its channels. */
export async function handle(e: Event) {
  const incident = await Incident.get(e.incidentId);
  if (!incident) return;
  if (e.kind !== "acknowledged" && (incident.status !== "open" || incident.acknowledgedAt)) return;
  return e.kind === "reminder" ? Delivery.fanOut(incident, { kind: "reminder", seq: e.seq ?? 1, at: e.at }) : Delivery.fanOut(incident, { kind: e.kind, at: e.at });
}

/**
 * The tick's step: one query for the follow-ups due by now. An entry is deleted only after its
 * message is queued (and the next reminder is on the agenda), so a failure retries next minute.
 */
export async function runDue(now = Date.now()): Promise<{ reminders: number; escalations: number }> {
  const { data: due } = await FollowUpDueEntity.query.byTime({}).between({ at: 0 }, { at: now }).go({ pages: "all" });
  const out = { reminders: 0, escalations: 0 };
  for (const entry of due) {
    try {
      const incident = await Incident.get(entry.incidentId);
      const live = incident && incident.status === "open" && !incident.acknowledgedAt;
      if (live && entry.kind === "reminder") {
        await publish({ type: "incident.followup", kind: "reminder", incidentId: entry.incidentId, monitorId: entry.monitorId, seq: reminderNumber(incident, entry.at), at: entry.at });
        await FollowUpDueEntity.put({ ...entry, at: nextReminderAt(incident, entry.at) }).go({ response: "none" });
        out.reminders++;
      }
      if (live && entry.kind === "escalation") {
        await IncidentEntity.patch({ incidentId: entry.incidentId }).set({ escalatedAt: entry.at }).go({ response: "none" });
        await publish({ type: "incident.followup", kind: "escalation", incidentId: entry.incidentId, monitorId: entry.monitorId, at: entry.at });
        out.escalations++;
      }
      await FollowUpDueEntity.delete({ at: entry.at, incidentId: entry.incidentId, kind: entry.kind }).go();
    } catch (err) {
      Telemetry.log.error("incident follow-up failed", { incidentId: entry.incidentId, error: String(err) });
    }
  }
  return out;
}

/**
 * Acknowledges an open incident: reminders and escalation stop, and its channels hear who took it.
 * Acknowledging again changes nothing and tells nobody.
 */
export async function acknowledge(incidentId: string, by: string, now = Date.now()): Promise<IncidentItem> {
  const incident = await Incident.get(incidentId);
  if (!incident) throw notFound("Incident");
  if (incident.acknowledgedAt) return incident;
  if (incident.status !== "open") throw new VisibleError("conflict", "incident_resolved", "The incident is already resolved");
  try {
    await IncidentEntity.patch({ incidentId })
      .set({ acknowledgedAt: now, acknowledgedBy: by })
      .where((a, op) => `${op.notExists(a.acknowledgedAt)} AND ${op.eq(a.status, "open")}`)
      .go({ response: "none" });
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    return (await Incident.get(incidentId))!;
  }
  await publish({ type: "incident.followup", kind: "acknowledged", incidentId, monitorId: incident.monitorId, at: now });
  return (await Incident.get(incidentId))!;
}
