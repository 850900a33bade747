import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { StatusPage } from "@uptime/core/status-pages/page";
import { ComponentEntity, MaintenanceEntity, StatusPageEntity, PostedIncidentEntity, type MaintenanceItem, type PostedIncidentItem } from "@uptime/core/status-pages/entity";
import { SubscriberEntity } from "@uptime/core/status-pages/subscriber";
import { newMeter } from "@uptime/core/platform/metering";
import { DAY } from "@uptime/core/platform/time";
import { createUser, type TestUser } from "../kit/test-users";

let stack: TestStack;
let ada: TestUser;

beforeAll(async () => {
  stack = await startTestStack({ pollers: false });
  ada = await createUser(stack);
});
afterAll(() => stack?.stop());

async function newPage() {
  const slug = `hist-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const page = await ada.call("POST", "/v1/status-pages", { slug, title: "History" });
  expect(page.status).toBe(201);
  const component = await ada.call("POST", `/v1/status-pages/${page.body.id}/components`, { name: "API" });
  const pageId = page.body.id as string;
  const { data } = await StatusPageEntity.get({ pageId }).go();
  return { slug, pageId, orgId: data!.orgId, componentId: component.body.id as string };
}

const incident = (pageId: string, orgId: string, id: string, startedAt: number, resolved: boolean): PostedIncidentItem => ({
  pageId,
  incidentId: id,
  orgId,
  title: id,
  impact: "minor",
  componentIds: [],
  startedAt,
  status: resolved ? "resolved" : "investigating",
  ...(resolved && { resolvedAt: startedAt + 3_600_000 }),
  updates: [
    { updateId: `${id}-1`, message: "Looking", status: "investigating", componentStatuses: {}, at: startedAt },
    ...(resolved ? [{ updateId: `${id}-2`, message: "Fixed", status: "resolved" as const, componentStatuses: {}, at: startedAt + 3_600_000 }] : []),
  ],
  revision: 1,
  createdAt: startedAt,
  updatedAt: startedAt,
});

const maintenance = (pageId: string, orgId: string, id: string, startsAt: number, endsAt: number, status: MaintenanceItem["status"]): MaintenanceItem => ({
  pageId,
  maintenanceId: id,
  orgId,
  title: id,
  message: "Upgrade",
  startsAt,
  endsAt,
  componentIds: [],
  status,
  updates: [],
  revision: 1,
  createdAt: startsAt,
  updatedAt: startsAt,
});

describe("status page history", () => {
  it("snapshot reads the last 90 days and what is still open, the same however long the older history is", async () => {
    const { slug, pageId, orgId } = await newPage();
    const now = Date.now();
    await PostedIncidentEntity.put([
      incident(pageId, orgId, "old-open", now - 200 * DAY, false),
      incident(pageId, orgId, "recent-resolved", now - 10 * DAY, true),
    ]).go();
    await MaintenanceEntity.put([
      maintenance(pageId, orgId, "long-running", now - 200 * DAY, now + DAY, "in_progress"),
      maintenance(pageId, orgId, "upcoming", now + DAY, now + 2 * DAY, "scheduled"),
      maintenance(pageId, orgId, "old-done", now - 200 * DAY, now - 199 * DAY, "completed"),
    ]).go();

    const readSnapshot = async () => {
      const meter = newMeter();
      const s = (await StatusPage.snapshot(slug, now, { meter }))!;
      return { items: meter.items, incidents: s.incidents.map((i) => i.incidentId), maintenance: s.maintenance.map((m) => m.maintenanceId) };
    };
    const before = await readSnapshot();
    expect(before.incidents).toEqual(["old-open", "recent-resolved"]);
    expect(before.maintenance).toEqual(["upcoming", "long-running"]);

    // a long history before the window: resolved incidents and completed maintenance
    await PostedIncidentEntity.put(Array.from({ length: 60 }, (_, i) => incident(pageId, orgId, `old-${i}`, now - (100 + i) * DAY, true))).go();
    await MaintenanceEntity.put(Array.from({ length: 30 }, (_, i) => maintenance(pageId, orgId, `old-m-${i}`, now - (100 + i) * DAY, now - (100 + i) * DAY + 3_600_000, "completed"))).go();
    expect(await readSnapshot()).toEqual(before);

    // an incident resolved by a later update leaves the open index
    const resolved = { ...incident(pageId, orgId, "old-open", now - 200 * DAY, true), revision: 2 };
    await PostedIncidentEntity.put(resolved).go();
    expect((await readSnapshot()).incidents).toEqual(["recent-resolved"]);
  });

  it("pages the incidents of one UTC month, newest first", async () => {
    const { pageId, orgId } = await newPage();
    const march = Array.from({ length: 30 }, (_, d) => incident(pageId, orgId, `mar-${String(d + 1).padStart(2, "0")}`, Date.UTC(2024, 2, d + 1, 12), true));
    const edges = [
      incident(pageId, orgId, "feb-last", Date.UTC(2024, 2, 1) - 1, true),
      incident(pageId, orgId, "mar-last", Date.UTC(2024, 3, 1) - 1, true),
      incident(pageId, orgId, "apr-first", Date.UTC(2024, 3, 1), true),
    ];
    await PostedIncidentEntity.put([...march, ...edges]).go();

    const first = await StatusPage.incidentsInMonth(pageId, "2024-03", { limit: 25 });
    expect(first.data).toHaveLength(25);
    expect(first.cursor).toBeTruthy();
    const second = await StatusPage.incidentsInMonth(pageId, "2024-03", { limit: 25, cursor: first.cursor });
    const ids = [...first.data, ...second.data].map((i) => i.incidentId);
    expect(ids).toEqual(["mar-last", ...march.map((i) => i.incidentId).reverse()]);
    expect(second.cursor).toBeNull();
    await expect(StatusPage.incidentsInMonth(pageId, "2024-13")).rejects.toMatchObject({ code: "invalid_month" });
    await expect(StatusPage.incidentsInMonth(pageId, "2024-03", { cursor: "bm9wZQ" })).rejects.toMatchObject({ code: "invalid_cursor" });
  });

  it("deletes a page with more items of every kind than one batch holds", async () => {
    const { slug, pageId, orgId } = await newPage();
    const t = Date.now() - DAY;
    await ComponentEntity.put(Array.from({ length: 40 }, (_, i) => ({ pageId, componentId: `c-${i}`, orgId, name: `C${i}`, order: i + 1, manualStatus: "operational" as const, createdAt: t, updatedAt: t }))).go();
    await PostedIncidentEntity.put(Array.from({ length: 55 }, (_, i) => incident(pageId, orgId, `i-${i}`, t - i * DAY, i % 2 === 0))).go();
    await MaintenanceEntity.put(Array.from({ length: 30 }, (_, i) => maintenance(pageId, orgId, `m-${i}`, t - i * DAY, t - i * DAY + 3_600_000, "completed"))).go();
    const statuses = ["pending", "confirmed", "unsubscribed"] as const;
    await SubscriberEntity.put(
      Array.from({ length: 60 }, (_, i) => ({ pageId, subscriberId: `s-${i}`, email: `s${i}@example.com`, status: statuses[i % 3]!, createdAt: t, changedAt: t })),
    ).go();

    expect((await ada.call("DELETE", `/v1/status-pages/${pageId}`)).status).toBe(204);
    const left = await Promise.all([
      ComponentEntity.query.byPage({ pageId }).go({ pages: "all" }),
      PostedIncidentEntity.query.byPage({ pageId }).go({ pages: "all" }),
      MaintenanceEntity.query.byPage({ pageId }).go({ pages: "all" }),
      SubscriberEntity.query.byPage({ pageId }).go({ pages: "all" }),
    ]);
    expect(left.map((r) => r.data.length)).toEqual([0, 0, 0, 0]);
    expect(await StatusPage.snapshot(slug)).toBeUndefined();
    expect((await ada.call("GET", `/v1/status-pages/${pageId}`)).status).toBe(404);
  });
});
