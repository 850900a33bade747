import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { createUser, type TestUser } from "../kit/test-users";

/*
 * With TICK_LOOKAHEAD (deployed, npm start) the tick fans the next window out ahead of time, so the
 * current and the next window were queued before a new monitor existed: creating it queues its
 * slots there, or its first scheduled check would come up to two windows late.
 */
let stack: TestStack;
let ada: TestUser;
beforeAll(async () => {
  // No pollers: the test reads what creating a monitor put on the checks queue.
  stack = await startTestStack({ pollers: false, tickSeconds: 60, env: { TICK_LOOKAHEAD: "true" } });
  ada = await createUser(stack);
});
afterAll(() => stack?.stop());

const queued = async () => {
  const q = (await stack.queueCounts())[stack.queues.checks.name]!;
  return q.visible + q.delayed + q.inFlight;
};

describe("a new monitor under the tick's look-ahead", () => {
  it("queues its first check now and its slots in the windows already fanned out", async () => {
    const before = await queued();
    const res = await ada.call("POST", "/v1/monitors", { name: "New shop", url: "http://127.0.0.1:9/", intervalSec: 10 });
    expect(res.status).toBe(201);
    // One check now, every 10 s slot left in this minute (0 to 5), and the next minute's six.
    const jobs = (await queued()) - before;
    expect(jobs).toBeGreaterThanOrEqual(1 + 6);
    expect(jobs).toBeLessThanOrEqual(1 + 6 + 6);
  });

  it("a paused monitor queues nothing", async () => {
    const before = await queued();
    const res = await ada.call("POST", "/v1/monitors", { name: "Paused shop", url: "http://127.0.0.1:9/", intervalSec: 10, paused: true });
    expect(res.status).toBe(201);
    expect((await queued()) - before).toBe(0);
  });
});
