import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { StatusPage } from "@uptime/core/status-pages/page";
import { createUser, type TestUser } from "../kit/test-users";

let stack: TestStack;
let target: Target;
let ada: TestUser;

beforeAll(async () => {
  stack = await startTestStack({ env: { MANUAL_CHECK_MONITOR_SEC: "0" } });
  target = await startTarget();
  ada = await createUser(stack);
});
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});

const downMails = async () => (await stack.emails()).filter((e) => e.destination.to.includes(ada.email) && e.subject.startsWith("[DOWN]"));

describe("scheduled maintenance mutes a monitor", () => {
  it("marks failures during maintenance, opens no incident and mails no one, shows under_maintenance; after it, a failure opens an incident", async () => {
    const monitor = (await ada.call("POST", "/v1/monitors", { name: "Checkout", url: target.url, failureThreshold: 1 })).body;
    await stack.drainQueues();
    const slug = `shop-${Date.now()}`;
    const page = (await ada.call("POST", "/v1/status-pages", { slug, title: "Shop status" })).body;
    const component = (await ada.call("POST", `/v1/status-pages/${page.id}/components`, { name: "Checkout", monitorId: monitor.id })).body;
    expect((await StatusPage.snapshot(slug))!.components[0]!.status).toBe("operational");

    const now = Date.now();
    const maintenance = await ada.call("POST", `/v1/status-pages/${page.id}/maintenance`, {
      title: "Payment provider switch",
      message: "Checkout may fail for a few minutes.",
      startsAt: new Date(now - 120_000).toISOString(),
      endsAt: new Date(now + 3_600_000).toISOString(),
      componentIds: [component.id],
    });
    expect(maintenance.status).toBe(201);
    expect(maintenance.body.status).toBe("in_progress");

    target.set({ status: 500 });
    // a scheduled check (the tick's fan-out of the last minute, inside the maintenance) and a manual one
    await stack.tick(new Date(now - 60_000));
    await stack.drainQueues();
    expect((await ada.call("POST", `/v1/monitors/${monitor.id}/check`)).status).toBe(200);
    await stack.drainQueues();

    const results = (await ada.call("GET", `/v1/monitors/${monitor.id}/results?limit=10`)).body.data;
    const failed = results.filter((r: any) => !r.ok);
    expect(failed.map((r: any) => [r.kind, r.inMaintenance])).toEqual([
      ["manual", true],
      ["scheduled", true],
    ]);
    const during = (await ada.call("GET", `/v1/monitors/${monitor.id}`)).body;
    expect(during.openIncidentId ?? null).toBeNull();
    expect((await ada.call("GET", `/v1/monitors/${monitor.id}/incidents`)).body.data).toEqual([]);
    expect(await downMails()).toEqual([]);
    expect((await StatusPage.snapshot(slug))!.components.find((c) => c.componentId === component.id)!.status).toBe("under_maintenance");

    const completed = await ada.call("POST", `/v1/status-pages/${page.id}/maintenance/${maintenance.body.id}/status`, { status: "completed" });
    expect(completed.body.status).toBe("completed");
    expect((await ada.call("POST", `/v1/monitors/${monitor.id}/check`)).status).toBe(200);
    await stack.drainQueues();

    const after = (await ada.call("GET", `/v1/monitors/${monitor.id}`)).body;
    expect(after.status).toBe("down");
    expect(after.openIncidentId).toBeTruthy();
    expect((await ada.call("GET", `/v1/monitors/${monitor.id}/incidents`)).body.data).toHaveLength(1);
    expect(await downMails()).toHaveLength(1);
    expect((await StatusPage.snapshot(slug))!.components.find((c) => c.componentId === component.id)!.status).toBe("major_outage");

    // The monitor's automatic incident shows on the page for the linked component, until promoted.
    const shown = (await StatusPage.snapshot(slug))!;
    expect(shown.incidents.map((i) => [i.title, i.status, i.componentIds])).toEqual([["Checkout unavailable", "investigating", [component.id]]]);
    expect(shown.indicator).toBe("critical");
    expect((await stack.api(`/status/${slug}`)).body).toContain("Checkout unavailable");
    const promoted = await ada.call("POST", `/v1/status-pages/${page.id}/incidents/promote`, { monitorIncidentId: after.openIncidentId, title: "Checkout down" });
    expect(promoted.status).toBe(201);
    expect((await StatusPage.snapshot(slug))!.incidents.map((i) => i.title)).toEqual(["Checkout down"]);
  });
});
