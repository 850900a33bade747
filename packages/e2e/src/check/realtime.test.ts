import { afterAll, beforeAll, expect, it } from "vitest";
import { startTarget, startTestStack, type TestStack, type Target } from "@uptime/local/testing";
import { createUser } from "../kit/test-users";

// The whole loop on the wall clock: the local scheduler fires every 5 s (TICK_SECONDS), as
// EventBridge fires every minute when deployed; nothing here is called by hand.
let stack: TestStack;
let target: Target;
beforeAll(async () => {
  stack = await startTestStack({ scheduler: true, tickSeconds: 5 });
  target = await startTarget();
});
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

it("a site goes down: one DOWN email; it comes back: one RECOVERED email", { timeout: 120_000 }, async () => {
  const user = await createUser(stack);
  const created = await user.call("POST", "/v1/monitors", {
    name: "Realtime shop",
    url: target.url,
    intervalSec: 10,
    retryIntervalSec: 5,
    failureThreshold: 2,
  });
  expect(created.status).toBe(201);
  await waitFor("first check", async () => {
    const m = await user.call("GET", `/v1/monitors/${created.body.id}`);
    return m.body.status === "up" ? m : undefined;
  });

  target.set({ status: 503 });
  const down = await waitFor("DOWN email", async () =>
    (await stack.emails()).find((e) => e.subject.includes("[DOWN] Realtime shop")),
  );
  expect(down.destination.to).toEqual([user.email]);
  expect((await user.call("GET", `/v1/monitors/${created.body.id}`)).body.status).toBe("down");

  target.set({ status: 200 });
  await waitFor("RECOVERED email", async () =>
    (await stack.emails()).find((e) => e.subject.includes("[RECOVERED] Realtime shop")),
  );
  // Let a few more ticks pass: still exactly one of each.
  await new Promise((r) => setTimeout(r, 6000));
  const mails = (await stack.emails()).filter((e) => e.subject.includes("Realtime shop"));
  expect(mails.map((e) => e.subject.slice(0, 11)).sort()).toEqual(["[DOWN] Real", "[RECOVERED]"]);
  expect((await user.call("GET", `/v1/monitors/${created.body.id}`)).body.status).toBe("up");
});
