import type { TestStack } from "@uptime/local/testing";
import { MonitorEntity } from "@uptime/core/monitors/entity";
import type { OrgAccess } from "@uptime/core/orgs/access";
import { Components } from "@uptime/core/status-pages/components";
import { PostedIncidents } from "@uptime/core/status-pages/incidents";
import { Maintenance } from "@uptime/core/status-pages/maintenance";
import { StatusPage } from "@uptime/core/status-pages/page";
import { DAY, HOUR } from "@uptime/core/platform/time";
import type { TestUser } from "./test-users";

export interface StatusPageFixture {
  access: OrgAccess;
  page: StatusPage.StatusPageItem;
  monitorId: string;
  components: { api: string; web: string; db: string; docs: string };
  groups: { services: string; data: string };
  activeIncidentId: string;
  resolvedIncidentId: string;
  maintenanceId: string;
}

/**
 * A status page as an organisation would set it up, written through core (the admin API is
 * another branch's): two groups, a monitor-linked and static components, an unresolved incident
 * with two updates, a resolved one from last week, and upcoming maintenance.
 */
export async function createStatusPageFixture(stack: TestStack, user: TestUser, overrides: Partial<StatusPage.CreatePageInput> = {}): Promise<StatusPageFixture> {
  const me = await user.call("GET", "/v1/me");
  const orgId = me.body.id as string;
  const access: OrgAccess = { orgId, by: { kind: "user", userId: orgId, email: user.email, sessionId: "fixture", role: "owner" } };
  const monitor = await user.call("POST", "/v1/monitors", { name: "API health", url: "http://127.0.0.1:9/health" });
  if (monitor.status !== 201) throw new Error(`monitor: ${monitor.status} ${JSON.stringify(monitor.body)}`);
  const monitorId = monitor.body.id as string;
  await MonitorEntity.patch({ monitorId }).set({ state: "up" }).go();

  const now = Date.now();
  const page = await StatusPage.create(access, { slug: `acme-${now.toString(36)}`, title: `Acme <Cloud> "status"`, description: "Everything Acme runs", theme: "auto", ...overrides }, now - 10 * DAY);
  const services = await Components.createGroup(access, page.pageId, { name: "Services" });
  const data = await Components.createGroup(access, page.pageId, { name: "Data", collapsed: true });
  const api = await Components.createComponent(access, page.pageId, { name: "API", groupId: services.groupId, monitorId, description: "Public REST API" });
  const web = await Components.createComponent(access, page.pageId, { name: "Website", groupId: services.groupId });
  const db = await Components.createComponent(access, page.pageId, { name: "Database", groupId: data.groupId });
  const docs = await Components.createComponent(access, page.pageId, { name: "Docs <site>" });

  const resolved = await PostedIncidents.create(
    access,
    page.pageId,
    { title: "Slow database", impact: "minor", componentIds: [db.componentId], startedAt: new Date(now - 5 * DAY).toISOString(), update: { message: "Queries are slow.", status: "investigating", at: new Date(now - 5 * DAY).toISOString() } },
    now,
  );
  await PostedIncidents.addUpdate(access, page.pageId, resolved.incidentId, { message: "Fixed an index.", status: "resolved", at: new Date(now - 5 * DAY + 2 * HOUR).toISOString() }, now);
  const active = await PostedIncidents.create(access, page.pageId, {
    title: "Website errors <script>alert(1)</script>",
    impact: "major",
    componentIds: [web.componentId],
    update: { message: "We see errors on the website.", status: "investigating", componentStatuses: { [web.componentId]: "partial_outage" } },
  });
  await PostedIncidents.addUpdate(access, page.pageId, active.incidentId, { message: "Cause found: a bad deploy.", status: "identified" });
  const maintenance = await Maintenance.create(access, page.pageId, {
    title: "Database upgrade",
    message: "Upgrading to a new major version.",
    startsAt: new Date(now + 2 * DAY).toISOString(),
    endsAt: new Date(now + 2 * DAY + 2 * HOUR).toISOString(),
    componentIds: [db.componentId],
  });
  return {
    access,
    page: (await StatusPage.bySlug(page.slug))!,
    monitorId,
    components: { api: api.componentId, web: web.componentId, db: db.componentId, docs: docs.componentId },
    groups: { services: services.groupId, data: data.groupId },
    activeIncidentId: active.incidentId,
    resolvedIncidentId: resolved.incidentId,
    maintenanceId: maintenance.maintenanceId,
  };
}
