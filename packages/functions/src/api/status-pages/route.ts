import { createRoute, z, type OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import { StatusPage } from "@uptime/core/status-pages/page";
import { errorResponses, json, named, type Env } from "../http";
import { orgScoped } from "../require-org";

/** What the status pages routes share: the app they register on, path parameters, views and error sets. */
export type StatusPagesApp = OpenAPIHono<Env>;

/** A status pages route: tagged, and org-scoped with the read or write permission. */
export const route = <R extends Omit<RouteConfig, "tags" | "security" | "middleware">>(permission: "statusPages.read" | "statusPages.write", r: R) =>
  createRoute({ tags: ["status pages"], ...r, ...orgScoped(permission) });

const param = (name: string) => z.string().min(1).max(100).openapi({ param: { name, in: "path" } });
export const PageParam = z.object({ pageId: param("pageId") });
export const GroupParam = PageParam.extend({ groupId: param("groupId") });
export const ComponentParam = PageParam.extend({ componentId: param("componentId") });
export const IncidentParam = PageParam.extend({ incidentId: param("incidentId") });
export const UpdateParam = IncidentParam.extend({ updateId: param("updateId") });
export const MaintenanceParam = PageParam.extend({ maintenanceId: param("maintenanceId") });

export const GroupView = named(StatusPage.GroupView, "ComponentGroup");
export const ComponentView = named(StatusPage.ComponentView, "Component");
export const IncidentView = named(StatusPage.IncidentView, "PostedIncident");
export const MaintenanceView = named(StatusPage.MaintenanceView, "Maintenance");

export const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), cursor: z.string().nullable() });
export const body = <T extends z.ZodType>(schema: T) => ({ required: true, ...json(schema) });
export const ok = <T extends z.ZodType>(view: T) => ({ description: "OK", ...json(view) });
export const done = { description: "Done" };

export const READ_ERRORS = errorResponses(400, 401, 403, 404);
export const WRITE_ERRORS = errorResponses(400, 401, 403, 404, 409, 413, 415);
