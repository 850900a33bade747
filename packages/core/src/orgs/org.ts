export * as Org from "./org";

import { randomUUID } from "node:crypto";
import { z } from "zod";
import { VisibleError, isConditionalCheckFailed } from "../platform/errors";
import type { OrgAccess } from "./access";
import { Audit } from "./audit";
import { MembershipEntity, OrgEntity, type OrgItem } from "./entity";
import { OrgGuard } from "./guard";
import { UserText } from "../platform/user-text";
import { Membership } from "./membership";
import { PERMISSIONS, ROLES, roleCan, scopeCan, type Permission } from "./roles";
import { Claim } from "../platform/claim";

export { OrgEntity, type OrgItem };

/** Names land in invitation subjects: no control characters, as for monitor names. */
export const Name = z.string().trim().min(1).max(100).regex(UserText.ONE_LINE, UserText.ONE_LINE_MESSAGE);
export const CreateInput = z.object({ name: Name });
export const UpdateInput = z.object({ name: Name });

export const View = z.object({
  id: z.string(),
  name: z.string(),
  personal: z.boolean(),
  createdAt: z.string(),
});
export type View = z.infer<typeof View>;
/** One of the caller's organisations; `joinedAt` lets the app open the one they joined last on a new device. */
export const MineView = View.extend({ role: z.enum(ROLES), joinedAt: z.string() });
/** The organisation a request acts in, with what the caller may do there (the web app hides what it may not). */
export const CurrentView = View.extend({
  role: z.enum(ROLES),
  permissions: z.array(z.enum(Object.keys(PERMISSIONS) as [Permission, ...Permission[]])),
});

export async function current(access: OrgAccess): Promise<z.infer<typeof CurrentView>> {
  const org = toView(await get(access.orgId));
  const by = access.by;
  const permissions = (Object.keys(PERMISSIONS) as Permission[]).filter((p) => (by.kind === "user" ? roleCan(by.role, p) : scopeCan(by.scope, p)));
  // A key has a scope, not a role; it reads like a viewer and its permissions say the rest.
  return { ...org, role: by.kind === "user" ? by.role : "viewer", permissions };
}

export const toView = (o: OrgItem): View => ({ id: o.orgId, name: o.name, personal: o.personal, createdAt: new Date(o.createdAt).toISOString() });

const notFound = () => new VisibleError("not_found", "org_not_found", "No such organisation");

/**
 * A user's personal organisation (orgId = userId) and their owner membership. Idempotent, so it
 * runs at registration and again, lazily, for accounts made before organisations existed.
 */
export async function ensurePersonal(user: { userId: string; email: string; name?: string }, now = Date.now()) {
  const orgId = user.userId;
  await OrgEntity.create({ orgId, name: user.name ?? user.email, personal: true, ownerCount: 1, createdBy: user.userId, createdAt: now })
    .go({ response: "none" })
    .catch((err) => {
      if (!isConditionalCheckFailed(err)) throw err;
    });
  await MembershipEntity.create({ orgId, userId: user.userId, email: user.email, name: user.name, role: "owner", joinedAt: now })
    .go({ response: "none" })
    .catch((err) => {
      if (!isConditionalCheckFailed(err)) throw err;
    });
}

/** A new team organisation with its creator as the one owner. */
export async function create(user: { userId: string; sessionId: string; email: string; name?: string }, input: z.input<typeof CreateInput>, now = Date.now()): Promise<View> {
  const { name } = CreateInput.parse(input);
  const org = { orgId: randomUUID(), name, personal: false, ownerCount: 1, createdBy: user.userId, createdAt: now };
  // However many organisations an account makes, each counts against its budgets (OrgGuard): so it may make only a few.
  await OrgGuard.takePlace(user.userId, "orgs", now);
  try {
    await Claim.createFresh(() => OrgEntity.create(org).go({ response: "none" }));
  } catch (err) {
    await OrgGuard.givePlace(user.userId, "orgs", now);
    throw err;
  }
  await Membership.add(org.orgId, user, "owner", now);
  await Audit.record({ orgId: org.orgId, by: { kind: "user", userId: user.userId, email: user.email, sessionId: user.sessionId, role: "owner" } }, "org.create", { type: "org", id: org.orgId }, { name }, now);
  return toView(org);
}

export async function get(orgId: string): Promise<OrgItem> {
  const { data } = await OrgEntity.get({ orgId }).go({ consistent: true });
  if (!data || data.deletedAt) throw notFound();
  return data;
}

/** The organisations a user belongs to, with their role in each. */
export async function listMine(userId: string) {
  // The by-user index is eventually consistent: the personal organisation, perhaps made a moment ago, is read directly.
  const [indexed, personal] = await Promise.all([Membership.ofUser(userId), Membership.get(userId, userId)]);
  const memberships = [...(personal ? [personal] : []), ...indexed.filter((m) => m.orgId !== userId)];
  if (!memberships.length) return [];
  const { data } = await OrgEntity.get(memberships.map((m) => ({ orgId: m.orgId }))).go({ consistent: true });
  const byId = new Map(data.map((o) => [o.orgId, o]));
  return memberships.flatMap((m) => {
    const org = byId.get(m.orgId);
    return org && !org.deletedAt ? [{ ...toView(org), role: m.role, joinedAt: new Date(m.joinedAt).toISOString() }] : [];
  });
}

export async function update(access: OrgAccess, input: z.input<typeof UpdateInput>, now = Date.now()): Promise<View> {
  const { name } = UpdateInput.parse(input);
  const before = await get(access.orgId);
  const { data } = await OrgEntity.patch({ orgId: access.orgId }).set({ name, updatedAt: now }).go({ response: "all_new" });
  await Audit.record(access, "org.update", { type: "org", id: access.orgId }, { name: { from: before.name, to: name } }, now);
  return toView(data as OrgItem);
}
