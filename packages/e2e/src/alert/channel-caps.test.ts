import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { createUser, type TestUser } from "../kit/test-users";
import { startReceiver, type Receiver } from "../kit/receiver";

/** The organisation's hourly alert budget counts channel deliveries and mails together. */
const CAP = 5;
let stack: TestStack;
let site: Target;
let hook: Receiver;
let user: TestUser;

beforeAll(async () => {
  stack = await startTestStack({ env: { ALERT_EMAILS_PER_HOUR: String(CAP), FLAP_INCIDENTS_PER_HOUR: "100" } });
  site = await startTarget();
  hook = await startReceiver();
  user = await createUser(stack);
});
afterAll(async () => {
  await hook?.stop();
  await site?.stop();
  await stack?.stop();
});

describe("hourly alert cap", () => {
  it("applies to channel deliveries as to mail: past it nothing more goes out, and the delivery log says why", async () => {
    // The cap counts per clock hour; a test straddling the hour would get a second budget.
    const left = 3_600_000 - (Date.now() % 3_600_000);
    if (left < 60_000) await new Promise((r) => setTimeout(r, left + 100));
    const created = await user.call("POST", "/v1/channels", { name: "Ops hook", type: "webhook", url: hook.url });
    expect(created.status).toBe(201);
    const channelId = created.body.channel.id as string;
    const m = await user.call("POST", "/v1/monitors", { name: "Capped shop", url: site.url, failureThreshold: 1, channelIds: [channelId] });
    expect(m.status).toBe(201);
    await stack.drainQueues();

    // Three incidents: six transitions, each one mail to the owner and one webhook delivery.
    for (let i = 0; i < 3; i++) {
      for (const status of [500, 200]) {
        site.set({ status });
        expect((await user.call("POST", `/v1/monitors/${m.body.id}/check`)).status).toBe(200);
        await stack.drainQueues();
      }
    }
    const alertMails = (await stack.emails()).filter((e) => /\[(DOWN|RECOVERED)\]/.test(e.subject) && e.subject.includes("Capped shop"));
    expect(hook.received.length + alertMails.length).toBe(CAP);
    expect(hook.received.length).toBeGreaterThan(0);
    const log = await user.call("GET", `/v1/channels/${channelId}/deliveries`);
    expect(log.body.data.some((e: { outcome: string; error?: string | null }) => e.outcome === "skipped" && /cap/.test(e.error ?? ""))).toBe(true);
  });
});
