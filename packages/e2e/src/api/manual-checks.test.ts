import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { HOUR } from "@uptime/core/platform/time";
import { createUser, type TestUser } from "../kit/test-users";

let stack: TestStack;
let target: Target;

beforeAll(async () => {
  stack = await startTestStack({ pollers: false, env: { MANUAL_CHECK_MONITOR_SEC: "10", MANUAL_CHECKS_PER_HOUR: "3" } });
  target = await startTarget();
});
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});
beforeEach(async () => {
  // The per-account budget is per clock hour; a test straddling the hour would see two budgets.
  const left = HOUR - (Date.now() % HOUR);
  if (left < 30_000) await new Promise((r) => setTimeout(r, left + 100));
}, 40_000);

async function createMonitor(user: TestUser, name: string) {
  const res = await user.call("POST", "/v1/monitors", { name, url: target.url });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
const check = (user: TestUser, id: string) => user.call("POST", `/v1/monitors/${id}/check`);

describe("manual checks are rate-limited", () => {
  it("allows one check per monitor per MANUAL_CHECK_MONITOR_SEC", async () => {
    const ada = await createUser(stack);
    const id = await createMonitor(ada, "Spaced");
    expect((await check(ada, id)).status).toBe(200);
    const again = await check(ada, id);
    expect(again.status).toBe(429);
    expect(again.body.error).toMatchObject({ code: "too_many_manual_checks" });
    expect(again.body.error.message).toMatch(/monitor/);
    const retryAfter = Number(again.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
  });

  it("allows MANUAL_CHECKS_PER_HOUR checks per account, whatever the monitors; other accounts keep theirs", async () => {
    const bob = await createUser(stack);
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await createMonitor(bob, `Budget ${i}`));
    for (const id of ids.slice(0, 3)) expect((await check(bob, id)).status).toBe(200);
    const over = await check(bob, ids[3]!);
    expect(over.status).toBe(429);
    expect(over.body.error).toMatchObject({ code: "too_many_manual_checks" });
    expect(over.body.error.message).toMatch(/account/);
    const retryAfter = Number(over.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);

    const carol = await createUser(stack);
    expect((await check(carol, await createMonitor(carol, "Carol's"))).status).toBe(200);
    // Someone else's monitor is still a 404, and costs its owner nothing.
    expect((await check(carol, ids[0]!)).status).toBe(404);
  });
});

describe("testing a request before saving it (POST /v1/monitor-test)", () => {
  it("answers the check's result, stores nothing, and draws on the same limits", async () => {
    const dora = await createUser(stack);
    const test = (body: unknown) => dora.call("POST", "/v1/monitor-test", body);
    const bad = await test({ name: "Nope", url: "ftp://example.com" });
    expect([bad.status, bad.body.error.details[0].path]).toEqual([400, "url"]);
    target.set({ status: 503, body: "busy" });
    const failed = await test({ name: "Try", url: target.url });
    target.set({ status: 200, body: "ok" });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ ok: false, reason: "status_mismatch", httpStatus: 503, kind: "manual" });
    expect((await dora.call("GET", "/v1/monitors")).body.data).toEqual([]);
    // one per MANUAL_CHECK_MONITOR_SEC for the organisation, as "Check now" per monitor
    const again = await test({ name: "Try", url: target.url });
    expect([again.status, again.body.error.code]).toEqual([429, "too_many_manual_checks"]);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });
});
