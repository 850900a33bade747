export * as Claim from "./claim";

import { randomUUID } from "node:crypto";
import { isConditionalCheckFailed } from "./errors";

/**
 * A conditional create ("claim this mail before sending it") that recognises its own write.
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
