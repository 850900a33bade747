export * as UserCredentials from "./credentials";

import bcrypt from "bcryptjs";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { config } from "../platform/config";
import { VisibleError, isConditionalCheckFailed } from "../platform/errors";
import { COMMON_PASSWORDS } from "./common-passwords";
import { Org } from "../orgs/org";
import { LoginThrottle } from "./login-throttle";
import { UserText } from "../platform/user-text";
import { Claim } from "../platform/claim";
import { Email, EmailClaimEntity, UserEntity, toInfo, type Info, type UserItem } from "./user";

/*
 * Passwords: the rules for a new one, registering with one, checking one. Apart from user.ts so the
 * functions that only read users (recipients, invitations, monitors) bundle neither bcrypt nor the
 * common-password list (BENCHMARKS.md section 6).
 */

/** bcrypt reads only the first 72 bytes of a password; a longer one would be silently truncated. */
export const PASSWORD_MAX_BYTES = 72;
const passwordBytes = (p: string) => Buffer.byteLength(p, "utf8");
let commonPasswords: Set<string> | undefined;
export const isCommonPassword = (p: string) => (commonPasswords ??= new Set(COMMON_PASSWORDS.split(" "))).has(p.toLowerCase());

/** A password being set (registration, and any future change or reset). */
export const Password = z
  .string()
  .min(8, "must be at least 8 characters")
  .max(128, "must be at most 128 characters")
  .refine((p) => passwordBytes(p) <= PASSWORD_MAX_BYTES, `must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 (bcrypt ignores the rest)`)
  .refine((p) => !isCommonPassword(p), "is one of the most commonly used passwords; choose another");

/** The password must not be the email address or its local part (case-insensitively). */
export const notTheEmail = (email: string, password: string) => {
  const p = password.trim().toLowerCase();
  return p !== email && p !== email.slice(0, email.lastIndexOf("@"));
};

export const RegisterInput = z
  .object({
    email: Email,
    password: Password,
    name: z.string().trim().min(1).max(100).regex(UserText.ONE_LINE, UserText.ONE_LINE_MESSAGE).optional(),
  })
  .refine((i) => notTheEmail(i.email, i.password), { path: ["password"], message: "must not be your email address or its part before the @" });
export type RegisterInput = z.infer<typeof RegisterInput>;

/** A claim whose user item never got written (crash between the two puts) may be taken over after this long. */
const ORPHAN_CLAIM_AGE_MS = 60_000;

export async function register(input: RegisterInput): Promise<Info> {
  const { email, password, name } = RegisterInput.parse(input);
  const passwordHash = await bcrypt.hash(password, config().BCRYPT_COST);
  const userId = randomUUID();
  const now = Date.now();

  await claimEmail(email, userId, now);
  const user: UserItem = { userId, email, name, passwordHash, createdAt: now };
  await Claim.createFresh(() => UserEntity.create(user).go());
  await Org.ensurePersonal(user, now);
  return toInfo(user);
}

async function claimEmail(email: string, userId: string, now: number) {
  try {
    await EmailClaimEntity.create({ email, userId, createdAt: now }).go();
    return;
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  const existing = await EmailClaimEntity.get({ email }).go({ consistent: true });
  // userId is fresh: a claim naming it is this call's own write whose response was lost.
  if (existing.data?.userId === userId) return;
  const owner = existing.data && (await UserEntity.get({ userId: existing.data.userId }).go({ consistent: true }));
  const orphaned = existing.data && !owner?.data && now - existing.data.createdAt > ORPHAN_CLAIM_AGE_MS;
  if (orphaned) {
    try {
      await EmailClaimEntity.put({ email, userId, createdAt: now })
        .where((a, op) => op.eq(a.userId, existing.data!.userId))
        .go();
      return;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }
  throw new VisibleError("conflict", "email_taken", "An account with this email already exists");
}

// Compared against when the email is unknown, so both failure paths cost one bcrypt. Made on
// first use at the configured cost: hashing at import time cost every function that reads
// users (alert recipients, monitors) ~70 ms of cold start.
let dummyHash: Promise<string> | undefined;
const dummyHashOnce = () => (dummyHash ??= bcrypt.hash("not-a-real-password", config().BCRYPT_COST));

export const Credentials = z.object({ email: Email, password: z.string().min(1).max(128) });

/**
 * Checks a password. Unknown email and wrong password are the same error. The attempt is counted
 * against the login budgets before the password is even looked at (see LoginThrottle).
 * Returns the user and the device cookie value to set for this browser.
 */
export async function authenticate(
  input: z.infer<typeof Credentials>,
  from: { clientIp?: string; deviceToken?: string } = {},
): Promise<{ user: Info; deviceToken: string }> {
  const { email, password } = Credentials.parse(input);
  const reservation = await LoginThrottle.reserveAttempt({ email, ...from });

  const claim = await EmailClaimEntity.get({ email }).go({ consistent: true });
  const user = claim.data ? (await UserEntity.get({ userId: claim.data.userId }).go({ consistent: true })).data : null;
  const ok = await bcrypt.compare(password, user?.passwordHash ?? (await dummyHashOnce()));
  if (!user || !ok) throw new VisibleError("unauthorized", "invalid_credentials", "Email or password is incorrect");
  const [deviceToken] = await Promise.all([LoginThrottle.deviceToken(email, from.deviceToken), LoginThrottle.succeeded(reservation)]);
  return { user: toInfo(user as UserItem), deviceToken };
}

/** A new password: the registration rules, and not the account's email. Throws a 400 with details. */
export function parseNewPassword(email: string, password: string, field = "newPassword"): string {
  const parsed = z
    .object({ [field]: Password })
    .refine((i) => notTheEmail(email, i[field] as string), { path: [field], message: "must not be your email address or its part before the @" })
    .parse({ [field]: password });
  return parsed[field] as string;
}

/** Sets a user's password (already checked against the rules). */
export async function setPassword(userId: string, password: string, now = Date.now()) {
  const passwordHash = await bcrypt.hash(password, config().BCRYPT_COST);
  await UserEntity.patch({ userId }).set({ passwordHash, passwordChangedAt: now }).go({ response: "none" });
}
