import { VisibleError } from "../platform/errors";
import { Membership } from "./membership";
import { Org } from "./org";
import type { OrgAccess } from "./access";

/**
 * The access of a signed-in user to an organisation: one strongly consistent read of their
 * membership, so a removed member is refused from the next request on. A personal organisation
 * (orgId = userId) is created on first use for accounts made before organisations existed. No
 * membership is "no such organisation": a 403 would confirm that it exists.
 */
export async function resolveUserAccess(userId: string, sessionId: string, orgId: string): Promise<OrgAccess> {
  let membership = await Membership.get(orgId, userId);
  if (!membership && orgId === userId) {
    // Loaded only on this rare path, so functions that do not otherwise need the accounts module (bcrypt, the
    // password list) do not evaluate it at start-up.
    const { User } = await import("../accounts/user");
    const user = await User.get(userId);
    if (user) {
      await Org.ensurePersonal({ userId, email: user.email, name: user.name ?? undefined });
      membership = await Membership.get(orgId, userId);
    }
  }
  if (!membership) throw new VisibleError("not_found", "org_not_found", "No such organisation");
  return { orgId, by: { kind: "user", userId, email: membership.email, sessionId, role: membership.role } };
}
