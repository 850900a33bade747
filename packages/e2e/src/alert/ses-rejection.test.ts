import { afterAll, beforeAll, expect, it } from "vitest";
import { MessageRejected } from "@aws-sdk/client-sesv2";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { Mail } from "@uptime/core/platform/mail";
import { MailRejection } from "@uptime/core/platform/mail-rejection";
import { sesTransport } from "@uptime/core/platform/ses";
import { createUser } from "../kit/test-users";

/*
 * In the SES sandbox SES refuses mail to an unverified recipient (MessageRejected; AccessDenied when
 * the grant names identities). The SES emulator accepts everything, so the refusal is injected at
 * the transport seam for one address, as SES's client throws it; every other mail goes to the emulator.
 */
let stack: TestStack;
const refusedTo = `unverified-${Date.now()}@example.com`;
const attempts: string[] = [];

beforeAll(async () => {
  // Redelivery after 1 s instead of 180 s: a retried mail would show up within the test.
  stack = await startTestStack({ queueOverrides: { alerts: { visibilityTimeoutSec: 1 } } });
  Mail.useTransport(async (m) => {
    attempts.push(m.to);
    if (m.to === refusedTo) {
      throw new MessageRejected({
        message: `Email address is not verified. The following identities failed the check in region US-EAST-1: ${refusedTo}`,
        $metadata: { httpStatusCode: 400 },
      });
    }
    return sesTransport(m);
  });
});
afterAll(() => stack?.stop());

it("records a permanent SES refusal once for the recipient instead of retrying and dead-lettering it", { timeout: 60_000 }, async () => {
  const refused = await createUser(stack, refusedTo);
  const delivered = await createUser(stack);
  for (const email of [refused.email, delivered.email]) {
    expect((await stack.api("/v1/auth/password-reset", { method: "POST", json: { email } })).status).toBe(202);
  }
  await stack.drainQueues();
  // Tried once: not redelivered, not dead-lettered, and the mail behind it in the queue went out.
  expect(attempts.filter((to) => to === refusedTo)).toHaveLength(1);
  expect((await stack.queueCounts())["local-alerts-dlq.fifo"]).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  expect(await MailRejection.find(refusedTo)).toMatchObject({ email: refusedTo, code: "MessageRejected" });
  expect((await MailRejection.find(refusedTo))?.detail).toContain("not verified");
  expect((await stack.emails()).some((e) => e.destination.to.includes(delivered.email))).toBe(true);
  expect(await MailRejection.find(delivered.email)).toBeUndefined();
});
