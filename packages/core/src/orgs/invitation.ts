export * as Invitation from "./invitation";

import { createHash, randomBytes, randomUUID } from "node:crypto";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { z } from "zod";
import { Email, User } from "../accounts/user";
import { AlertCaps } from "../alert/caps";
import { sqs } from "../platform/aws";
import { config } from "../platform/config";
import { VisibleError, isConditionalCheckFailed } from "../platform/errors";
import { Mail } from "../platform/mail";
import { UserText } from "../platform/user-text";
import { assertCursorFor } from "../platform/table";
import { DAY } from "../platform/time";
import type { OrgAccess } from "./access";
import { Audit } from "./audit";
import { InvitationEntity, InvitationTokenEntity, OrgEntity, type InvitationItem } from "./entity";
import { Membership } from "./membership";
import { OrgGuard } from "./guard";
import { RateLimit } from "../platform/rate-limit";
import { actingUserId } from "./access";
import { Claim } from "../platform/claim";

export { InvitationEntity, InvitationTokenEntity };

/** Ownership is never given by email: an owner promotes a member once they have joined. */
export const InvitedRole = z.enum(["admin", "member", "viewer"]);
export const CreateInput = z.object({ email: Email, role: InvitedRole.default("member") });

export const View = z.object({
  id: z.string(),
  email: z.string(),
  role: InvitedRole,
  invitedBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  expired: z.boolean(),
  mailedAt: z.string().nullable(),
});
export type View = z.infer<typeof View>;

/** Sent through the alerts queue: the alert function is the one place that sends mail, once. */
export const MailRequested = z.object({ type: z.literal("invitation.mail"), orgId: z.string(), invitationId: z.string() });
export type MailRequested = z.infer<typeof MailRequested>;

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");
const iso = (ms: number) => new Date(ms).toISOString();
const MAX_TOKEN_LENGTH = 100;

const toView = (i: InvitationItem, now = Date.now()): View => ({
  id: i.invitationId,
  email: i.email,
  role: i.role as View["role"],
  invitedBy: i.invitedBy,
  createdAt: iso(i.createdAt),
  expiresAt: iso(i.validUntil),
  expired: i.validUntil <= now,
  mailedAt: i.mailedAt ? iso(i.mailedAt) : null,
});

// an organisation's invitations, pending or expired (accepted and revoked ones are gone)
export async function list(orgId: string, opts: { limit?: number; cursor?: string | null } = {}) {
  const query = InvitationEntity.query.byOrg({ orgId });
  assertCursorFor(opts.cursor, InvitationEntity, "byOrg", query.params());
  const res = await query.go({ limit: opts.limit ?? 50, cursor: opts.cursor ?? null, consistent: true });
  return { data: res.data.map((i) => toView(i)), cursor: res.cursor ?? null };
}

const tooMany = (retryAfterSec: number, what: string) =>
  new VisibleError("rate_limited", "too_many_invitations", `Too many invitations ${what} today; try again in ${retryAfterSec} seconds`, undefined, retryAfterSec);

/**
 * Takes an invitation from the inviter's daily budget (over all organisations; a key counts as its
 * creator) and from the invited address's (from anyone: revoking and inviting again counts too).
 */
async function takeInvitationBudgets(inviterId: string, email: string, now: number) {
  const c = config();
  const address = await RateLimit.take(`invitations-to:${email}`, c.INVITATIONS_PER_ADDRESS_PER_DAY, DAY, now);
  if (!address.ok) throw tooMany(address.retryAfterSec, "to this address");
  const inviter = await RateLimit.take(`invitations-by:${inviterId}`, c.INVITATIONS_PER_INVITER_PER_DAY, DAY, now);
  if (!inviter.ok) throw tooMany(inviter.retryAfterSec, "from your account");
}

/**
 * Invites an address; the mail goes out through the alerts queue. One pending invitation per address,
 * and the daily budgets of the inviter and the address.
 */
export async function create(access: OrgAccess, input: z.input<typeof CreateInput>, now = Date.now()): Promise<View> {
  const { email, role } = CreateInput.parse(input);
  await OrgGuard.enterCreate(access.orgId, now);
  const [members, pending] = await Promise.all([
    Membership.emailsOf(access.orgId),
    InvitationEntity.query.byOrg({ orgId: access.orgId }).go({ pages: "all", consistent: true }),
  ]);
  if (members.has(email)) throw new VisibleError("conflict", "already_member", "This address already belongs to a member");
  if (pending.data.some((i) => i.email === email && i.validUntil > now)) {
    throw new VisibleError("conflict", "already_invited", "This address already has a pending invitation: revoke it to invite again");
  }
  await takeInvitationBudgets(actingUserId(access), email, now);
  const validUntil = now + config().INVITATION_TTL_DAYS * DAY;
  const item: InvitationItem = {
    orgId: access.orgId,
    invitationId: randomUUID(),
    email,
    role,
    invitedBy: actingUserId(access),
    createdAt: now,
    validUntil,
    expiresAt: Math.ceil((validUntil + config().INVITATION_TTL_DAYS * DAY) / 1000),
  };
  await Claim.createFresh(() => InvitationEntity.create(item).go({ response: "none" }));
  if (await OrgGuard.deletionStarted(access.orgId)) {
    await InvitationEntity.delete({ orgId: item.orgId, invitationId: item.invitationId }).go();
    throw OrgGuard.refuseDeleting();
  }
  try {
    await publish({ type: "invitation.mail", orgId: item.orgId, invitationId: item.invitationId });
  } catch (err) {
    await InvitationEntity.delete({ orgId: item.orgId, invitationId: item.invitationId }).go();
    throw err;
  }
  await Audit.record(access, "invitation.create", { type: "invitation", id: item.invitationId }, { email, role }, now);
  return toView(item, now);
}

async function publish(event: MailRequested) {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: config().ALERTS_QUEUE_URL,
      MessageBody: JSON.stringify(event),
      MessageGroupId: `invitations:${event.orgId}`,
      MessageDeduplicationId: event.invitationId,
    }),
  );
}

/**
 * Sends an invitation's mail at most once: claimed before sending, released only if SES refuses;
 * mailedAt is set after SES took it, so a mail the hourly cap dropped never shows as sent. The
 * token exists only in the mail; we keep its hash.
 */
export async function sendMail(event: MailRequested, now = Date.now()): Promise<"sent" | "stale" | "capped"> {
  const key = { orgId: event.orgId, invitationId: event.invitationId };
  let invitation: InvitationItem | undefined;
  const claimed = await Claim.create(
    async (mailToken) => {
      const res = await InvitationEntity.patch(key)
        .set({ mailClaimedAt: now, mailToken })
        // Invitations mailed before the claim existed carry only mailedAt.
        .where((a, op) => `${op.notExists(a.mailClaimedAt)} AND ${op.notExists(a.mailedAt)} AND ${op.gt(a.validUntil, now)}`)
        .go({ response: "all_new" });
      invitation = res.data as InvitationItem;
    },
    async () => (invitation = ((await InvitationEntity.get(key).go({ consistent: true })).data ?? undefined) as InvitationItem | undefined)?.mailToken,
  );
  if (!claimed || !invitation) return "stale"; // revoked, expired or already mailed
  if (!(await AlertCaps.admit(event.orgId, undefined, now))) return "capped";
  const [org, inviter] = await Promise.all([OrgEntity.get({ orgId: event.orgId }).go(), User.get(invitation.invitedBy)]);
  const token = randomBytes(32).toString("base64url");
  const tokenHash = hashOf(token);
  await Claim.createFresh(() => InvitationTokenEntity.create({ tokenHash, ...key, expiresAt: invitation.expiresAt }).go({ response: "none" }));
  try {
    await InvitationEntity.patch(key).set({ tokenHash }).go({ response: "none" });
  } catch (err) {
    await InvitationTokenEntity.delete({ tokenHash }).go();
    if (isConditionalCheckFailed(err)) return "stale"; // revoked meanwhile
    throw err;
  }
  try {
    await Mail.send({ to: invitation.email, ...renderMail(org.data?.name ?? "an organisation", inviter?.email, invitation, token) });
  } catch (err) {
    await InvitationEntity.patch(key).remove(["mailClaimedAt", "tokenHash"]).go({ response: "none" });
    await InvitationTokenEntity.delete({ tokenHash }).go();
    throw err;
  }
  await InvitationEntity.patch(key)
    .set({ mailedAt: now })
    .go({ response: "none" })
    .catch((err) => {
      if (!isConditionalCheckFailed(err)) throw err; // revoked meanwhile: the mail went all the same
    });
  return "sent";
}

export function renderMail(orgName: string, inviterEmail: string | undefined, invitation: Pick<InvitationItem, "role" | "validUntil">, token: string) {
  const link = Mail.publicLink(`invitations/accept?token=${encodeURIComponent(token)}`);
  // The organisation's name and the inviter's address are the inviter's words: quoted, short, never a link.
  const name = UserText.quoted(orgName);
  const subject = `You are invited to join ${name} on Uptime`;
  const text = [
    `${inviterEmail ? `A member (${UserText.short(inviterEmail)})` : "A member"} invited you to join the organisation ${name} on Uptime as ${invitation.role}.`,
    "To accept, sign in (or create an account) with this email address and open:",
    link,
    `The link works once, until ${iso(invitation.validUntil).slice(0, 16).replace("T", " ")} UTC. If you did not expect this, ignore this email.`,
  ].join("\n");
  return { subject, text, html: AlertCaps.paragraphs(text) };
}

/** Revokes a pending invitation: its link stops working at once. */
export async function revoke(access: OrgAccess, invitationId: string, now = Date.now()) {
  let removed: InvitationItem | null;
  try {
    const res = await InvitationEntity.delete({ orgId: access.orgId, invitationId })
      .where((a, op) => op.exists(a.invitationId))
      .go({ response: "all_old" });
    removed = res.data as InvitationItem | null;
  } catch (err) {
    if (isConditionalCheckFailed(err)) removed = null;
    else throw err;
  }
  if (!removed) throw new VisibleError("not_found", "invitation_not_found", "No such invitation");
  if (removed.tokenHash) await InvitationTokenEntity.delete({ tokenHash: removed.tokenHash }).go();
  await Audit.record(access, "invitation.revoke", { type: "invitation", id: invitationId }, { email: removed.email }, now);
}

/** The invitation a token names, if this user may still accept it (the same refusals as `accept`). */
async function acceptable(user: { userId: string; email: string }, token: string, now: number) {
  const unknown = () => new VisibleError("not_found", "invitation_not_found", "This invitation link is unknown or was revoked");
  if (!token || token.length > MAX_TOKEN_LENGTH) throw unknown();
  const tokenHash = hashOf(token);
  const { data: link } = await InvitationTokenEntity.get({ tokenHash }).go({ consistent: true });
  if (!link) throw unknown();
  if (link.usedAt) throw new VisibleError("conflict", "invitation_used", "This invitation was already accepted");
  const { data: invitation } = await InvitationEntity.get({ orgId: link.orgId, invitationId: link.invitationId }).go({ consistent: true });
  if (!invitation) throw unknown();
  if (invitation.validUntil <= now) throw new VisibleError("invalid", "invitation_expired", "This invitation has expired: ask for a new one");
  if (invitation.email !== user.email) {
    throw new VisibleError("forbidden", "invitation_for_another_email", "This invitation is for another email address: sign in with the invited one");
  }
  if (await Membership.get(link.orgId, user.userId)) throw new VisibleError("conflict", "already_member", "You are already a member of this organisation");
  return { link, invitation, tokenHash };
}

export const Preview = z.object({
  orgId: z.string(),
  orgName: z.string(),
  role: InvitedRole,
  invitedBy: z.string().nullable().describe("The inviter's email (null once their account is gone)"),
  expiresAt: z.string(),
});
export type Preview = z.infer<typeof Preview>;

/** What accepting would do (which organisation, which role), so the accept screen can say it before the click. */
export async function preview(user: { userId: string; email: string }, token: string, now = Date.now()): Promise<Preview> {
  const { invitation } = await acceptable(user, token, now);
  const [{ data: org }, inviter] = await Promise.all([OrgEntity.get({ orgId: invitation.orgId }).go(), User.get(invitation.invitedBy)]);
  return {
    orgId: invitation.orgId,
    orgName: org?.name ?? "an organisation",
    role: invitation.role as z.infer<typeof InvitedRole>,
    invitedBy: inviter?.email ?? null,
    expiresAt: new Date(invitation.validUntil).toISOString(),
  };
}

/**
 * Accepts an invitation for the signed-in user, whose email must be the invited one. The token
 * is used up by a conditional write, so two accepts at once make one membership.
 */
export async function accept(user: { userId: string; sessionId: string; email: string; name?: string }, token: string, now = Date.now()) {
  const { link, invitation, tokenHash } = await acceptable(user, token, now);
  const key = { orgId: link.orgId, invitationId: link.invitationId };
  // A membership is a create in the organisation like any other: not once its deletion started.
  await OrgGuard.enterCreate(link.orgId, now);
  try {
    await InvitationTokenEntity.patch({ tokenHash }).set({ usedAt: now }).where((a, op) => op.notExists(a.usedAt)).go({ response: "none" });
  } catch (err) {
    if (isConditionalCheckFailed(err)) throw new VisibleError("conflict", "invitation_used", "This invitation was already accepted");
    throw err;
  }
  await Membership.add(link.orgId, user, invitation.role, now);
  await InvitationEntity.delete(key).go();
  const access: OrgAccess = { orgId: link.orgId, by: { kind: "user", userId: user.userId, email: user.email, sessionId: user.sessionId, role: invitation.role } };
  await Audit.record(access, "invitation.accept", { type: "invitation", id: invitation.invitationId }, { email: user.email, role: invitation.role }, now);
  return { orgId: link.orgId, role: invitation.role };
}
