export * as User from "./user";

import bcrypt from "bcryptjs";
import { randomUUID } from "node:crypto";
import { Entity } from "electrodb";
import { z } from "zod";
import { config } from "../platform/config";
import { VisibleError, isConditionalCheckFailed } from "../platform/errors";
import { bindToTable, entityOptions } from "../platform/table";
import { LoginThrottle } from "./login-throttle";

export const UserEntity = bindToTable(
  new Entity(
    {
      model: { entity: "user", version: "1", service: "uptime" },
      attributes: {
        userId: { type: "string", required: true },
        email: { type: "string", required: true },
        name: { type: "string" },
        passwordHash: { type: "string", required: true },
        createdAt: { type: "number", required: true },
      },
      indexes: {
        // get a user by id (JWT subject)
        byId: { pk: { field: "pk", composite: ["userId"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

/**
 * One item per email address. Creating it with a condition is what makes emails unique,
 * atomically, without TransactWriteItems (which dynalite lacks and which costs double).
 */
export const EmailClaimEntity = bindToTable(
  new Entity(
    {
      model: { entity: "emailClaim", version: "1", service: "uptime" },
      attributes: {
        email: { type: "string", required: true },
        userId: { type: "string", required: true },
        createdAt: { type: "number", required: true },
      },
      indexes: {
        // find the account for a login email
        byEmail: { pk: { field: "pk", composite: ["email"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "must be a valid email address" }).max(254));
export const Password = z
  .string()
  .min(8, "must be at least 8 characters")
  .max(128, "must be at most 128 characters");

export const RegisterInput = z.object({
  email: Email,
  password: Password,
  name: z.string().trim().min(1).max(100).optional(),
});
export type RegisterInput = z.infer<typeof RegisterInput>;

export const Info = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  createdAt: z.string(),
});
export type Info = z.infer<typeof Info>;

type UserItem = {
  userId: string;
  email: string;
  name?: string;
  passwordHash: string;
  createdAt: number;
};

function toInfo(u: UserItem): Info {
  return { id: u.userId, email: u.email, name: u.name ?? null, createdAt: new Date(u.createdAt).toISOString() };
}

/** A claim whose user item never got written (crash between the two puts) may be taken over after this long. */
const ORPHAN_CLAIM_AGE_MS = 60_000;

export async function register(input: RegisterInput): Promise<Info> {
  const { email, password, name } = RegisterInput.parse(input);
  const passwordHash = await bcrypt.hash(password, config().BCRYPT_COST);
  const userId = randomUUID();
  const now = Date.now();

  await claimEmail(email, userId, now);
  const user: UserItem = { userId, email, name, passwordHash, createdAt: now };
  await UserEntity.create(user).go();
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

export async function get(userId: string): Promise<Info | undefined> {
  const { data } = await UserEntity.get({ userId }).go({ consistent: true });
  return data ? toInfo(data as UserItem) : undefined;
}

// Compared against when the email is unknown, so both failure paths cost one bcrypt.
const DUMMY_HASH = bcrypt.hashSync("not-a-real-password", 10);

export const Credentials = z.object({ email: Email, password: z.string().min(1).max(128) });

/**
 * Checks a password. Unknown email and wrong password are the same error, and repeated
 * failures for one email are throttled before the password is even looked at.
 */
export async function authenticate(input: z.infer<typeof Credentials>): Promise<Info> {
  const { email, password } = Credentials.parse(input);
  await LoginThrottle.assertAllowed(email);

  const claim = await EmailClaimEntity.get({ email }).go({ consistent: true });
  const user = claim.data ? (await UserEntity.get({ userId: claim.data.userId }).go({ consistent: true })).data : null;
  const ok = await bcrypt.compare(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) {
    await LoginThrottle.recordFailure(email);
    throw new VisibleError("unauthorized", "invalid_credentials", "Email or password is incorrect");
  }
  await LoginThrottle.clear(email);
  return toInfo(user as UserItem);
}
