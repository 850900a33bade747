import https from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type TestStack, type Target } from "@uptime/local/testing";
import { Checker } from "@uptime/core/check/checker";
import { CheckJob } from "@uptime/core/check/check-job";
import { Probe } from "@uptime/core/check/probe";
import { hasOpenssl, selfSignedCertificate } from "@uptime/core/check/probe-test-kit";
import { Monitor } from "@uptime/core/monitors/monitor";
import { UserText } from "@uptime/core/platform/user-text";
import { Webhook } from "standardwebhooks";
import { createUser, type TestUser } from "../kit/test-users";
import { startReceiver } from "../kit/receiver";
import * as MonitorApi from "../kit/monitor-api";

/** Assertions, the degraded state and certificate expiry warnings, through the real local stack. */

let stack: TestStack;
let target: Target;
let ada: TestUser;

beforeAll(async () => {
  stack = await startTestStack();
  target = await startTarget();
  ada = await createUser(stack);
});
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});
beforeEach(() => target.set({ status: 200, body: "ok" }));

const createMonitor = (body: Record<string, unknown>) => MonitorApi.createMonitor(stack, ada, { url: target.url, ...body });
const checkNow = (id: string) => MonitorApi.checkNow(ada, id);

const mailsFor = async (monitorName: string) => (await stack.emails()).filter((e: any) => String(e.subject).includes(monitorName));

describe("assertions", () => {
  it("refuses a bad expression with the assertion's index and the character position", async () => {
    const res = await ada.call("POST", "/v1/monitors", { name: "Bad", url: target.url, assertions: ['$.status == "ok"', "$.count >= fast"] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_error");
    expect(res.body.error.details).toEqual([{ path: "assertions.1", position: 11, code: "custom", message: expect.stringContaining("at character 12: expected a value") }]);
    const patched = await ada.call("PATCH", `/v1/monitors/${(await createMonitor({ name: "Patch me" })).id}`, { assertions: ["body matches /(a+)+$/"] });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details[0]).toMatchObject({ path: "assertions.0", position: 14, message: expect.stringContaining("catastrophic") });
  });

  it("a JSON assertion failure names the assertion in the result and in the DOWN mail", async () => {
    target.set({ status: 200, body: JSON.stringify({ status: "ok", queue: 3 }), headers: { "content-type": "application/json" } });
    const m = await createMonitor({
      name: "Json api",
      failureThreshold: 1,
      assertions: ['header.content-type contains "json"', '$.status == "ok"', "$.queue < 10"],
    });
    expect(m.assertions).toEqual(['header.content-type contains "json"', '$.status == "ok"', "$.queue < 10"]);
    expect((await checkNow(m.id)).result).toMatchObject({ ok: true });

    target.set({ status: 200, body: JSON.stringify({ status: "maintenance", queue: 3 }), headers: { "content-type": "application/json" } });
    const failed = await checkNow(m.id);
    expect(failed.result).toMatchObject({ ok: false, reason: "assertion_failed", message: 'assertion 2 failed: $.status == "ok" (got "maintenance")' });
    expect(failed.monitor.status).toBe("down");
    await stack.drainQueues();
    const mails = await mailsFor("Json api");
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toContain("[DOWN]");
    // the reason quotes the response, so it is defanged like all user text in mails
    expect(mails[0].body.text).toContain(`Reason: assertion_failed: ${UserText.defang('assertion 2 failed: $.status == "ok" (got "maintenance")')}`);

    // cleared: no assertions, no degraded threshold, no certificate warnings
    const cleared = await ada.call("PATCH", `/v1/monitors/${m.id}`, { assertions: [], degradedAboveMs: null, certExpiryDays: [] });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ assertions: [], degradedAboveMs: null, certExpiryDays: [] });
    expect((await checkNow(m.id)).result).toMatchObject({ ok: true });
  });
});

describe("degraded", () => {
  it("a slow target makes the monitor degraded, not down: shown, alerted once, counted as up, up again when fast", async () => {
    const hook = await startReceiver();
    const channel = (await ada.call("POST", "/v1/channels", { type: "webhook", name: "Ops hook", url: `${hook.url}/in` })).body;
    const m = await createMonitor({ name: "Slow shop", degradedAboveMs: 150, degradedAfterChecks: 2, channelIds: [channel.channel.id] });
    expect(m).toMatchObject({ degradedAboveMs: 150, degradedAfterChecks: 2, degradedAlert: true });
    target.set({ status: 200, body: "ok", delayMs: 300 });

    const first = await checkNow(m.id);
    expect(first.result.ok).toBe(true);
    expect(first.monitor.status).toBe("up"); // one slow check is below degradedAfterChecks
    const second = await checkNow(m.id);
    expect(second.result).toMatchObject({ ok: true });
    expect(second.monitor.status).toBe("degraded");
    expect(second.monitor.openIncidentId).toBeNull();
    await checkNow(m.id); // still slow: no second alert

    await stack.drainQueues();
    const mails = await mailsFor("Slow shop");
    expect(mails.map((x: any) => x.subject)).toEqual(["[DEGRADED] Slow shop is slow"]);
    expect(mails[0].body.text).toContain("took longer than 150 ms");
    // the channel hears of it once too, signed like every event
    expect(hook.received.map((r) => r.json().type)).toEqual(["monitor.degraded"]);
    const event = new Webhook(channel.signingSecret).verify(hook.received[0]!.body, hook.received[0]!.headers as Record<string, string>) as any;
    expect(event.data).toMatchObject({ monitor: { id: m.id, name: "Slow shop" }, degraded: { aboveMs: 150, checks: 2 } });
    expect(event.data.incident).toBeUndefined();
    await hook.stop();
    expect((await ada.call("GET", `/v1/monitors/${m.id}`)).body.status).toBe("degraded");
    const row = (await ada.call("GET", "/v1/dashboard")).body.monitors.find((x: any) => x.id === m.id);
    expect(row).toMatchObject({ status: "degraded", lastOk: true, openIncident: null });
    expect((await ada.call("GET", `/v1/monitors/${m.id}/summary?range=1h`)).body).toMatchObject({ status: "degraded", uptimePercent: 100 });

    // a status page component linked to it shows degraded performance (the page is read for the first time now: no cached render)
    const page = (await ada.call("POST", "/v1/status-pages", { slug: `slow-${m.id.slice(0, 8)}`, title: "Slow shop status" })).body;
    expect((await ada.call("POST", `/v1/status-pages/${page.id}/components`, { name: "Shop", monitorId: m.id })).status).toBe(201);
    const summary = await stack.api(`/status/${page.slug}/api/v2/summary.json`);
    expect(summary.body.components.find((c: any) => c.name === "Shop").status).toBe("degraded_performance");
    expect(summary.body.status.indicator).toBe("minor");

    target.set({ status: 200, body: "ok" });
    expect((await checkNow(m.id)).monitor.status).toBe("up");
  });
});

describe.skipIf(!hasOpenssl)("certificate expiry", () => {
  let server: https.Server;
  let cert: Buffer;
  let port: number;

  beforeAll(async () => {
    const made = selfSignedCertificate(10);
    cert = made.cert;
    server = https.createServer(made, (_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  /** One check as the checker makes it, except that the probe trusts the throwaway certificate (Probe's TEST-ONLY option). */
  async function check(job: CheckJob.Job) {
    if (job.monitor.type !== "http") throw new Error("an HTTPS monitor's job");
    const outcome = await Probe.probe({ ...job.monitor }, { ca: cert });
    return Checker.settle(job, { outcome, checkedAt: Date.now() });
  }

  it("a certificate expiring in 10 days raises exactly one warning, the 14-day one", async () => {
    // The stack's own checks do not trust the throwaway certificate: they fail, below a threshold that never retries.
    const m = await createMonitor({ name: "Tls shop", url: `https://localhost:${port}/`, failureThreshold: 10, retryIntervalSec: 60 });
    expect(m.certExpiryDays).toEqual([30, 14, 7, 1]);
    const stale = CheckJob.snapshotOf((await Monitor.get(m.id))!); // a job made before any warning
    const t = Date.now();
    const first = await check({ monitor: stale, dueAt: t, kind: "scheduled" });
    expect(first.result).toMatchObject({ ok: true });
    expect(first.result.certDaysLeft).toBeGreaterThanOrEqual(9);
    expect(first.result.certDaysLeft).toBeLessThanOrEqual(10);
    // a second job with the same stale snapshot publishes again; the notice still goes out once
    await check({ monitor: stale, dueAt: t + 1, kind: "scheduled" });
    // a job made after the warning publishes nothing
    await check({ monitor: CheckJob.snapshotOf((await Monitor.get(m.id))!), dueAt: t + 2, kind: "scheduled" });
    await stack.drainQueues();

    const mails = await mailsFor("Tls shop");
    expect(mails.map((x: any) => x.subject)).toEqual([`[CERTIFICATE] Tls shop: certificate expires in ${first.result.certDaysLeft} days`]);
    expect(mails[0].body.text).toContain("Warning: 14 days before expiry");
    expect(mails[0].body.text).not.toContain("30 days");
    const shown = (await ada.call("GET", `/v1/monitors/${m.id}`)).body;
    expect(shown.certDaysLeft).toBe(first.result.certDaysLeft);
    const row = (await ada.call("GET", "/v1/dashboard")).body.monitors.find((x: any) => x.id === m.id);
    expect(row.certDaysLeft).toBe(first.result.certDaysLeft);
  });
});
