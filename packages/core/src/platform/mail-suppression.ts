export * as MailSuppression from "./mail-suppression";

import { Entity } from "electrodb";
import { z } from "zod";
import { lazyEntity, entityOptions } from "./table";

/**
 * Addresses SES reported as bouncing (permanently) or complaining: nothing is mailed to them
 * again. One item per address, written from the SES feedback topic (stacks/Pipeline.ts) or, in
 * `npm start`, from `POST /local/ses/bounce`. Mail.send checks it before every mail.
 */
export const SuppressionEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "mailSuppression", version: "1", service: "uptime" },
      attributes: {
        email: { type: "string", required: true },
        reason: { type: ["bounce", "complaint"] as const, required: true },
        detail: { type: "string" },
        at: { type: "number", required: true },
      },
      indexes: {
        // whether an address is suppressed
        byEmail: { pk: { field: "pk", composite: ["email"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

const normal = (email: string) => email.trim().toLowerCase();

export async function isSuppressed(email: string): Promise<boolean> {
  const { data } = await SuppressionEntity.get({ email: normal(email) }).go({ consistent: true, attributes: ["email"] });
  return !!data;
}

export async function suppress(email: string, reason: "bounce" | "complaint", detail?: string, now = Date.now()) {
  await SuppressionEntity.put({ email: normal(email), reason, detail: detail?.slice(0, 500), at: now }).go({ response: "none" });
}

/**
 * The SES event notification (configuration-set event publishing, `eventType`, or identity
 * notifications, `notificationType`) as SNS delivers it. Only permanent bounces suppress: a
 * mailbox-full bounce is transient and SES retries it itself.
 */
export const SesNotification = z
  .object({
    eventType: z.string().optional(),
    notificationType: z.string().optional(),
    bounce: z.object({ bounceType: z.string(), bounceSubType: z.string().optional(), bouncedRecipients: z.array(z.object({ emailAddress: z.string() })) }).optional(),
    complaint: z.object({ complainedRecipients: z.array(z.object({ emailAddress: z.string() })), complaintFeedbackType: z.string().optional() }).optional(),
  })
  .passthrough();
export type SesNotification = z.infer<typeof SesNotification>;

/** Suppresses what one SES notification reports; the addresses suppressed. */
export async function record(n: SesNotification, now = Date.now()): Promise<string[]> {
  const kind = n.eventType ?? n.notificationType;
  const out: string[] = [];
  if (kind === "Bounce" && n.bounce?.bounceType === "Permanent") {
    for (const r of n.bounce.bouncedRecipients) {
      await suppress(r.emailAddress, "bounce", n.bounce.bounceSubType, now);
      out.push(normal(r.emailAddress));
    }
  }
  if (kind === "Complaint" && n.complaint) {
    for (const r of n.complaint.complainedRecipients) {
      await suppress(r.emailAddress, "complaint", n.complaint.complaintFeedbackType, now);
      out.push(normal(r.emailAddress));
    }
  }
  return out;
}
