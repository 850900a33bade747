export * as SubscriberMail from "./notify";

import { createHash } from "node:crypto";
import { Entity } from "electrodb";
import { z } from "zod";
import { isConditionalCheckFailed } from "../platform/errors";
import { Claim } from "../platform/claim";
import { escapeHtml } from "../platform/html";
import { Mail } from "../platform/mail";
import { UserText } from "../platform/user-text";
import { lazyEntity, entityOptions } from "../platform/table";
import { MaintenanceEntity, PostedIncidentEntity, StatusPageEntity, type MaintenanceItem, type PostedIncidentItem, type StatusPageItem, type Unannounced } from "./entity";
import { Subscribers } from "./subscriber";
import { inZone } from "./time-text";

/**
 * Subscriber emails, each exactly once per (event, subscriber) however often SQS delivers:
 * `notify` queues one fan-out message per event (FIFO, de-duplicated by the event), the fan-out
 * pages through the confirmed subscribers and queues deliveries of SUBSCRIBERS_PER_MESSAGE, and a
 * delivery claims a mail id derived from the event and the subscriber with a conditional create
 * before sending. As with alerts, only a refused send releases its claim.
 */

export const EVENT_KINDS = [
  "incident.created",
  "incident.updated",
  "incident.resolved",
  "maintenance.scheduled",
  "maintenance.started",
  "maintenance.completed",
  "maintenance.cancelled",
] as const satisfies readonly Unannounced["kind"][];

export const PageEvent = z.object({
  kind: z.enum(EVENT_KINDS),
  /** The incident's or the maintenance's id. */
  subjectId: z.string().min(1),
  /** The update this event is about: each update is news once. */
  updateId: z.string().min(1),
});
export type PageEvent = z.infer<typeof PageEvent>;

const SUBSCRIBERS_PER_MESSAGE = 50;
const CLAIM_TTL_SEC = 30 * 86_400;

export const FanOut = z.object({ type: z.literal("subscribers.fanout"), pageId: z.string(), event: PageEvent });
export const Deliver = z.object({ type: z.literal("subscribers.deliver"), pageId: z.string(), event: PageEvent, subscriberIds: z.array(z.string()).max(SUBSCRIBERS_PER_MESSAGE) });
export const QueueMessage = z.discriminatedUnion("type", [FanOut, Deliver, Subscribers.ConfirmationRequested]);
export type QueueMessage = z.infer<typeof QueueMessage>;
/** Whether an alerts-queue message is one of ours (the alert consumer hands those here). */
export const isOurs = (body: unknown) => typeof body === "object" && body !== null && /^subscriber/.test(String((body as { type?: unknown }).type));

export const SubscriberMailEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "subscriberMail", version: "1", service: "uptime" },
      attributes: {
        mailId: { type: "string", required: true },
        pageId: { type: "string", required: true },
        subscriberId: { type: "string", required: true },
        status: { type: ["sending", "sent"] as const, required: true },
        messageId: { type: "string" },
        claimedAt: { type: "number", required: true },
        /** Which call claimed it (platform/claim.ts): a retried write finds its own claim. */
        claimToken: { type: "string" },
        /** Epoch seconds: a claim outlives any redelivery of its message by far. */
        expiresAt: { type: "number" },
      },
      indexes: {
        // one mail of one event to one subscriber
        byMailId: { pk: { field: "pk", composite: ["mailId"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

const eventKey = (pageId: string, e: PageEvent) => `${pageId}\n${e.kind}\n${e.subjectId}\n${e.updateId}`;
/** Deterministic: the same event to the same subscriber is always the same mail. */
export const mailIdOf = (pageId: string, e: PageEvent, subscriberId: string) => createHash("sha256").update(`${eventKey(pageId, e)}\n${subscriberId}`).digest("hex");

/** What the admin side calls after posting or changing an incident or maintenance. */
export async function notify(pageId: string, event: PageEvent) {
  const e = PageEvent.parse(event);
  await Subscribers.publish({ type: "subscribers.fanout", pageId, event: e }, `fanout\n${eventKey(pageId, e)}`);
}

export async function handle(message: QueueMessage) {
  if (message.type === "subscriber.confirmation") return Subscribers.sendConfirmation(message);
  if (message.type === "subscribers.fanout") return fanOut(message.pageId, message.event);
  return deliver(message.pageId, message.event, message.subscriberIds);
}

async function fanOut(pageId: string, event: PageEvent) {
  let cursor: string | null = null;
  let messages = 0;
  do {
    const page = await Subscribers.confirmedOf(pageId, cursor, SUBSCRIBERS_PER_MESSAGE);
    if (page.data.length) {
      const subscriberIds = page.data.map((s) => s.subscriberId);
      await Subscribers.publish({ type: "subscribers.deliver", pageId, event, subscriberIds } satisfies z.infer<typeof Deliver>, `deliver\n${eventKey(pageId, event)}\n${subscriberIds[0]}`);
      messages++;
    }
    cursor = page.cursor;
  } while (cursor);
  return { messages };
}

type Subject = { incident: PostedIncidentItem } | { maintenance: MaintenanceItem };

async function subjectOf(pageId: string, e: PageEvent): Promise<Subject | undefined> {
  if (e.kind.startsWith("incident.")) {
    const { data } = await PostedIncidentEntity.get({ pageId, incidentId: e.subjectId }).go({ consistent: true });
    return data ? { incident: data as PostedIncidentItem } : undefined;
  }
  const { data } = await MaintenanceEntity.get({ pageId, maintenanceId: e.subjectId }).go({ consistent: true });
  return data ? { maintenance: data as MaintenanceItem } : undefined;
}

const HEADLINE: Record<PageEvent["kind"], string> = {
  "incident.created": "New incident",
  "incident.updated": "Incident update",
  "incident.resolved": "Resolved",
  "maintenance.scheduled": "Maintenance scheduled",
  "maintenance.started": "Maintenance started",
  "maintenance.completed": "Maintenance completed",
  "maintenance.cancelled": "Maintenance cancelled",
};

export function render(page: StatusPageItem, e: PageEvent, subject: Subject, links: { page: string; manage: string; unsubscribe: string }) {
  const item = "incident" in subject ? subject.incident : subject.maintenance;
  const update = item.updates.find((u) => u.updateId === e.updateId) ?? item.updates[item.updates.length - 1]!;
  const at = inZone(page.timeZone);
  const when =
    ("maintenance" in subject ? `\nScheduled: ${at(subject.maintenance.startsAt)} to ${at(subject.maintenance.endsAt)}` : "") + `\nPosted: ${at(update.at)}`;
  // Titles are the page owner's words: short and defanged in the subject (after fixed tags), quoted in the body.
  const subject_ = `[${UserText.short(page.title)}] ${HEADLINE[e.kind]}: ${UserText.short(item.title)}`;
  const text = [
    `${HEADLINE[e.kind]}: ${UserText.quoted(item.title)}`,
    `Status: ${update.status.replace(/_/g, " ")}${when}`,
    "",
    update.message,
    "",
    `Status page: ${links.page}`,
    `Manage your subscription: ${links.manage}`,
    `Unsubscribe: ${links.unsubscribe}`,
  ].join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#101828">
<h2 style="margin:0 0 8px">${escapeHtml(HEADLINE[e.kind])}: ${escapeHtml(UserText.quoted(item.title))}</h2>
<p style="color:#475467;white-space:pre-line">Status: ${escapeHtml(update.status.replace(/_/g, " "))}${escapeHtml(when)}</p>
<p style="white-space:pre-line">${escapeHtml(update.message)}</p>
<p><a href="${escapeHtml(links.page)}">View the status page</a></p>
<p style="color:#667085;font-size:12px"><a href="${escapeHtml(links.manage)}">Manage your subscription</a> · <a href="${escapeHtml(links.unsubscribe)}">Unsubscribe</a></p>
</body></html>`;
  return { subject: subject_, text, html };
}

async function claim(mailId: string, pageId: string, subscriberId: string): Promise<boolean> {
  return Claim.create(
    (claimToken) =>
      SubscriberMailEntity.create({ mailId, pageId, subscriberId, status: "sending", claimedAt: Date.now(), claimToken, expiresAt: Math.ceil(Date.now() / 1000) + CLAIM_TTL_SEC }).go({ response: "none" }),
    async () => (await SubscriberMailEntity.get({ mailId }).go({ consistent: true })).data?.claimToken,
  );
}

async function deliver(pageId: string, event: PageEvent, subscriberIds: string[]) {
  const sent: string[] = [];
  const [{ data: page }, subject] = await Promise.all([StatusPageEntity.get({ pageId }).go(), subjectOf(pageId, event)]);
  if (!page || !subject) return { sent }; // deleted meanwhile: nothing to tell
  const item = "incident" in subject ? subject.incident : subject.maintenance;
  const pageLink = Mail.publicLink(`status/${page.slug}`);
  for (const subscriberId of subscriberIds) {
    const sub = await Subscribers.get(pageId, subscriberId);
    if (!sub || sub.status !== "confirmed") continue;
    if (sub.componentIds?.length && item.componentIds.length && !item.componentIds.some((id) => sub.componentIds!.includes(id))) continue;
    const mailId = mailIdOf(pageId, event, subscriberId);
    if (!(await claim(mailId, pageId, subscriberId))) continue;
    const token = await Subscribers.manageToken(subscriberId);
    const manage = Mail.publicLink(`status/${page.slug}/subscription?s=${subscriberId}&t=${token}`);
    const unsubscribe = Mail.publicLink(`status/${page.slug}/subscription/unsubscribe?s=${subscriberId}&t=${token}`);
    const mail = render(page, event, subject, { page: pageLink, manage, unsubscribe });
    let messageId: string | undefined;
    try {
      messageId = await Mail.send({
        to: sub.email,
        ...mail,
        headers: [
          { name: "List-Unsubscribe", value: `<${unsubscribe}>` },
          { name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click" },
          { name: "X-Uptime-Mail-Id", value: mailId },
        ],
      });
    } catch (err) {
      await SubscriberMailEntity.delete({ mailId }).go();
      throw err;
    }
    await SubscriberMailEntity.patch({ mailId }).set({ status: "sent", messageId }).go({ response: "none" });
    sent.push(subscriberId);
  }
  return { sent };
}
