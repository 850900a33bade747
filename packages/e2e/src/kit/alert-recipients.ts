import { RecipientEntity } from "@uptime/core/alert/recipients";
import type { ApiResponse, LocalEmail, TestStack } from "@uptime/local/testing";

const CONFIRM_SUBJECT = "Confirm that you want alert emails from Uptime";

/** The confirmation emails an address received so far. */
export async function confirmationMailsTo(stack: TestStack, address: string): Promise<LocalEmail[]> {
  await stack.drainQueues(); // confirmation mails go out through the alerts queue
  return (await stack.emails()).filter((e) => e.subject === CONFIRM_SUBJECT && e.destination.to.includes(address));
}

/** The path and token of the newest confirmation link sent to an address. */
export async function confirmationLink(stack: TestStack, address: string): Promise<{ path: string; token: string }> {
  const mails = await confirmationMailsTo(stack, address);
  const text = mails.at(-1)?.body.text ?? "";
  const link = /https?:\/\/\S+\/v1\/alert-recipients\/confirm\?token=\S+/.exec(text)?.[0];
  if (!link) throw new Error(`no confirmation link was mailed to ${address}`);
  const url = new URL(link);
  return { path: url.pathname + url.search, token: url.searchParams.get("token")! };
}

/** Presses a button of the confirmation page, as a browser's form post does. */
export function answerConfirmation(stack: TestStack, token: string, action: "confirm" | "decline"): Promise<ApiResponse<string>> {
  return stack.api("/v1/alert-recipients/confirm", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token, action }).toString(),
  });
}

/** Confirms addresses through the real flow: the mailed link's page, then its confirm button. */
export async function confirmRecipients(stack: TestStack, addresses: string[]) {
  for (const address of addresses) {
    const { path, token } = await confirmationLink(stack, address);
    const page = await stack.api(path);
    if (page.status !== 200) throw new Error(`confirmation page for ${address} answered ${page.status}`);
    const done = await answerConfirmation(stack, token, "confirm");
    if (done.status !== 200) throw new Error(`confirming ${address} answered ${done.status}`);
  }
}

/**
 * Seeded monitors' alert addresses, written as already confirmed (as a fixture, without the mail
 * flow): fixture monitors have no owner account, and unconfirmed addresses get no alert mail.
 */
export async function confirmedRecipientFixtures(monitors: Array<{ ownerId: string; alertEmails: string[] }>) {
  const items = monitors.flatMap((m) =>
    m.alertEmails.map((email) => ({ ownerId: m.ownerId, email, status: "confirmed" as const, createdAt: Date.now() })),
  );
  if (items.length) await RecipientEntity.put(items).go({ concurrent: 4 });
}
