export * as AlertRecipient from "./recipients";

import { createHash, randomBytes } from "node:crypto";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { Entity } from "electrodb";
import { z } from "zod";
import { User } from "../accounts/user";
import { OrgEntity } from "../orgs/entity";
import { Membership } from "../orgs/membership";
import { sqs } from "../platform/aws";
import { config } from "../platform/config";
import { isConditionalCheckFailed } from "../platform/errors";
import { Mail } from "../platform/mail";
import { UserText } from "../platform/user-text";
import { assertCursorFor, lazyEntity, entityOptions } from "../platform/table";
import { DAY, HOUR } from "../platform/time";
import { AlertCaps } from "./caps";
import { RateLimit } from "../platform/rate-limit";
import { OrgGuard } from "../orgs/guard";
import { Telemetry } from "../platform/telemetry";
import { Claim } from "../platform/claim";

/**
 * Double opt-in for alert addresses other than the account's own: one item per (account, address).
 * Keyed under the owner so it moves into organisations as it is. An address gets alert mail only
 * once `confirmed`; `declined` suppresses it for that account for good (no more confirmation mails).
 * `requestedAt` is the claim on the one confirmation mail per RECIPIENT_RESEND_HOURS.
 */
export const RecipientEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "alertRecipient", version: "1", service: "uptime" },
      attributes: {
        ownerId: { type: "string", required: true },
        email: { type: "string", required: true },
        status: { type: ["pending", "confirmed", "declined"] as const, required: true, default: "pending" },
        requestedAt: { type: "number" },
        /** The request whose mail was claimed (equals requestedAt once its mail is on its way). */
        mailedFor: { type: "number" },
        /** Which calls wrote requestedAt and mailedFor (platform/claim.ts): a retried write finds its own claim. */
        requestToken: { type: "string" },
        mailToken: { type: "string" },
        createdAt: { type: "number", required: true },
        changedAt: { type: "number" },
      },
      indexes: {
        // an account's alert addresses
        byOwner: { pk: { field: "pk", composite: ["ownerId"] }, sk: { field: "sk", composite: ["email"] } },
      },
    },
    entityOptions(),
  ),
);

/** A confirmation link's token, stored only as its SHA-256; deleted when used, expired by TTL. */
export const RecipientTokenEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "alertRecipientToken", version: "1", service: "uptime" },
      attributes: {
        tokenHash: { type: "string", required: true },
        ownerId: { type: "string", required: true },
        email: { type: "string", required: true },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // the recipient a confirmation link names
        byHash: { pk: { field: "pk", composite: ["tokenHash"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

export type Status = "pending" | "confirmed" | "declined";

/** Sent through the alerts queue: only the alert function may send mail. */
export const ConfirmationRequested = z.object({
  type: z.literal("recipient.confirmation"),
  ownerId: z.string(),
  email: z.string(),
  requestedAt: z.number(),
});
export type ConfirmationRequested = z.infer<typeof ConfirmationRequested>;

export const View = z.object({
  email: z.string(),
  status: z.enum(["pending", "confirmed", "declined"]),
  confirmationSentAt: z.string().nullable(),
  changedAt: z.string().nullable(),
});
export type View = z.infer<typeof View>;

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");
const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

// ---------- asking ----------

/** Claims the one confirmation request per address and RECIPIENT_RESEND_HOURS; false when not due. */
async function claimRequest(ownerId: string, email: string, now: number): Promise<boolean> {
  const cutoff = now - config().RECIPIENT_RESEND_HOURS * HOUR;
  return Claim.create(
    async (requestToken) => {
      try {
        await RecipientEntity.create({ ownerId, email, status: "pending", requestedAt: now, requestToken, createdAt: now }).go({ response: "none" });
        return;
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
      }
      await RecipientEntity.patch({ ownerId, email })
        .set({ requestedAt: now, requestToken })
        .where((a, op) => `${op.eq(a.status, "pending")} AND (${op.notExists(a.requestedAt)} OR ${op.lte(a.requestedAt, cutoff)})`)
        .go({ response: "none" });
    },
    async () => (await RecipientEntity.get({ ownerId, email }).go({ consistent: true })).data?.requestToken,
  );
}

/**
 * Called when a monitor is saved: each address that is neither a member's of the organisation
 * nor answered gets a confirmation mail, at most once per RECIPIENT_RESEND_HOURS however often
 * monitors are saved. Never fails the save: a request that could not be queued is released for the next save.
 */
export async function requestConfirmations(ownerId: string, ownerEmail: string | undefined, emails: readonly string[], now = Date.now()) {
  const unique = [...new Set(emails)].filter((e) => e !== ownerEmail);
  if (!unique.length) return;
  const [owner, members] = await Promise.all([ownerEmail ? undefined : User.get(ownerId), Membership.emailsOf(ownerId)]);
  const others = unique.filter((e) => e !== owner?.email && !members.has(e));
  const release = (email: string) =>
    RecipientEntity.patch({ ownerId, email })
      .remove(["requestedAt"])
      .where((a, op) => op.eq(a.requestedAt, now))
      .go({ response: "none" })
      .catch(() => undefined);
  await Promise.all(
    others.map(async (email) => {
      try {
        if (!(await claimRequest(ownerId, email, now))) return;
        // However many organisations one account creates (each keeps its own answer), an address hears from
        // them at most once per RECIPIENT_RESEND_HOURS; a later save of this organisation asks again.
        const spacing = `recipient-confirmation-to:${await OrgGuard.accountOf(ownerId)}:${hashOf(email)}`;
        if (!(await RateLimit.spaced(spacing, config().RECIPIENT_RESEND_HOURS * HOUR, now)).ok) return release(email);
        await publish({ type: "recipient.confirmation", ownerId, email, requestedAt: now });
      } catch (err) {
        Telemetry.log.error("confirmation not requested", { ownerId, error: String(err) });
        await release(email);
      }
    }),
  );
}

async function publish(event: ConfirmationRequested) {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: config().ALERTS_QUEUE_URL,
      MessageBody: JSON.stringify(event),
      MessageGroupId: `recipients:${event.ownerId}`,
      // At most 128 characters; an address alone may be 254.
      MessageDeduplicationId: hashOf(`${event.ownerId}\n${event.email}\n${event.requestedAt}`),
    }),
  );
}

/**
 * Sends the confirmation mail of one request, exactly once: the request is claimed (mailedFor)
 * before sending and released only if SES refuses. A newer request or an answer makes it stale.
 */
export async function sendConfirmation(event: ConfirmationRequested, now = Date.now()): Promise<"sent" | "stale" | "capped"> {
  const { ownerId, email, requestedAt } = event;
  const claimed = await Claim.create(
    (mailToken) =>
      RecipientEntity.patch({ ownerId, email })
        .set({ mailedFor: requestedAt, mailToken })
        .where((a, op) => `${op.eq(a.status, "pending")} AND ${op.eq(a.requestedAt, requestedAt)} AND (${op.notExists(a.mailedFor)} OR ${op.ne(a.mailedFor, requestedAt)})`)
        .go({ response: "none" }),
    async () => (await RecipientEntity.get({ ownerId, email }).go({ consistent: true })).data?.mailToken,
  );
  if (!claimed) return "stale";
  const owner = await User.get(ownerId);
  if (!(await AlertCaps.admit(ownerId, owner?.email, now))) return "capped";
  const token = randomBytes(32).toString("base64url");
  await Claim.createFresh(() => RecipientTokenEntity.create({
    tokenHash: hashOf(token),
    ownerId,
    email,
    expiresAt: Math.ceil((now + config().RECIPIENT_TOKEN_TTL_DAYS * DAY) / 1000),
  }).go({ response: "none" }));
  try {
    // A personal organisation asks as its user's address; a team organisation by its name.
    const asker = owner ? `account ${UserText.quoted(owner.email)}` : `organisation ${UserText.quoted((await OrgEntity.get({ orgId: ownerId }).go()).data?.name ?? "(deleted)")}`;
    await Mail.send({ to: email, ...renderConfirmationMail(asker, token) });
  } catch (err) {
    await RecipientEntity.patch({ ownerId, email }).remove(["mailedFor"]).go({ response: "none" });
    throw err;
  }
  return "sent";
}

export function renderConfirmationMail(asker: string, token: string) {
  const link = Mail.publicLink(`v1/alert-recipients/confirm?token=${encodeURIComponent(token)}`);
  const subject = "Confirm that you want alert emails from Uptime";
  const text = [
    `The Uptime ${asker} wants to send alert emails (site down / recovered) to this address.`,
    "Nothing is sent until you confirm. To confirm, or to tell us never to send you these, open:",
    link,
    `The link works once, for ${config().RECIPIENT_TOKEN_TTL_DAYS} days. If you do not know this ${asker.split(" ")[0]}, ignore this email or decline.`,
  ].join("\n");
  return { subject, text, html: AlertCaps.paragraphs(text) };
}

// ---------- answering ----------

export interface Pending {
  ownerId: string;
  email: string;
  ownerEmail?: string;
}

/** What a confirmation link names, without using it up (a GET must not confirm: mail scanners follow links). */
export async function lookup(token: string, now = Date.now()): Promise<Pending | undefined> {
  if (!token || token.length > 100) return undefined;
  const { data } = await RecipientTokenEntity.get({ tokenHash: hashOf(token) }).go({ consistent: true });
  if (!data || data.expiresAt * 1000 <= now) return undefined;
  return { ownerId: data.ownerId, email: data.email, ownerEmail: (await User.get(data.ownerId))?.email };
}

/** Uses a confirmation link: confirms the address, or declines (suppresses) it for that account. */
export async function answer(token: string, action: "confirm" | "decline", now = Date.now()): Promise<Pending | undefined> {
  if (!token || token.length > 100) return undefined;
  let used;
  try {
    // Single use: the delete that finds the item is the one that counts.
    used = (await RecipientTokenEntity.delete({ tokenHash: hashOf(token) }).where((a, op) => op.exists(a.tokenHash)).go({ response: "all_old" })).data;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return undefined;
    throw err;
  }
  if (!used || used.expiresAt * 1000 <= now) return undefined;
  await RecipientEntity.patch({ ownerId: used.ownerId, email: used.email })
    .set({ status: action === "confirm" ? "confirmed" : "declined", changedAt: now })
    .go({ response: "none" });
  return { ownerId: used.ownerId, email: used.email };
}

// ---------- reading ----------

/**
 * Who may get alert mail of an organisation right now: its members' addresses (for a personal
 * organisation made before organisations existed, its user's), and the addresses that confirmed.
 * Read once per notification, never per check.
 */
export async function audienceOf(ownerId: string): Promise<{ ownerEmail?: string; reasonToSkip(email: string): "unconfirmed" | "declined" | undefined }> {
  const [owner, statuses, members] = await Promise.all([User.get(ownerId), statusesOf(ownerId), Membership.emailsOf(ownerId)]);
  return {
    ownerEmail: owner?.email ?? [...members].find(([, role]) => role === "owner")?.[0],
    reasonToSkip(email) {
      if (email === owner?.email || members.has(email)) return undefined;
      const s = statuses.get(email);
      return s === "confirmed" ? undefined : s === "declined" ? "declined" : "unconfirmed";
    },
  };
}

async function statusesOf(ownerId: string): Promise<Map<string, Status>> {
  const out = new Map<string, Status>();
  let cursor: string | null = null;
  do {
    const page: { data: { email: string; status: Status }[]; cursor: string | null } = await RecipientEntity.query
      .byOwner({ ownerId })
      .go({ cursor, consistent: true, attributes: ["email", "status"] });
    for (const r of page.data) out.set(r.email, r.status);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

// an account's alert addresses and their answers, by address
export async function list(ownerId: string, opts: { limit?: number; cursor?: string | null } = {}) {
  const query = RecipientEntity.query.byOwner({ ownerId });
  assertCursorFor(opts.cursor, RecipientEntity, "byOwner", query.params());
  const res = await query.go({ limit: opts.limit ?? 50, cursor: opts.cursor ?? null });
  return {
    data: res.data.map(
      (r): View => ({ email: r.email, status: r.status, confirmationSentAt: iso(r.mailedFor), changedAt: iso(r.changedAt) }),
    ),
    cursor: res.cursor ?? null,
  };
}
