import { afterAll, beforeAll, expect, it } from "vitest";
import { startTarget, startTestStack, type TestStack, type Target } from "@uptime/local/testing";
import { CheckResult } from "@uptime/core/check/result";
import { Monitor } from "@uptime/core/monitors/monitor";
import { createUser } from "../kit/test-users";

/*
 * Deployed, rate(1 minute) fires seconds into its minute, plus a cold start. Here the local
 * scheduler fires each 5-second window up to 4 s late (TICK_LATE_FIRE_MS), and 10-second monitors
 * must still be checked on their slots: the tick fans out the next window ahead of time.
 */
const TICK_SECONDS = 5;
const LATE_FIRE_MS = 4000;
const MONITORS = 6;
const CHECKS_EACH = 3;
/** Receiving, probing and writing on a busy two-core machine. */
const SLACK_MS = 500;

let stack: TestStack;
let target: Target;
beforeAll(async () => {
  stack = await startTestStack({ scheduler: true, tickSeconds: TICK_SECONDS, env: { TICK_LATE_FIRE_MS: String(LATE_FIRE_MS) } });
  target = await startTarget();
});
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});

it("keeps sub-minute checks within a second of their slots when every tick fires late", { timeout: 120_000 }, async () => {
  const user = await createUser(stack);
  const createdAt = Date.now();
  const ids: string[] = [];
  for (let i = 0; i < MONITORS; i++) {
    const res = await user.call("POST", "/v1/monitors", { name: `Late tick ${i}`, url: target.url, intervalSec: 10 });
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
  // Slots two windows on were fanned out by ticks that fired after the monitors existed.
  const from = createdAt + 2 * TICK_SECONDS * 1000;
  const scheduled = async (id: string) => (await CheckResult.latest((await Monitor.get(id))!, 20)).filter((r) => r.kind === "scheduled" && r.at >= from);
  const deadline = Date.now() + 90_000;
  let results: CheckResult.Result[][] = [];
  for (;;) {
    results = await Promise.all(ids.map(scheduled));
    if (results.every((r) => r.length >= CHECKS_EACH)) break;
    if (Date.now() > deadline) throw new Error(`not enough checks: ${results.map((r) => r.length).join(", ")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const lateness = results.flat().map((r) => r.checkedAt - r.at);
  expect(lateness.length).toBeGreaterThanOrEqual(MONITORS * CHECKS_EACH);
  // SQS delays are whole seconds, rounded up so no check starts before its slot: up to a second
  // late by design, plus the poll and the probe. A window fanned out by its own late tick would
  // run its first slots up to LATE_FIRE_MS late.
  for (const ms of lateness) {
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThan(1000 + SLACK_MS);
  }
});
