export * as MonitorNotice from "./notice";

import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { Entity } from "electrodb";
import { z } from "zod";
import { Delivery } from "../channels/delivery";
import type { Payload, Type } from "../channels/event";
import type { MonitorItem } from "../monitors/entity";
import { MonitorRead } from "../monitors/read";
import { sqs } from "../platform/aws";
import { Claim } from "../platform/claim";
import { config } from "../platform/config";
import { Mail } from "../platform/mail";
import { lazyEntity, entityOptions } from "../platform/table";
import { DAY } from "../platform/time";
import { UserText } from "../platform/user-text";
import { AlertCaps } from "./caps";
import { AlertRecipient } from "./recipients";

/**
 * Notices about a monitor that are not incidents: it turned degraded (check/rules.ts), or its
 * certificate expires soon (check/cert-expiry.ts). Each has a deterministic id, so the checker may
 * publish it more than once: every recipient is claimed (Claim.create) before its mail, and every
 * channel delivery is keyed by the id, so each goes out once.
 */

export const KINDS = ["degraded", "cert_expiry"] as const;

export const Event = z.object({
  type: z.literal("monitor.notice"),
  kind: z.enum(KINDS),
  /** Names the notice: `${monitorId}.degraded.${since}` or `${monitorId}.cert.${certificate}.${threshold}`. */
  noticeId: z.string(),
  monitorId: z.string(),
  at: z.number(),
  degraded: z.object({ since: z.number(), latencyMs: z.number(), aboveMs: z.number(), checks: z.number() }).optional(),
  certificate: z.object({ daysLeft: z.number(), threshold: z.number(), expiresAt: z.number().optional() }).optional(),
});
export type Event = z.infer<typeof Event>;

/** One item per (notice, recipient): claimed before the mail goes, like an incident's notifications. */
export const NoticeMailEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "noticeMail", version: "1", service: "uptime" },
      attributes: {
        noticeId: { type: "string", required: true },
        recipient: { type: "string", required: true },
        status: { type: ["sending", "sent", "skipped"] as const, required: true },
        reason: { type: "string" },
        claimToken: { type: "string" },
        claimedAt: { type: "number", required: true },
        // a notice is news for days, not for the result retention period
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // the mails of one notice
        byNotice: { pk: { field: "pk", composite: ["noticeId"] }, sk: { field: "sk", composite: ["recipient"] } },
      },
    },
    entityOptions(),
  ),
);

export async function publish(event: Event) {
  // FIFO, in the monitor's group: the dedup id drops re-sends within SQS's window, the claims beyond it.
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: config().ALERTS_QUEUE_URL,
      MessageBody: JSON.stringify(event),
      MessageGroupId: event.monitorId,
      MessageDeduplicationId: event.noticeId.slice(0, 128),
    }),
  );
}

const iso = (ms: number) => new Date(ms).toISOString();
const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;

/** The channel event a notice becomes. */
function channelNotice(event: Event): { type: Type; data: Partial<Payload["data"]> } {
  if (event.kind === "degraded") {
    const d = event.degraded!;
    return { type: "monitor.degraded", data: { degraded: { since: iso(d.since), latencyMs: d.latencyMs, aboveMs: d.aboveMs, checks: d.checks } } };
  }
  const c = event.certificate!;
  return {
    type: "monitor.certificate_expiring",
    data: { certificate: { daysLeft: c.daysLeft, threshold: c.threshold, expiresAt: c.expiresAt === undefined ? null : iso(c.expiresAt) } },
  };
}

export function renderEmail(monitor: Pick<MonitorItem, "name" | "url">, event: Event) {
  const name = UserText.short(monitor.name);
  const utc = (ms: number) => iso(ms).replace("T", " ").replace(/\.\d{3}Z$/, " UTC");
  let subject: string;
  let lines: string[];
  if (event.kind === "degraded") {
    const d = event.degraded!;
    subject = `[DEGRADED] ${name} is slow`;
    lines = [
      `${UserText.quoted(monitor.name)} is DEGRADED: its last ${d.checks} checks passed but took longer than ${d.aboveMs} ms.`,
      "",
      `URL: ${UserText.defang(monitor.url)}`,
      `Last response: ${d.latencyMs} ms`,
      `Slow since: ${utc(d.since)}`,
    ];
  } else {
    const c = event.certificate!;
    subject = `[CERTIFICATE] ${name}: certificate expires in ${days(c.daysLeft)}`;
    lines = [
      `The TLS certificate of ${UserText.quoted(monitor.name)} expires in ${days(c.daysLeft)}.`,
      "",
      `URL: ${UserText.defang(monitor.url)}`,
      ...(c.expiresAt !== undefined ? [`Expires: ${utc(c.expiresAt)}`] : []),
      `Warning: ${days(c.threshold)} before expiry (one warning per threshold; a renewed certificate starts again)`,
    ];
  }
  const text = lines.join("\n");
  return { subject, text, html: AlertCaps.paragraphs(text) };
}

async function claim(noticeId: string, recipient: string, reason: string | undefined, now: number) {
  const key = { noticeId, recipient };
  return Claim.create(
    (claimToken) =>
      NoticeMailEntity.create({ ...key, status: reason ? "skipped" : "sending", ...(reason && { reason }), claimToken, claimedAt: now, expiresAt: Math.floor(now / 1000) + 30 * (DAY / 1000) }).go({
        response: "none",
      }),
    async () => (await NoticeMailEntity.get(key).go({ consistent: true })).data?.claimToken,
  );
}

/**
 * Mails the monitor's alert emails (as they are now) and tells its channels; safe to repeat.
 * A monitor deleted or paused since the check gets nothing.
 */
export async function handle(event: Event, now = Date.now()): Promise<{ sent: string[] }> {
  const sent: string[] = [];
  const monitor = await MonitorRead.get(event.monitorId);
  if (!monitor || monitor.paused) return { sent };
  const audience = await AlertRecipient.audienceOf(monitor.ownerId);
  const { subject, text, html } = renderEmail(monitor, event);
  for (const recipient of monitor.alertEmails) {
    const reason = audience.reasonToSkip(recipient);
    if (!(await claim(event.noticeId, recipient, reason, now)) || reason) continue;
    if (!(await AlertCaps.admit(monitor.ownerId, audience.ownerEmail, now))) {
      await NoticeMailEntity.patch({ noticeId: event.noticeId, recipient }).set({ status: "skipped", reason: "capped" }).go({ response: "none" });
      continue;
    }
    try {
      await Mail.send({ to: recipient, subject, text, html });
    } catch (err) {
      // only a refused send releases the claim, so the retried event tries again
      await NoticeMailEntity.delete({ noticeId: event.noticeId, recipient }).go();
      throw err;
    }
    await NoticeMailEntity.patch({ noticeId: event.noticeId, recipient }).set({ status: "sent" }).go({ response: "none" });
    sent.push(recipient);
  }
  await Delivery.fanOutNotice(monitor, { eventId: event.noticeId, at: event.at, ...channelNotice(event) });
  return { sent };
}
