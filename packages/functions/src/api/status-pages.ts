import { createRoute, z } from "@hono/zod-openapi";
import { handle } from "hono/aws-lambda";
import { StatusPage } from "@uptime/core/status-pages/page";
import { Components } from "@uptime/core/status-pages/components";
import { PostedIncidents } from "@uptime/core/status-pages/incidents";
import { Maintenance } from "@uptime/core/status-pages/maintenance";
import { Page, createApi, described, errorResponses, json, named } from "./http";
import { orgScoped } from "./require-org";

const param = (name: string) => z.string().min(1).max(100).openapi({ param: { name, in: "path" } });
const PageParam = z.object({ pageId: param("pageId") });
const GroupParam = PageParam.extend({ groupId: param("groupId") });
const ComponentParam = PageParam.extend({ componentId: param("componentId") });
const IncidentParam = PageParam.extend({ incidentId: param("incidentId") });
const UpdateParam = IncidentParam.extend({ updateId: param("updateId") });
const MaintenanceParam = PageParam.extend({ maintenanceId: param("maintenanceId") });

const PageView = named(StatusPage.PageView.extend({ subscriberCount: z.number() }), "StatusPage");
const GroupView = named(StatusPage.GroupView, "ComponentGroup");
const ComponentView = named(StatusPage.ComponentView, "Component");
const LayoutView = named(z.object({ groups: z.array(GroupView.extend({ components: z.array(ComponentView) })), ungrouped: z.array(ComponentView) }), "StatusPageLayout");
const IncidentView = named(StatusPage.IncidentView, "PostedIncident");
const MaintenanceView = named(StatusPage.MaintenanceView, "Maintenance");
const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), cursor: z.string().nullable() });
const body = <T extends z.ZodType>(schema: T) => ({ body: { required: true, ...json(schema) } });

const pageView = async (p: StatusPage.StatusPageItem) => ({ ...StatusPage.toPageView(p), subscriberCount: await StatusPage.subscriberCount(p.pageId) });
const layoutView = ({ groups, components }: Awaited<ReturnType<typeof Components.read>>) => {
  const l = Components.layoutOf(groups, components);
  return {
    groups: l.groups.map((g) => ({ ...StatusPage.toGroupView(g.group), components: g.components.map(StatusPage.toComponentView) })),
    ungrouped: l.ungrouped.map(StatusPage.toComponentView),
  };
};

type Method = "get" | "post" | "patch" | "put" | "delete";
const route = <P extends z.ZodObject | undefined>(
  method: Method,
  path: string,
  summary: string,
  write: boolean,
  opts: { params?: P; request?: Record<string, unknown>; ok: number; view?: z.ZodType },
) =>
  createRoute({
    method,
    path,
    tags: ["status pages"],
    summary,
    ...orgScoped(write ? "statusPages.write" : "statusPages.read"),
    request: { ...(opts.params && { params: opts.params }), ...opts.request },
    responses: {
      [opts.ok]: opts.view ? { description: "OK", ...json(opts.view) } : { description: "Done" },
      ...errorResponses(...(write ? [400, 401, 403, 404, 409, 413, 415] : [400, 401, 403, 404])),
    },
  } as any) as any;

export const app = createApi();

// ---------- pages ----------

app.openapi(route("post", "/v1/status-pages", "Create a status page (public at /status/{slug})", true, { request: body(described(StatusPage.CreatePageInput, { example: { slug: "acme", title: "Acme status" } })), ok: 201, view: PageView }), async (c: any) =>
  c.json(await pageView(await StatusPage.create(c.get("org"), c.req.valid("json"))), 201),
);
app.openapi(route("get", "/v1/status-pages", "The organisation's status pages", false, { request: { query: z.object(Page) }, ok: 200, view: list(PageView) }), async (c: any) => {
  const res = await StatusPage.list(c.get("org").orgId, c.req.valid("query"));
  return c.json({ data: await Promise.all(res.data.map(pageView)), cursor: res.cursor ?? null }, 200);
});
app.openapi(route("get", "/v1/status-pages/{pageId}", "One status page", false, { params: PageParam, ok: 200, view: PageView }), async (c: any) =>
  c.json(await pageView(await StatusPage.getOwned(c.get("org").orgId, c.req.valid("param").pageId)), 200),
);
app.openapi(route("patch", "/v1/status-pages/{pageId}", "Change a status page (slug, title, theme, visibility and password, ...)", true, { params: PageParam, request: body(StatusPage.UpdatePageInput), ok: 200, view: PageView }), async (c: any) =>
  c.json(await pageView(await StatusPage.update(c.get("org"), c.req.valid("param").pageId, c.req.valid("json"))), 200),
);
app.openapi(route("delete", "/v1/status-pages/{pageId}", "Delete a status page and everything on it", true, { params: PageParam, ok: 204 }), async (c: any) => {
  await StatusPage.remove(c.get("org"), c.req.valid("param").pageId);
  return c.body(null, 204);
});

// ---------- layout, groups, components ----------

app.openapi(route("get", "/v1/status-pages/{pageId}/layout", "Groups in order with their components, then ungrouped components", false, { params: PageParam, ok: 200, view: LayoutView }), async (c: any) => {
  const { pageId } = c.req.valid("param");
  await StatusPage.getOwned(c.get("org").orgId, pageId);
  return c.json(layoutView(await Components.read(pageId)), 200);
});
app.openapi(route("put", "/v1/status-pages/{pageId}/layout", "Reorder: every group and component of the page, each exactly once", true, { params: PageParam, request: body(StatusPage.LayoutInput), ok: 200, view: LayoutView }), async (c: any) =>
  c.json(layoutView(await Components.setLayout(c.get("org"), c.req.valid("param").pageId, c.req.valid("json"))), 200),
);
app.openapi(route("post", "/v1/status-pages/{pageId}/groups", "Add a component group (last)", true, { params: PageParam, request: body(StatusPage.CreateGroupInput), ok: 201, view: GroupView }), async (c: any) =>
  c.json(StatusPage.toGroupView(await Components.createGroup(c.get("org"), c.req.valid("param").pageId, c.req.valid("json"))), 201),
);
app.openapi(route("patch", "/v1/status-pages/{pageId}/groups/{groupId}", "Rename or collapse a group", true, { params: GroupParam, request: body(StatusPage.UpdateGroupInput), ok: 200, view: GroupView }), async (c: any) => {
  const p = c.req.valid("param");
  return c.json(StatusPage.toGroupView(await Components.updateGroup(c.get("org"), p.pageId, p.groupId, c.req.valid("json"))), 200);
});
app.openapi(route("delete", "/v1/status-pages/{pageId}/groups/{groupId}", "Delete a group; its components stay, ungrouped", true, { params: GroupParam, ok: 204 }), async (c: any) => {
  const p = c.req.valid("param");
  await Components.removeGroup(c.get("org"), p.pageId, p.groupId);
  return c.body(null, 204);
});
app.openapi(route("post", "/v1/status-pages/{pageId}/components", "Add a component: linked to a monitor, or static with a manual status", true, { params: PageParam, request: body(StatusPage.CreateComponentInput), ok: 201, view: ComponentView }), async (c: any) =>
  c.json(StatusPage.toComponentView(await Components.createComponent(c.get("org"), c.req.valid("param").pageId, c.req.valid("json"))), 201),
);
app.openapi(route("patch", "/v1/status-pages/{pageId}/components/{componentId}", "Change a component; set or clear (null) a linked component's override", true, { params: ComponentParam, request: body(StatusPage.UpdateComponentInput), ok: 200, view: ComponentView }), async (c: any) => {
  const p = c.req.valid("param");
  return c.json(StatusPage.toComponentView(await Components.updateComponent(c.get("org"), p.pageId, p.componentId, c.req.valid("json"))), 200);
});
app.openapi(route("delete", "/v1/status-pages/{pageId}/components/{componentId}", "Delete a component", true, { params: ComponentParam, ok: 204 }), async (c: any) => {
  const p = c.req.valid("param");
  await Components.removeComponent(c.get("org"), p.pageId, p.componentId);
  return c.body(null, 204);
});

// ---------- posted incidents ----------

const incident = (i: StatusPage.PostedIncidentItem) => StatusPage.toIncidentView(i);
app.openapi(route("get", "/v1/status-pages/{pageId}/incidents", "Posted incidents, newest first", false, { params: PageParam, request: { query: z.object(Page) }, ok: 200, view: list(IncidentView) }), async (c: any) => {
  const res = await PostedIncidents.list(c.get("org").orgId, c.req.valid("param").pageId, c.req.valid("query"));
  return c.json({ data: res.data.map(incident), cursor: res.cursor ?? null }, 200);
});
app.openapi(route("post", "/v1/status-pages/{pageId}/incidents", "Post an incident with its first update (startedAt back-dates it)", true, { params: PageParam, request: body(StatusPage.CreateIncidentInput), ok: 201, view: IncidentView }), async (c: any) =>
  c.json(incident(await PostedIncidents.create(c.get("org"), c.req.valid("param").pageId, c.req.valid("json"))), 201),
);
app.openapi(route("post", "/v1/status-pages/{pageId}/incidents/promote", "Post a monitor's automatic incident on the page", true, { params: PageParam, request: body(StatusPage.PromoteInput), ok: 201, view: IncidentView }), async (c: any) =>
  c.json(incident(await PostedIncidents.promote(c.get("org"), c.req.valid("param").pageId, c.req.valid("json"))), 201),
);
app.openapi(route("get", "/v1/status-pages/{pageId}/incidents/{incidentId}", "One posted incident with its updates", false, { params: IncidentParam, ok: 200, view: IncidentView }), async (c: any) => {
  const p = c.req.valid("param");
  return c.json(incident(await PostedIncidents.get(c.get("org").orgId, p.pageId, p.incidentId)), 200);
});
app.openapi(route("patch", "/v1/status-pages/{pageId}/incidents/{incidentId}", "Change title, impact, components or start (back-dating is audited)", true, { params: IncidentParam, request: body(StatusPage.EditIncidentInput), ok: 200, view: IncidentView }), async (c: any) => {
  const p = c.req.valid("param");
  return c.json(incident(await PostedIncidents.edit(c.get("org"), p.pageId, p.incidentId, c.req.valid("json"))), 200);
});
app.openapi(route("delete", "/v1/status-pages/{pageId}/incidents/{incidentId}", "Delete a posted incident (audited)", true, { params: IncidentParam, ok: 204 }), async (c: any) => {
  const p = c.req.valid("param");
  await PostedIncidents.remove(c.get("org"), p.pageId, p.incidentId);
  return c.body(null, 204);
});
app.openapi(route("post", "/v1/status-pages/{pageId}/incidents/{incidentId}/updates", "Add an update (status resolved resolves the incident)", true, { params: IncidentParam, request: body(StatusPage.UpdateInput), ok: 201, view: IncidentView }), async (c: any) => {
  const p = c.req.valid("param");
  return c.json(incident(await PostedIncidents.addUpdate(c.get("org"), p.pageId, p.incidentId, c.req.valid("json"))), 201);
});
app.openapi(route("patch", "/v1/status-pages/{pageId}/incidents/{incidentId}/updates/{updateId}", "Correct an update's text (audited)", true, { params: UpdateParam, request: body(StatusPage.EditUpdateInput), ok: 200, view: IncidentView }), async (c: any) => {
  const p = c.req.valid("param");
  return c.json(incident(await PostedIncidents.editUpdate(c.get("org"), p.pageId, p.incidentId, p.updateId, c.req.valid("json"))), 200);
});

// ---------- maintenance ----------

const maint = (m: StatusPage.MaintenanceItem) => StatusPage.toMaintenanceView(m);
app.openapi(route("get", "/v1/status-pages/{pageId}/maintenance", "Scheduled maintenance, newest start first", false, { params: PageParam, request: { query: z.object(Page) }, ok: 200, view: list(MaintenanceView) }), async (c: any) => {
  const res = await Maintenance.list(c.get("org").orgId, c.req.valid("param").pageId, c.req.valid("query"));
  return c.json({ data: res.data.map(maint), cursor: res.cursor ?? null }, 200);
});
app.openapi(route("post", "/v1/status-pages/{pageId}/maintenance", "Schedule maintenance; its components' monitors are muted while it is in progress", true, { params: PageParam, request: body(StatusPage.CreateMaintenanceInput), ok: 201, view: MaintenanceView }), async (c: any) =>
  c.json(maint(await Maintenance.create(c.get("org"), c.req.valid("param").pageId, c.req.valid("json"))), 201),
);
app.openapi(route("get", "/v1/status-pages/{pageId}/maintenance/{maintenanceId}", "One maintenance", false, { params: MaintenanceParam, ok: 200, view: MaintenanceView }), async (c: any) => {
  const p = c.req.valid("param");
  return c.json(maint(await Maintenance.get(c.get("org").orgId, p.pageId, p.maintenanceId)), 200);
});
app.openapi(route("patch", "/v1/status-pages/{pageId}/maintenance/{maintenanceId}", "Change a maintenance that is not completed", true, { params: MaintenanceParam, request: body(StatusPage.UpdateMaintenanceInput), ok: 200, view: MaintenanceView }), async (c: any) => {
  const p = c.req.valid("param");
  return c.json(maint(await Maintenance.change(c.get("org"), p.pageId, p.maintenanceId, c.req.valid("json"))), 200);
});
app.openapi(route("post", "/v1/status-pages/{pageId}/maintenance/{maintenanceId}/status", "Move it by hand: start now, or complete now", true, { params: MaintenanceParam, request: body(StatusPage.MaintenanceStatusInput), ok: 200, view: MaintenanceView }), async (c: any) => {
  const p = c.req.valid("param");
  return c.json(maint(await Maintenance.setStatus(c.get("org"), p.pageId, p.maintenanceId, c.req.valid("json"))), 200);
});
app.openapi(route("post", "/v1/status-pages/{pageId}/maintenance/{maintenanceId}/cancel", "Cancel: completed at once, marked cancelled", true, { params: MaintenanceParam, ok: 200, view: MaintenanceView }), async (c: any) => {
  const p = c.req.valid("param");
  return c.json(maint(await Maintenance.cancel(c.get("org"), p.pageId, p.maintenanceId)), 200);
});
app.openapi(route("post", "/v1/status-pages/{pageId}/maintenance/{maintenanceId}/updates", "Add an update", true, { params: MaintenanceParam, request: body(StatusPage.MaintenanceUpdateInput), ok: 201, view: MaintenanceView }), async (c: any) => {
  const p = c.req.valid("param");
  return c.json(maint(await Maintenance.addUpdate(c.get("org"), p.pageId, p.maintenanceId, c.req.valid("json"))), 201);
});

export const handler = handle(app);
