import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { StatusPage } from "@uptime/core/status-pages/page";
import { Maintenance } from "@uptime/core/status-pages/maintenance";
import { SlugClaimEntity } from "@uptime/core/monitors/entity";
import { createUser, type TestUser } from "../kit/test-users";

let stack: TestStack;
let ada: TestUser;
let bob: TestUser;

beforeAll(async () => {
  stack = await startTestStack({ pollers: false });
  ada = await createUser(stack);
  bob = await createUser(stack);
});
afterAll(() => stack?.stop());

describe("status pages admin API", () => {
  it("takes over a slug only from a page's claim a killed request abandoned, never from a live or a monitor's claim", async () => {
    const stamp = Date.now();
    const claimed = async (slug: string, holder: { pageId: string } | { monitorId: string }, agoMs: number) =>
      SlugClaimEntity.put({ slug, ...holder, claimedAt: Date.now() - agoMs }).go();
    await claimed(`abandoned-${stamp}`, { pageId: "page-that-never-was" }, 120_000);
    await claimed(`fresh-${stamp}`, { pageId: "page-in-flight" }, 1_000);
    await claimed(`monitors-${stamp}`, { monitorId: "monitor-that-never-was" }, 120_000);
    expect((await ada.call("POST", "/v1/status-pages", { slug: `abandoned-${stamp}`, title: "Taken over" })).status).toBe(201);
    expect((await ada.call("POST", "/v1/status-pages", { slug: `fresh-${stamp}`, title: "Too soon" })).body.error?.code).toBe("slug_taken");
    const monitors = (await ada.call("POST", "/v1/status-pages", { slug: `monitors-${stamp}`, title: "Not ours" })).body.error;
    expect(monitors).toMatchObject({ code: "slug_taken", message: `The slug "monitors-${stamp}" is already used by a monitor's public page` });
    expect(monitors.details).toEqual([{ path: "slug", message: monitors.message, code: "slug_taken" }]);
  });

  it("builds a page with two groups, posts an incident with updates, schedules maintenance; other organisations see 404", async () => {
    const slug = `acme-${Date.now()}`;
    const page = await ada.call("POST", "/v1/status-pages", { slug, title: "Acme status" });
    expect(page.status).toBe(201);
    const pageId = page.body.id;
    expect(page.body).toMatchObject({ slug, visibility: "public", subscriberCount: 0 });

    const taken = await bob.call("POST", "/v1/status-pages", { slug, title: "Not mine" });
    expect(taken.status).toBe(409);

    const api = (await ada.call("POST", `/v1/status-pages/${pageId}/groups`, { name: "API" })).body;
    const web = (await ada.call("POST", `/v1/status-pages/${pageId}/groups`, { name: "Web" })).body;
    const rest = await ada.call("POST", `/v1/status-pages/${pageId}/components`, { name: "REST", groupId: api.id });
    const site = await ada.call("POST", `/v1/status-pages/${pageId}/components`, { name: "Website", groupId: web.id });
    expect([rest.status, site.status]).toEqual([201, 201]);
    const layout = await ada.call("GET", `/v1/status-pages/${pageId}/layout`);
    expect(layout.body.groups.map((g: any) => [g.name, g.components.map((c: any) => c.name)])).toEqual([["API", ["REST"]], ["Web", ["Website"]]]);

    const bad = await ada.call("POST", `/v1/status-pages/${pageId}/incidents`, { title: "x", impact: "huge", update: { message: "m", status: "investigating" } });
    expect(bad.status).toBe(400);
    const incident = await ada.call("POST", `/v1/status-pages/${pageId}/incidents`, {
      title: "API errors",
      impact: "major",
      componentIds: [rest.body.id],
      update: { message: "Looking into it", status: "investigating", componentStatuses: { [rest.body.id]: "partial_outage" } },
    });
    expect(incident.status).toBe(201);
    const incidentId = incident.body.id;
    const snapshotOpen = await StatusPage.snapshot(slug);
    expect(snapshotOpen!.indicator).toBe("major");
    expect(snapshotOpen!.components.find((c) => c.componentId === rest.body.id)!.status).toBe("partial_outage");

    await ada.call("POST", `/v1/status-pages/${pageId}/incidents/${incidentId}/updates`, { message: "Fix deployed", status: "monitoring" });
    const resolved = await ada.call("POST", `/v1/status-pages/${pageId}/incidents/${incidentId}/updates`, { message: "All good", status: "resolved" });
    expect(resolved.body.status).toBe("resolved");
    expect(resolved.body.updates.map((u: any) => u.status)).toEqual(["investigating", "monitoring", "resolved"]);
    const edited = await ada.call("PATCH", `/v1/status-pages/${pageId}/incidents/${incidentId}/updates/${resolved.body.updates[0].id}`, { message: "Looking into elevated errors" });
    expect(edited.body.updates[0]).toMatchObject({ message: "Looking into elevated errors" });
    expect(edited.body.updates[0].editedAt).not.toBeNull();
    expect((await StatusPage.snapshot(slug))!.indicator).toBe("none");

    const now = Date.now();
    const epochMs = await ada.call("POST", `/v1/status-pages/${pageId}/maintenance`, { title: "t", message: "m", startsAt: now + 60_000, endsAt: now + 120_000, componentIds: [site.body.id] });
    expect(epochMs.status).toBe(400);
    expect(epochMs.body.error.details.map((d: any) => d.path)).toEqual(["startsAt", "endsAt"]);
    const maint = await ada.call("POST", `/v1/status-pages/${pageId}/maintenance`, {
      title: "DB upgrade",
      message: "Short downtime",
      startsAt: new Date(now + 60_000).toISOString(),
      endsAt: new Date(now + 120_000).toISOString(),
      componentIds: [site.body.id],
    });
    expect(maint.body).not.toHaveProperty("error");
    expect(maint.status).toBe(201);
    expect(maint.body.status).toBe("scheduled");
    // the tick's step, run as if two minutes from now: scheduled → in_progress → completed
    expect(await Maintenance.runDue(now + 90_000)).toEqual({ started: 1, completed: 0 });
    expect((await ada.call("GET", `/v1/status-pages/${pageId}/maintenance/${maint.body.id}`)).body.status).toBe("in_progress");
    expect(await Maintenance.runDue(now + 130_000)).toEqual({ started: 0, completed: 1 });
    expect((await ada.call("GET", `/v1/status-pages/${pageId}/maintenance/${maint.body.id}`)).body.status).toBe("completed");

    for (const path of [`/v1/status-pages/${pageId}`, `/v1/status-pages/${pageId}/incidents/${incidentId}`, `/v1/status-pages/${pageId}/maintenance/${maint.body.id}`]) {
      expect((await bob.call("GET", path)).status).toBe(404);
    }
    expect((await bob.call("DELETE", `/v1/status-pages/${pageId}`)).status).toBe(404);
    expect((await ada.call("DELETE", `/v1/status-pages/${pageId}`)).status).toBe(204);
    expect(await StatusPage.snapshot(slug)).toBeUndefined();
  });
});
