export * as MailRejection from "./mail-rejection";

import { Entity } from "electrodb";
import { lazyEntity, entityOptions } from "./table";

/**
 * Mails SES refused outright for a recipient: AccessDenied (in the sandbox SES also authorises the
 * recipient's identity, so an unverified recipient is refused), MessageRejected, or an address SES
 * will not take. Retrying cannot help, and a retried mail would hold its FIFO group for the
 * queue's whole redrive (5 × 180 s) before dead-lettering, so the refusal is recorded instead: one
 * item per recipient (the latest refusal), kept RETENTION_DAYS, and the mail counts as handled.
 * Unlike a suppression, it does not stop later mails: leaving the sandbox or verifying the
 * recipient makes them go through.
 */
export const MailRejectionEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "mailRejection", version: "1", service: "uptime" },
      attributes: {
        email: { type: "string", required: true },
        /** The SES error name, e.g. MessageRejected. */
        code: { type: "string", required: true },
        detail: { type: "string" },
        at: { type: "number", required: true },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // the latest refusal for one recipient
        byEmail: { pk: { field: "pk", composite: ["email"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

const RETENTION_DAYS = 30;
/** SES answers that no retry changes, for this recipient and message. */
const PERMANENT = new Set(["AccessDeniedException", "AccessDenied", "MessageRejected", "BadRequestException"]);

/** The SES error name when `err` is a permanent refusal of this mail, else undefined (retry). */
export function permanentCode(err: unknown): string | undefined {
  const name = (err as { name?: unknown } | null)?.name;
  return typeof name === "string" && PERMANENT.has(name) ? name : undefined;
}

const normal = (email: string) => email.trim().toLowerCase();

export async function record(email: string, code: string, detail: string, now = Date.now()) {
  await MailRejectionEntity.put({
    email: normal(email),
    code,
    detail: detail.slice(0, 500),
    at: now,
    expiresAt: Math.floor(now / 1000) + RETENTION_DAYS * 86400,
  }).go({ response: "none" });
}

// the latest refusal for one recipient, if any
export async function find(email: string) {
  const { data } = await MailRejectionEntity.get({ email: normal(email) }).go({ consistent: true });
  return data ?? undefined;
}
