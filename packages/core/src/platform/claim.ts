export * as Claim from "./claim";

import { randomUUID } from "node:crypto";
import { isConditionalCheckFailed } from "./errors";

/**
 * A conditional write that claims something ("this mail is mine to send", "this window is mine
 * to fan out"): a create of a claim item or a patch of a claim field, that recognises its own write.
 * The SDK retries a write whose response was lost (a timeout, a 500 after DynamoDB applied it);
 * the retry then fails its condition on the item the first attempt wrote, and taking that as
 * "someone else claimed it" would drop the mail for good. So each call writes a fresh token, and
 * after a failed condition one consistent read tells whose claim the item is. Found by the
 * fault-injection soak (packages/e2e/src/kit/soak.ts).
 */
export async function create(write: (claimToken: string) => Promise<unknown>, tokenOnItem: () => Promise<string | undefined>): Promise<boolean> {
  const claimToken = randomUUID();
  try {
    await write(claimToken);
    return true;
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    return (await tokenOnItem()) === claimToken;
  }
}

/**
 * A create whose key holds a fresh random id (a UUID, random bytes): no other call can have
 * written that key, so a failed condition can only be this call's own first attempt whose response
 * was lost and that the SDK retried. The item is there; that is success, not a 500.
 */
export async function createFresh(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}
