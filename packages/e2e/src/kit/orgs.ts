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
