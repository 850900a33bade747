import { z } from "@hono/zod-openapi";
import { StatusPage } from "@uptime/core/status-pages/page";
import { Maintenance } from "@uptime/core/status-pages/maintenance";
import { Page } from "../http";
import { MaintenanceParam, MaintenanceView, PageParam, READ_ERRORS, WRITE_ERRORS, body, list, ok, route, type StatusPagesApp } from "./route";

const view = StatusPage.toMaintenanceView;

/** Scheduled maintenance: while in progress, its components' monitors are muted. */
export function addMaintenanceRoutes(app: StatusPagesApp) {
  app.openapi(
    route("statusPages.read", {
      method: "get",
      path: "/v1/status-pages/{pageId}/maintenance",
      summary: "Scheduled maintenance, newest start first",
      request: { params: PageParam, query: z.object(Page) },
      responses: { 200: ok(list(MaintenanceView)), ...READ_ERRORS },
    }),
    async (c) => {
      const res = await Maintenance.list(c.get("org").orgId, c.req.valid("param").pageId, c.req.valid("query"));
      return c.json({ data: res.data.map(view), cursor: res.cursor ?? null }, 200);
    },
  );

  app.openapi(
    route("statusPages.write", {
      method: "post",
      path: "/v1/status-pages/{pageId}/maintenance",
      summary: "Schedule maintenance; its components' monitors are muted while it is in progress",
      request: { params: PageParam, body: body(StatusPage.CreateMaintenanceInput) },
      responses: { 201: ok(MaintenanceView), ...WRITE_ERRORS },
    }),
    async (c) => c.json(view(await Maintenance.create(c.get("org"), c.req.valid("param").pageId, c.req.valid("json"))), 201),
  );

  app.openapi(
    route("statusPages.read", {
      method: "get",
      path: "/v1/status-pages/{pageId}/maintenance/{maintenanceId}",
      summary: "One maintenance",
      request: { params: MaintenanceParam },
      responses: { 200: ok(MaintenanceView), ...READ_ERRORS },
    }),
    async (c) => {
      const { pageId, maintenanceId } = c.req.valid("param");
      return c.json(view(await Maintenance.get(c.get("org").orgId, pageId, maintenanceId)), 200);
    },
  );

  app.openapi(
    route("statusPages.write", {
      method: "patch",
      path: "/v1/status-pages/{pageId}/maintenance/{maintenanceId}",
      summary: "Change a maintenance that is not completed",
      request: { params: MaintenanceParam, body: body(StatusPage.UpdateMaintenanceInput) },
      responses: { 200: ok(MaintenanceView), ...WRITE_ERRORS },
    }),
    async (c) => {
      const { pageId, maintenanceId } = c.req.valid("param");
      return c.json(view(await Maintenance.change(c.get("org"), pageId, maintenanceId, c.req.valid("json"))), 200);
    },
  );

  app.openapi(
    route("statusPages.write", {
      method: "post",
      path: "/v1/status-pages/{pageId}/maintenance/{maintenanceId}/status",
      summary: "Move it by hand: start now, or complete now",
      request: { params: MaintenanceParam, body: body(StatusPage.MaintenanceStatusInput) },
      responses: { 200: ok(MaintenanceView), ...WRITE_ERRORS },
    }),
    async (c) => {
      const { pageId, maintenanceId } = c.req.valid("param");
      return c.json(view(await Maintenance.setStatus(c.get("org"), pageId, maintenanceId, c.req.valid("json"))), 200);
    },
  );

  app.openapi(
    route("statusPages.write", {
      method: "post",
      path: "/v1/status-pages/{pageId}/maintenance/{maintenanceId}/cancel",
      summary: "Cancel: completed at once, marked cancelled",
      request: { params: MaintenanceParam },
      responses: { 200: ok(MaintenanceView), ...WRITE_ERRORS },
    }),
    async (c) => {
      const { pageId, maintenanceId } = c.req.valid("param");
      return c.json(view(await Maintenance.cancel(c.get("org"), pageId, maintenanceId)), 200);
    },
  );

  app.openapi(
    route("statusPages.write", {
      method: "post",
      path: "/v1/status-pages/{pageId}/maintenance/{maintenanceId}/updates",
      summary: "Add an update",
      request: { params: MaintenanceParam, body: body(StatusPage.MaintenanceUpdateInput) },
      responses: { 201: ok(MaintenanceView), ...WRITE_ERRORS },
    }),
    async (c) => {
      const { pageId, maintenanceId } = c.req.valid("param");
      return c.json(view(await Maintenance.addUpdate(c.get("org"), pageId, maintenanceId, c.req.valid("json"))), 201);
    },
  );
}
