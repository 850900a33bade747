import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { MonitorEntity } from "@uptime/core/monitors/entity";
import { Components } from "@uptime/core/status-pages/components";
import { Maintenance } from "@uptime/core/status-pages/maintenance";
import { PostedIncidents } from "@uptime/core/status-pages/incidents";
import { StatusPage } from "@uptime/core/status-pages/page";
import { StatuspageJson } from "@uptime/core/status-pages/statuspage-json";
import { RenderCache } from "@uptime/core/status-pages/render-cache";
import { DAY, HOUR } from "@uptime/core/platform/time";
import { createUser, type TestUser } from "../kit/test-users";
import { createStatusPageFixture, type StatusPageFixture } from "../kit/status-page-fixture";
import { writeIncident } from "../kit/test-history";

/**
 * What Statuspage consumers rely on beyond the field names: every document decodes with the
 * documented types (no null where Statuspage gives a value), the times move when statuses do,
 * and the HTML page and the JSON say the same thing.
 */

let stack: TestStack;
let ada: TestUser;
let f: StatusPageFixture;

beforeAll(async () => {
  stack = await startTestStack({ pollers: false });
  ada = await createUser(stack);
  f = await createStatusPageFixture(stack, ada);
}, 60_000);
afterAll(() => stack?.stop());

const v2 = async (slug: string, doc: string) => {
  RenderCache.clear();
  const res = await stack.api(`/status/${slug}/api/v2/${doc}.json`);
  expect(res.status, doc).toBe(200);
  return res.body;
};

describe("Statuspage v2 fidelity", () => {
  it("every document decodes with Statuspage's documented types (old_status is a status, never null)", async () => {
    for (const doc of StatuspageJson.DOCUMENTS) {
      const parsed = StatuspageJson.DOCUMENT_SCHEMAS[doc].safeParse(await v2(f.page.slug, doc));
      expect(parsed.error?.issues ?? [], doc).toEqual([]);
    }
  });

  it("an automatic incident's update lists the components it takes down", async () => {
    const monitor = (await MonitorEntity.get({ monitorId: f.monitorId }).go()).data!;
    const startedAt = Date.now() - 60_000;
    await writeIncident(monitor, { startedAt });
    try {
      const s = await v2(f.page.slug, "summary");
      const automatic = s.incidents.find((i: any) => i.id.startsWith("monitor."));
      expect(automatic.incident_updates[0].affected_components).toEqual([{ code: f.components.api, name: "API", old_status: "operational", new_status: "major_outage" }]);
      expect(StatuspageJson.DOCUMENT_SCHEMAS.summary.safeParse(s).success).toBe(true);
    } finally {
      await MonitorEntity.patch({ monitorId: f.monitorId }).set({ state: "up" }).remove(["openIncidentId"]).go();
    }
  });

  it("moves component.updated_at and page.updated_at when a status changes", async () => {
    const before = await v2(f.page.slug, "summary");
    const docs = before.components.find((c: any) => c.id === f.components.docs);
    expect(docs.status).toBe("operational");
    const at = Date.now();
    await PostedIncidents.create(f.access, f.page.pageId, {
      title: "Docs down",
      impact: "critical",
      componentIds: [f.components.docs],
      update: { message: "Docs are down.", status: "investigating", componentStatuses: { [f.components.docs]: "major_outage" } },
    });
    const after = await v2(f.page.slug, "summary");
    const changed = after.components.find((c: any) => c.id === f.components.docs);
    expect(changed.status).toBe("major_outage");
    expect(Date.parse(changed.updated_at)).toBeGreaterThanOrEqual(at - 1000);
    expect(Date.parse(changed.updated_at)).toBeGreaterThan(Date.parse(docs.updated_at));
    // the page's time is its newest change, whatever changed
    const newest = Math.max(...after.components.map((c: any) => Date.parse(c.updated_at)), ...after.incidents.map((i: any) => Date.parse(i.updated_at)));
    expect(after.page.updated_at).toBe(new Date(newest).toISOString());
  });

  it("says indicator maintenance while maintenance is the only thing going on", async () => {
    const page = await StatusPage.create(f.access, { slug: `maint-${Date.now().toString(36)}`, title: "Quiet" });
    const db = await Components.createComponent(f.access, page.pageId, { name: "Database" });
    await Components.createComponent(f.access, page.pageId, { name: "API" });
    await Maintenance.create(f.access, page.pageId, {
      title: "Upgrade",
      message: "Upgrading.",
      startsAt: new Date(Date.now() - HOUR).toISOString(),
      endsAt: new Date(Date.now() + HOUR).toISOString(),
      componentIds: [db.componentId],
    });
    const s = await v2(page.slug, "status");
    expect(s.status).toEqual({ indicator: "maintenance", description: "Service Under Maintenance" });
    const active = await v2(page.slug, "scheduled-maintenances/active");
    expect(active.scheduled_maintenances[0].incident_updates[0].affected_components).toEqual([
      { code: db.componentId, name: "Database", old_status: "operational", new_status: "under_maintenance" },
    ]);
  });
});

describe("one status rule for HTML and JSON", () => {
  it("shows a group's status as its worst component, on the page and in summary.json", async () => {
    const page = await StatusPage.create(f.access, { slug: `group-${Date.now().toString(36)}`, title: "Groups" }, Date.now() - DAY);
    const group = await Components.createGroup(f.access, page.pageId, { name: "Edge" });
    const slow = await Components.createComponent(f.access, page.pageId, { name: "CDN", groupId: group.groupId });
    const down = await Components.createComponent(f.access, page.pageId, { name: "DNS", groupId: group.groupId });
    await PostedIncidents.create(f.access, page.pageId, {
      title: "Edge trouble",
      impact: "critical",
      componentIds: [slow.componentId, down.componentId],
      update: { message: "Looking.", status: "investigating", componentStatuses: { [slow.componentId]: "degraded_performance", [down.componentId]: "major_outage" } },
    });
    const json = await v2(page.slug, "summary");
    expect(json.components.find((c: any) => c.id === group.groupId).status).toBe("major_outage");
    const html: string = (await stack.api(`/status/${page.slug}`)).body;
    const summary = /<summary>Edge[\s\S]*?<\/summary>/.exec(html)![0];
    expect(summary).toContain('data-status="major_outage"');
    expect(summary).toContain("Major outage");
  });
});
