export * as Subscribers from "./subscriber";

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { Entity, type EntityItem } from "electrodb";
import { z } from "zod";
import { sqs } from "../platform/aws";
import { config, jwtSecret } from "../platform/config";
import { LoginThrottle } from "../accounts/login-throttle";
import { VisibleError, isConditionalCheckFailed } from "../platform/errors";
import { Claim } from "../platform/claim";
import { Mail } from "../platform/mail";
import { UserText } from "../platform/user-text";
import { escapeHtml } from "../platform/html";
import { MailSuppression } from "../platform/mail-suppression";
import { RateLimit } from "../platform/rate-limit";
import { lazyEntity, entityOptions } from "../platform/table";
import { DAY, HOUR } from "../platform/time";
import { StatusPageEntity } from "./entity";
import { OrgGuard } from "../orgs/guard";
import { statusName } from "./shape";

/**
 * Email subscribers of a status page, with double opt-in: subscribing stores a `pending` item and
 * queues one confirmation mail; the mailed link opens a page whose POST button confirms (a GET
 * never does: mail scanners follow links). The id derives from page and address, so subscribing
 * twice is one subscriber. Links carry HMACs (JWT secret) instead of stored tokens: the confirm
 * link signs the request time (and expires), the manage/unsubscribe link signs the id.
 */
export const SubscriberEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "pageSubscriber", version: "1", service: "uptime" },
      attributes: {
        pageId: { type: "string", required: true },
        subscriberId: { type: "string", required: true },
        email: { type: "string", required: true },
        status: { type: ["pending", "confirmed", "unsubscribed"] as const, required: true },
        /** Only these components' news; absent = everything on the page. */
        componentIds: { type: "list", items: { type: "string" } },
        /** The confirmation request whose mail may go out; its time is signed into the link. */
        requestedAt: { type: "number" },
        /** The request whose mail was claimed (equals requestedAt once its mail is on its way). */
        mailedFor: { type: "number" },
        /** Which calls wrote requestedAt and mailedFor (platform/claim.ts): a retried write finds its own claim. */
        requestToken: { type: "string" },
        mailToken: { type: "string" },
        createdAt: { type: "number", required: true },
        changedAt: { type: "number", required: true },
      },
      indexes: {
        // a page's subscribers (in the page's partition)
        byPage: { pk: { field: "pk", composite: ["pageId"] }, sk: { field: "sk", composite: ["subscriberId"] } },
      },
    },
    entityOptions(),
  ),
);
export type SubscriberItem = EntityItem<typeof SubscriberEntity>;

export const Email = z.string().trim().toLowerCase().max(254).pipe(z.email());

export const SubscribeInput = z.object({ email: Email, componentIds: z.array(z.string().min(1).max(100)).max(200).optional() });
export type SubscribeInput = z.input<typeof SubscribeInput>;

export const idOf = (pageId: string, email: string) => createHash("sha256").update(`${pageId}\n${email}`).digest("hex").slice(0, 32);

async function sign(...parts: (string | number)[]) {
  return createHmac("sha256", await jwtSecret()).update(`status-page-subscriber\n${parts.join("\n")}`).digest("base64url");
}
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export const manageToken = (subscriberId: string) => sign("manage", subscriberId);
export const confirmToken = (subscriberId: string, requestedAt: number) => sign("confirm", subscriberId, requestedAt);

/** Sent through the alerts queue: only the alert function sends mail. */
export const ConfirmationRequested = z.object({
  type: z.literal("subscriber.confirmation"),
  pageId: z.string(),
  subscriberId: z.string(),
  requestedAt: z.number(),
});
export type ConfirmationRequested = z.infer<typeof ConfirmationRequested>;

export async function get(pageId: string, subscriberId: string) {
  return (await SubscriberEntity.get({ pageId, subscriberId }).go({ consistent: true })).data ?? undefined;
}

export async function publish(body: { type: string; pageId: string; [more: string]: unknown }, dedupKey: string) {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: config().ALERTS_QUEUE_URL,
      MessageBody: JSON.stringify(body),
      MessageGroupId: `page:${body.pageId}`,
      MessageDeduplicationId: createHash("sha256").update(dedupKey).digest("hex"),
    }),
  );
}

const tooMany = (retryAfterSec: number) =>
  new VisibleError("rate_limited", "too_many_subscriptions", `Too many subscription requests; try again in ${retryAfterSec} seconds`, undefined, retryAfterSec);

/**
 * The budgets one confirmation mail is taken from: the address's per day over all pages, the page's,
 * its organisation's and the account's that created the organisation, per hour. The form mails
 * addresses anyone may type, and the mail carries the page's title: without these a page is a relay.
 */
async function takeConfirmationBudgets(pageId: string, email: string, now: number) {
  const c = config();
  const address = await RateLimit.take(`subscribe-mail-to:${createHash("sha256").update(email).digest("hex")}`, c.SUBSCRIBE_MAILS_ADDRESS_PER_DAY, DAY, now);
  if (!address.ok) throw tooMany(address.retryAfterSec);
  const page = await RateLimit.take(`subscribe-mail-page:${pageId}`, c.SUBSCRIBE_MAILS_PAGE_PER_HOUR, HOUR, now);
  if (!page.ok) throw tooMany(page.retryAfterSec);
  const { data } = await StatusPageEntity.get({ pageId }).go({ attributes: ["orgId"] });
  if (!data) throw tooMany(60);
  const org = await RateLimit.take(`subscribe-mail-org:${data.orgId}`, c.SUBSCRIBE_MAILS_ORG_PER_HOUR, HOUR, now);
  if (!org.ok) throw tooMany(org.retryAfterSec);
  const account = await RateLimit.take(`subscribe-mail-account:${await OrgGuard.accountOf(data.orgId)}`, c.SUBSCRIBE_MAILS_ACCOUNT_PER_HOUR, HOUR, now);
  if (!account.ok) throw tooMany(account.retryAfterSec);
}

/**
 * A visitor asks for updates. Always answers the same (whether the address is new, pending,
 * confirmed or suppressed), so the form reveals nothing about who subscribes. At most one
 * confirmation mail per address and RECIPIENT_RESEND_HOURS, SUBSCRIBE_CLIENT_PER_HOUR form posts per
 * client over all pages, and the mail budgets of takeConfirmationBudgets: past one, the request is
 * undone and answered 429.
 */
export async function subscribe(pageId: string, input: SubscribeInput, now = Date.now(), clientIp?: string): Promise<void> {
  const { email, componentIds } = SubscribeInput.parse(input);
  if (clientIp) {
    const client = await RateLimit.take(`subscribe-client:${LoginThrottle.clientKey(clientIp)}`, config().SUBSCRIBE_CLIENT_PER_HOUR, HOUR, now);
    if (!client.ok) throw tooMany(client.retryAfterSec);
  }
  if (await MailSuppression.isSuppressed(email)) return;
  const subscriberId = idOf(pageId, email);
  const cutoff = now - config().RECIPIENT_RESEND_HOURS * HOUR;
  const requested = await Claim.create(
    async (requestToken) => {
      try {
        await SubscriberEntity.create({ pageId, subscriberId, email, status: "pending", componentIds, requestedAt: now, requestToken, createdAt: now, changedAt: now }).go({ response: "none" });
        return;
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
      }
      let op = SubscriberEntity.patch({ pageId, subscriberId }).set({ status: "pending", requestedAt: now, requestToken, changedAt: now, ...(componentIds && { componentIds }) });
      if (!componentIds) op = op.remove(["componentIds"]);
      await op
        .where((a, o) => `${o.ne(a.status, "confirmed")} AND (${o.notExists(a.requestedAt)} OR ${o.lte(a.requestedAt, cutoff)})`)
        .go({ response: "none" });
    },
    async () => (await SubscriberEntity.get({ pageId, subscriberId }).go({ consistent: true })).data?.requestToken,
  );
  if (!requested) return; // confirmed already, or asked recently
  try {
    await takeConfirmationBudgets(pageId, email, now);
  } catch (err) {
    // This request sends nothing: the address may ask again as soon as the budgets allow.
    await SubscriberEntity.patch({ pageId, subscriberId })
      .remove(["requestedAt"])
      .where((a, o) => o.eq(a.requestedAt, now))
      .go({ response: "none" })
      .catch((e) => {
        if (!isConditionalCheckFailed(e)) throw e;
      });
    throw err;
  }
  await publish({ type: "subscriber.confirmation", pageId, subscriberId, requestedAt: now } satisfies ConfirmationRequested, `confirm\n${subscriberId}\n${now}`);
}

/** Sends one request's confirmation mail, once: claimed (mailedFor) first, released only if SES refuses. */
export async function sendConfirmation(event: ConfirmationRequested): Promise<"sent" | "stale" | "suppressed"> {
  const { pageId, subscriberId, requestedAt } = event;
  let sub: { email?: string; mailToken?: string } | undefined;
  const claimed = await Claim.create(
    async (mailToken) => {
      sub = (
        await SubscriberEntity.patch({ pageId, subscriberId })
          .set({ mailedFor: requestedAt, mailToken })
          .where((a, o) => `${o.eq(a.status, "pending")} AND ${o.eq(a.requestedAt, requestedAt)} AND (${o.notExists(a.mailedFor)} OR ${o.ne(a.mailedFor, requestedAt)})`)
          .go({ response: "all_new" })
      ).data;
    },
    async () => (sub = (await SubscriberEntity.get({ pageId, subscriberId }).go({ consistent: true })).data ?? undefined)?.mailToken,
  );
  if (!claimed || !sub) return "stale";
  if (await MailSuppression.isSuppressed(sub.email!)) return "suppressed";
  const { data: page } = await StatusPageEntity.get({ pageId }).go();
  if (!page) return "stale";
  const link = Mail.publicLink(`status/${page.slug}/subscription/confirm?s=${subscriberId}&t=${await confirmToken(subscriberId, requestedAt)}`);
  // The page's title is its owner's words, and the address typed by anyone: quoted, short, never a link.
  const text = [
    `Someone (hopefully you) asked for email updates from the ${UserText.quoted(statusName(page.title))} page.`,
    "Nothing is sent until you confirm. To confirm, open this link and press the button:",
    link,
    `The link works for ${config().RECIPIENT_TOKEN_TTL_DAYS} days. If you did not ask for this, ignore this email.`,
  ].join("\n");
  try {
    await Mail.send({ to: sub.email!, subject: `Confirm your subscription to ${UserText.quoted(statusName(page.title))}`, text, html: paragraphs(text, link) });
  } catch (err) {
    await SubscriberEntity.patch({ pageId, subscriberId }).remove(["mailedFor"]).go({ response: "none" });
    throw err;
  }
  return "sent";
}

/** A plain-text mail as HTML, escaped; only the line that is our own `link` becomes a link, never user text. */
export const paragraphs = (text: string, link: string) =>
  `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#101828">${text
    .split("\n")
    .map((l) => `<p>${l === link ? `<a href="${escapeHtml(link)}">${escapeHtml(link)}</a>` : escapeHtml(l)}</p>`)
    .join("")}</body></html>`;

/** Whether a confirm link is genuine and current: signed for the subscriber's latest request, not expired. */
export async function checkConfirmLink(pageId: string, subscriberId: string, token: string, now = Date.now()) {
  const sub = await get(pageId, subscriberId);
  if (!sub || sub.requestedAt === undefined || now - sub.requestedAt > config().RECIPIENT_TOKEN_TTL_DAYS * DAY) return undefined;
  if (!same(token, await confirmToken(subscriberId, sub.requestedAt))) return undefined;
  return sub;
}

/** The POST behind the confirm page's button. */
export async function confirm(pageId: string, subscriberId: string, token: string, now = Date.now()) {
  const sub = await checkConfirmLink(pageId, subscriberId, token, now);
  if (!sub) return undefined;
  if (sub.status === "pending") {
    await SubscriberEntity.patch({ pageId, subscriberId }).set({ status: "confirmed", changedAt: now }).go({ response: "none" });
  }
  return { ...sub, status: sub.status === "pending" ? ("confirmed" as const) : sub.status };
}

/** The subscriber a manage or unsubscribe link names, if the link is genuine. */
export async function fromManageLink(pageId: string, subscriberId: string, token: string) {
  if (!/^[0-9a-f]{32}$/.test(subscriberId) || !same(token, await manageToken(subscriberId))) return undefined;
  return get(pageId, subscriberId);
}

export async function unsubscribe(pageId: string, subscriberId: string, token: string, now = Date.now()) {
  const sub = await fromManageLink(pageId, subscriberId, token);
  if (!sub) return undefined;
  if (sub.status !== "unsubscribed") {
    await SubscriberEntity.patch({ pageId, subscriberId }).set({ status: "unsubscribed", changedAt: now }).remove(["requestedAt", "mailedFor"]).go({ response: "none" });
  }
  return sub;
}

/** From the manage page: which components to hear about (none chosen = everything). */
export async function choose(pageId: string, subscriberId: string, token: string, componentIds: string[], now = Date.now()) {
  const sub = await fromManageLink(pageId, subscriberId, token);
  if (!sub || sub.status !== "confirmed") return undefined;
  const op = SubscriberEntity.patch({ pageId, subscriberId }).set({ changedAt: now });
  await (componentIds.length ? op.set({ componentIds }) : op.remove(["componentIds"])).go({ response: "none" });
  return { ...sub, componentIds: componentIds.length ? componentIds : undefined };
}

// a page's confirmed subscribers, a page of them at a time
export async function confirmedOf(pageId: string, cursor: string | null, limit = 100) {
  const res = await SubscriberEntity.query
    .byPage({ pageId })
    .where((a, o) => o.eq(a.status, "confirmed"))
    .go({ cursor, limit, attributes: ["subscriberId", "componentIds"] });
  return { data: res.data, cursor: res.cursor };
}

/** What a page's admin sees: how many confirmed subscribers, never who. */
export async function count(pageId: string): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  do {
    const page: { data: unknown[]; cursor: string | null } = await SubscriberEntity.query
      .byPage({ pageId })
      .where((a, o) => o.eq(a.status, "confirmed"))
      .go({ cursor, attributes: ["subscriberId"] });
    n += page.data.length;
    cursor = page.cursor;
  } while (cursor);
  return n;
}
