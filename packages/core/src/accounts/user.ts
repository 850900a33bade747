export * as User from "./user";

import { Entity } from "electrodb";
import { z } from "zod";
import { lazyEntity, entityOptions } from "../platform/table";

export const UserEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "user", version: "1", service: "uptime" },
      attributes: {
        userId: { type: "string", required: true },
        email: { type: "string", required: true },
        name: { type: "string" },
        passwordHash: { type: "string", required: true },
        passwordChangedAt: { type: "number" },
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
export const EmailClaimEntity = lazyEntity(() =>
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
export const Info = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  createdAt: z.string(),
});
export type Info = z.infer<typeof Info>;

export type UserItem = {
  userId: string;
  email: string;
  name?: string;
  passwordHash: string;
  createdAt: number;
};

export function toInfo(u: UserItem): Info {
  return { id: u.userId, email: u.email, name: u.name ?? null, createdAt: new Date(u.createdAt).toISOString() };
}

export async function get(userId: string): Promise<Info | undefined> {
  const { data } = await UserEntity.get({ userId }).go({ consistent: true });
  return data ? toInfo(data as UserItem) : undefined;
}
