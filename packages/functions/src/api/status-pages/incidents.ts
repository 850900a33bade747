import { z } from "@hono/zod-openapi";
import { StatusPage } from "@uptime/core/status-pages/page";
import { PostedIncidents } from "@uptime/core/status-pages/incidents";
import { Page } from "../http";
import { IncidentParam, IncidentView, PageParam, READ_ERRORS, UpdateParam, WRITE_ERRORS, body, done, list, ok, route, type StatusPagesApp } from "./route";

const view = StatusPage.toIncidentView;

/** Incidents people post on a page, with their timelines of updates. */
export function addIncidentRoutes(app: StatusPagesApp) {
  app.openapi(
    route("statusPages.read", {
      method: "get",
      path: "/v1/status-pages/{pageId}/incidents",
      summary: "Posted incidents, newest first",
      request: { params: PageParam, query: z.object(Page) },
      responses: { 200: ok(list(IncidentView)), ...READ_ERRORS },
    }),
    async (c) => {
      const res = await PostedIncidents.list(c.get("org").orgId, c.req.valid("param").pageId, c.req.valid("query"));
      return c.json({ data: res.data.map(view), cursor: res.cursor ?? null }, 200);
    },
  );

  app.openapi(
    route("statusPages.write", {
      method: "post",
      path: "/v1/status-pages/{pageId}/incidents",
      summary: "Post an incident with its first update (startedAt back-dates it)",
      request: { params: PageParam, body: body(StatusPage.CreateIncidentInput) },
      responses: { 201: ok(IncidentView), ...WRITE_ERRORS },
    }),
    async (c) => c.json(view(await PostedIncidents.create(c.get("org"), c.req.valid("param").pageId, c.req.valid("json"))), 201),
  );

  app.openapi(
    route("statusPages.write", {
      method: "post",
      path: "/v1/status-pages/{pageId}/incidents/promote",
      summary: "Post a monitor's automatic incident on the page",
      request: { params: PageParam, body: body(StatusPage.PromoteInput) },
      responses: { 201: ok(IncidentView), ...WRITE_ERRORS },
    }),
    async (c) => c.json(view(await PostedIncidents.promote(c.get("org"), c.req.valid("param").pageId, c.req.valid("json"))), 201),
  );

  app.openapi(
    route("statusPages.read", {
      method: "get",
      path: "/v1/status-pages/{pageId}/incidents/{incidentId}",
      summary: "One posted incident with its updates",
      request: { params: IncidentParam },
      responses: { 200: ok(IncidentView), ...READ_ERRORS },
    }),
    async (c) => {
      const { pageId, incidentId } = c.req.valid("param");
      return c.json(view(await PostedIncidents.get(c.get("org").orgId, pageId, incidentId)), 200);
    },
  );

  app.openapi(
    route("statusPages.write", {
      method: "patch",
      path: "/v1/status-pages/{pageId}/incidents/{incidentId}",
      summary: "Change title, impact, components or start (back-dating is audited)",
      request: { params: IncidentParam, body: body(StatusPage.EditIncidentInput) },
      responses: { 200: ok(IncidentView), ...WRITE_ERRORS },
    }),
    async (c) => {
      const { pageId, incidentId } = c.req.valid("param");
      return c.json(view(await PostedIncidents.edit(c.get("org"), pageId, incidentId, c.req.valid("json"))), 200);
    },
  );

  app.openapi(
    route("statusPages.write", {
      method: "delete",
      path: "/v1/status-pages/{pageId}/incidents/{incidentId}",
      summary: "Delete a posted incident (audited)",
      request: { params: IncidentParam },
      responses: { 204: done, ...WRITE_ERRORS },
    }),
    async (c) => {
      const { pageId, incidentId } = c.req.valid("param");
      await PostedIncidents.remove(c.get("org"), pageId, incidentId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    route("statusPages.write", {
      method: "post",
      path: "/v1/status-pages/{pageId}/incidents/{incidentId}/updates",
      summary: "Add an update (status resolved resolves the incident)",
      request: { params: IncidentParam, body: body(StatusPage.UpdateInput) },
      responses: { 201: ok(IncidentView), ...WRITE_ERRORS },
    }),
    async (c) => {
      const { pageId, incidentId } = c.req.valid("param");
      return c.json(view(await PostedIncidents.addUpdate(c.get("org"), pageId, incidentId, c.req.valid("json"))), 201);
    },
  );

  app.openapi(
    route("statusPages.write", {
      method: "patch",
      path: "/v1/status-pages/{pageId}/incidents/{incidentId}/updates/{updateId}",
      summary: "Correct an update's text (audited)",
      request: { params: UpdateParam, body: body(StatusPage.EditUpdateInput) },
      responses: { 200: ok(IncidentView), ...WRITE_ERRORS },
    }),
    async (c) => {
      const { pageId, incidentId, updateId } = c.req.valid("param");
      return c.json(view(await PostedIncidents.editUpdate(c.get("org"), pageId, incidentId, updateId, c.req.valid("json"))), 200);
    },
  );
}
