import type { LocalEmail, TestStack } from "@uptime/local/testing";
import type { TestUser } from "./test-users";

/** A user's calls acting in one organisation (the X-Org-Id header). */
export function inOrg(stack: TestStack, user: TestUser, orgId: string) {
  return (method: string, path: string, body?: unknown) =>
    stack.api(path, {
      method,
      token: user.token,
      headers: { "x-org-id": orgId },
      ...(body === undefined ? {} : { json: body }),
    });
}

/** The invitation mails an address received so far (they go out through the alerts queue). */
export async function invitationMailsTo(stack: TestStack, address: string): Promise<LocalEmail[]> {
  await stack.drainQueues();
  return (await stack.emails()).filter((e) => e.subject.startsWith("You are invited to join") && e.destination.to.includes(address));
}

/** The token of the newest invitation link mailed to an address. */
export async function invitationToken(stack: TestStack, address: string): Promise<string> {
  const text = (await invitationMailsTo(stack, address)).at(-1)?.body.text ?? "";
  const link = /https?:\/\/\S+\/invitations\/accept\?token=\S+/.exec(text)?.[0];
  if (!link) throw new Error(`no invitation link was mailed to ${address}`);
  return new URL(link).searchParams.get("token")!;
}

export interface Operation {
  method: string;
  path: string;
  permission: string;
  pathParams: string[];
}

/** Every operation of the OpenAPI document that names a permission (`x-permission`). */
export async function scopedOperations(stack: TestStack): Promise<Operation[]> {
  const doc = (await stack.api("/openapi.json")).body as { paths: Record<string, Record<string, any>> };
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, op]) =>
      op?.["x-permission"]
        ? [{ method: method.toUpperCase(), path, permission: op["x-permission"], pathParams: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!) }]
        : [],
    ),
  );
}

/** A path with its `{params}` filled in. */
export const fillPath = (path: string, values: Record<string, string>) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no test value for the path parameter {${name}} of ${path}: add one to the test's fixtures`);
    return encodeURIComponent(values[name]!);
  });
