export * as Account from "./account";

import bcrypt from "bcryptjs";
import { z } from "zod";
import { Membership } from "../orgs/membership";
import { OrgDeletion } from "../orgs/deletion";
import { config } from "../platform/config";
import { VisibleError, isConditionalCheckFailed } from "../platform/errors";
import { LoginThrottle } from "./login-throttle";
import { Session } from "./session";
import { parseNewPassword, setPassword } from "./credentials";
import { EmailClaimEntity, UserEntity } from "./user";

export const ChangePasswordInput = z.object({ currentPassword: z.string().min(1).max(128), newPassword: z.string().max(1024) });
export const DeleteInput = z.object({ password: z.string().min(1).max(128) });

type UserItem = NonNullable<Awaited<ReturnType<ReturnType<typeof UserEntity.get>["go"]>>["data"]>;

async function userOf(userId: string): Promise<UserItem> {
  const { data } = await UserEntity.get({ userId }).go({ consistent: true });
  if (!data) throw new VisibleError("unauthorized", "invalid_token", "The account for this token no longer exists");
  return data;
}

/**
 * Checks the password of a signed-in user. A stolen access token must not become an unlimited
 * password oracle, so wrong answers draw on a per-account budget like logins do.
 */
async function confirmPassword(user: UserItem, password: string) {
  const reservation = await LoginThrottle.reserve(`account:${user.userId}`, config().LOGIN_MAX_FAILURES, "for this account");
  if (!(await bcrypt.compare(password, user.passwordHash))) {
    throw new VisibleError("invalid", "wrong_password", "The password is not correct");
  }
  await LoginThrottle.clear(reservation);
}

/** Changes the password and ends every other session of the user; the caller's stays signed in. */
export async function changePassword(actor: { userId: string; sessionId: string }, input: z.infer<typeof ChangePasswordInput>) {
  const { currentPassword, newPassword } = ChangePasswordInput.parse(input);
  const user = await userOf(actor.userId);
  const password = parseNewPassword(user.email, newPassword);
  await confirmPassword(user, currentPassword);
  await setPassword(user.userId, password);
  await Session.revokeAllOf(user.userId, { except: actor.sessionId, reason: "password_changed" });
}

/**
 * Deletes the account and takes everything of it offline: its personal organisation is deleted
 * behind the deletion fence (monitors stop being checked, status pages and their subscribers go,
 * API keys are revoked), then its sessions, its email claim (the address can register again) and the
 * user item, last, so a failure halfway can be retried with the same password. Refused while the user
 * is the only owner of a team organisation, and while anyone else is a member of its personal
 * organisation (they would be left acting in an organisation without an account: remove them first);
 * otherwise the account leaves every organisation.
 */
export async function remove(actor: { userId: string; sessionId: string }, input: z.infer<typeof DeleteInput>) {
  const { password } = DeleteInput.parse(input);
  const user = await userOf(actor.userId);
  await confirmPassword(user, password);
  const orphaned = await Membership.orgsOnlyOwnedBy(user.userId);
  if (orphaned.length) {
    throw new VisibleError(
      "conflict",
      "sole_owner",
      "You are the only owner of an organisation: make another member owner, or delete the organisation, first",
      { orgIds: orphaned },
    );
  }
  const others = await Membership.othersInPersonal(user.userId);
  if (others.length) {
    throw new VisibleError(
      "conflict",
      "personal_org_has_members",
      "Others are members of your personal organisation: remove them first, so no one is left acting in it",
      { userIds: others },
    );
  }
  await OrgDeletion.removePersonal(user.userId);
  await Membership.leaveAll(user.userId);
  await Session.revokeAllOf(user.userId, { reason: "account_deleted" });
  try {
    await EmailClaimEntity.delete({ email: user.email }).where((a, op) => op.eq(a.userId, user.userId)).go({ response: "none" });
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  await UserEntity.delete({ userId: user.userId }).go({ response: "none" });
}
