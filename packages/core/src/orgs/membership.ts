export * as Membership from "./membership";

import { z } from "zod";
import { VisibleError, isConditionalCheckFailed } from "../platform/errors";
import { assertCursorFor } from "../platform/table";
import type { OrgAccess } from "./access";
import { Audit } from "./audit";
import { MembershipEntity, OrgEntity, type MembershipItem } from "./entity";
import { ROLES, type Role } from "./roles";

export { MembershipEntity, type MembershipItem };

export const View = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(ROLES),
  joinedAt: z.string(),
});
export type View = z.infer<typeof View>;

export const toView = (m: MembershipItem): View => ({
  userId: m.userId,
  email: m.email,
  name: m.name ?? null,
  role: m.role,
  joinedAt: new Date(m.joinedAt).toISOString(),
});

const memberNotFound = () => new VisibleError("not_found", "member_not_found", "No such member in this organisation");
const lastOwner = () =>
  new VisibleError("conflict", "last_owner", "An organisation always keeps at least one owner: make someone else owner first");
const ownersOnly = () => new VisibleError("forbidden", "forbidden", "Only an owner may grant, take away or remove ownership");
const changedMeanwhile = () => new VisibleError("conflict", "member_changed", "The membership changed meanwhile; read it again and retry");

/** The one read that authorises a request: strongly consistent, so a removal takes effect at once. */
export async function get(orgId: string, userId: string): Promise<MembershipItem | undefined> {
  const { data } = await MembershipEntity.get({ orgId, userId }).go({ consistent: true });
  return data ?? undefined;
}

/** Adds a member; 409 if the user already is one. Owners are only made by Org.create and promotions. */
export async function add(orgId: string, user: { userId: string; email: string; name?: string }, role: Role, now = Date.now()) {
  try {
    await MembershipEntity.create({ orgId, userId: user.userId, email: user.email, name: user.name, role, joinedAt: now }).go({ response: "none" });
  } catch (err) {
    if (isConditionalCheckFailed(err)) throw new VisibleError("conflict", "already_member", "This user is already a member of the organisation");
    throw err;
  }
}

// an organisation's members, a page at a time
export async function list(orgId: string, opts: { limit?: number; cursor?: string | null } = {}) {
  const query = MembershipEntity.query.byOrg({ orgId });
  assertCursorFor(opts.cursor, MembershipEntity, "byOrg", query.params());
  const res = await query.go({ limit: opts.limit ?? 50, cursor: opts.cursor ?? null, consistent: true });
  return { data: res.data.map(toView), cursor: res.cursor ?? null };
}

// every member's email of an organisation (alert audiences, invitation checks)
export async function emailsOf(orgId: string): Promise<Map<string, Role>> {
  const { data } = await MembershipEntity.query.byOrg({ orgId }).go({ pages: "all", consistent: true, attributes: ["email", "role"] });
  return new Map(data.map((m) => [m.email, m.role]));
}

// the organisations a user belongs to
export async function ofUser(userId: string): Promise<MembershipItem[]> {
  const { data } = await MembershipEntity.query.byUser({ userId }).go({ pages: "all" });
  return data;
}

/** Takes one off the owner count unless it is the last one: the "always an owner" guard. */
async function releaseOwner(orgId: string) {
  try {
    await OrgEntity.update({ orgId }).subtract({ ownerCount: 1 }).where((a, op) => op.gt(a.ownerCount, 1)).go({ response: "none" });
  } catch (err) {
    if (isConditionalCheckFailed(err)) throw lastOwner();
    throw err;
  }
}
const countOwner = (orgId: string) => OrgEntity.update({ orgId }).add({ ownerCount: 1 }).go({ response: "none" });

/**
 * Sets a role if it is still `from`. Promotions write the membership before counting the new
 * owner and demotions uncount before writing, so a crash in between leaves the count too low:
 * refusing a demotion that was allowed, never allowing the last owner to go.
 */
async function setRole(orgId: string, userId: string, from: Role, to: Role, now: number) {
  if (from === "owner") await releaseOwner(orgId);
  try {
    await MembershipEntity.patch({ orgId, userId }).set({ role: to, changedAt: now }).where((a, op) => op.eq(a.role, from)).go({ response: "none" });
  } catch (err) {
    if (from === "owner") await countOwner(orgId);
    if (isConditionalCheckFailed(err)) throw changedMeanwhile();
    throw err;
  }
  if (to === "owner") await countOwner(orgId);
}

/** Why `by` may not move a member from one role to another (or remove them: `to` undefined), if not. */
export function refusal(by: Role, from: Role, to?: Role): "forbidden" | undefined {
  if (by !== "owner" && by !== "admin") return "forbidden";
  if ((from === "owner" || to === "owner") && by !== "owner") return "forbidden";
  return undefined;
}

const actorRole = (access: OrgAccess): Role => {
  if (access.by.kind !== "user") throw new VisibleError("forbidden", "forbidden", "API keys cannot manage members");
  return access.by.role;
};

/** Admins manage admins, members and viewers; only owners grant or take away ownership. */
export async function changeRole(access: OrgAccess, userId: string, role: Role, now = Date.now()): Promise<View> {
  const by = actorRole(access);
  const target = await get(access.orgId, userId);
  if (!target) throw memberNotFound();
  if (refusal(by, target.role, role)) throw ownersOnly();
  if (target.role !== role) {
    await setRole(access.orgId, userId, target.role, role, now);
    await Audit.record(access, "member.role_change", { type: "member", id: userId }, { from: target.role, to: role }, now);
  }
  return toView({ ...target, role });
}

/** Removes a member (or the caller, which is leaving); the last owner can do neither. */
export async function remove(access: OrgAccess, userId: string, now = Date.now()) {
  const by = actorRole(access);
  const leaving = access.by.kind === "user" && access.by.userId === userId;
  // A personal organisation always keeps its user, so creating it on first use can never bring a removed owner back.
  if (userId === access.orgId) throw new VisibleError("conflict", "personal_org_owner", "The user of a personal organisation cannot leave it");
  const target = await get(access.orgId, userId);
  if (!target) throw memberNotFound();
  if (!leaving && refusal(by, target.role)) throw ownersOnly();
  if (target.role === "owner") await releaseOwner(access.orgId);
  try {
    await MembershipEntity.delete({ orgId: access.orgId, userId }).where((a, op) => op.eq(a.role, target.role)).go({ response: "none" });
  } catch (err) {
    if (target.role === "owner") await countOwner(access.orgId);
    if (isConditionalCheckFailed(err)) throw changedMeanwhile();
    throw err;
  }
  await Audit.record(access, leaving ? "member.leave" : "member.remove", { type: "member", id: userId }, { role: target.role, email: target.email }, now);
}

/** Makes another member owner and the caller an admin, in that order, so there is always an owner. */
export async function transfer(access: OrgAccess, userId: string, now = Date.now()): Promise<View> {
  if (actorRole(access) !== "owner") throw ownersOnly();
  const self = (access.by as { userId: string }).userId;
  if (userId === self) throw new VisibleError("invalid", "transfer_to_self", "Transfer ownership to another member");
  const target = await get(access.orgId, userId);
  if (!target) throw memberNotFound();
  if (target.role !== "owner") await setRole(access.orgId, userId, target.role, "owner", now);
  await setRole(access.orgId, self, "owner", "admin", now);
  await Audit.record(access, "org.transfer", { type: "member", id: userId }, { from: self }, now);
  return toView({ ...target, role: "owner" });
}

/**
 * Team organisations that would be left without an owner if this user's account went: those it is
 * the only owner of (whether or not others are members: an organisation nobody can reach would
 * keep checking its monitors for ever).
 */
export async function orgsOnlyOwnedBy(userId: string): Promise<string[]> {
  const owned = (await ofUser(userId)).filter((m) => m.role === "owner" && m.orgId !== userId);
  const orgs = await Promise.all(owned.map((m) => OrgEntity.get({ orgId: m.orgId }).go({ consistent: true, attributes: ["orgId", "ownerCount"] })));
  return orgs.flatMap((o) => (o.data && o.data.ownerCount <= 1 ? [o.data.orgId] : []));
}

/**
 * An account being deleted leaves every organisation (callers check orgsOnlyOwnedBy first); its
 * personal organisation is deleted behind the deletion fence (OrgDeletion.removePersonal).
 */
export async function leaveAll(userId: string) {
  for (const m of await ofUser(userId)) {
    if (m.role === "owner" && m.orgId !== userId) await releaseOwner(m.orgId);
    await MembershipEntity.delete({ orgId: m.orgId, userId }).go({ response: "none" });
  }
}

/** Members of a user's personal organisation other than the user (deleting the account is refused while there are any). */
export async function othersInPersonal(userId: string): Promise<string[]> {
  const { data } = await MembershipEntity.query.byOrg({ orgId: userId }).go({ pages: "all", consistent: true, attributes: ["userId"] });
  return data.map((m) => m.userId).filter((id) => id !== userId);
}
