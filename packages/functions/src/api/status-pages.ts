import { z } from "@hono/zod-openapi";
import { handle } from "hono/aws-lambda";
import { StatusPage } from "@uptime/core/status-pages/page";
import { Page, createApi, described, named } from "./http";
import { addComponentRoutes } from "./status-pages/components";
import { addIncidentRoutes } from "./status-pages/incidents";
import { addMaintenanceRoutes } from "./status-pages/maintenance";
import { PageParam, READ_ERRORS, WRITE_ERRORS, body, done, list, ok, route } from "./status-pages/route";

/** The statusPages function: the admin API of an organisation's status pages, one Lambda for all its nouns. */

const PageView = named(StatusPage.PageView.extend({ subscriberCount: z.number() }), "StatusPage");
const pageView = async (p: StatusPage.StatusPageItem) => ({ ...StatusPage.toPageView(p), subscriberCount: await StatusPage.subscriberCount(p.pageId) });
const createExample = { slug: "acme", title: "Acme status" };

export const app = createApi();

app.openapi(
  route("statusPages.write", {
    method: "post",
    path: "/v1/status-pages",
    summary: "Create a status page (public at /status/{slug})",
    request: { body: body(described(StatusPage.CreatePageInput, { example: createExample })) },
    responses: { 201: ok(PageView), ...WRITE_ERRORS },
  }),
  async (c) => c.json(await pageView(await StatusPage.create(c.get("org"), c.req.valid("json"))), 201),
);

app.openapi(
  route("statusPages.read", {
    method: "get",
    path: "/v1/status-pages",
    summary: "The organisation's status pages",
    request: { query: z.object(Page) },
    responses: { 200: ok(list(PageView)), ...READ_ERRORS },
  }),
  async (c) => {
    const res = await StatusPage.list(c.get("org").orgId, c.req.valid("query"));
    return c.json({ data: await Promise.all(res.data.map(pageView)), cursor: res.cursor ?? null }, 200);
  },
);

app.openapi(
  route("statusPages.read", {
    method: "get",
    path: "/v1/status-pages/{pageId}",
    summary: "One status page",
    request: { params: PageParam },
    responses: { 200: ok(PageView), ...READ_ERRORS },
  }),
  async (c) => c.json(await pageView(await StatusPage.getOwned(c.get("org").orgId, c.req.valid("param").pageId)), 200),
);

app.openapi(
  route("statusPages.write", {
    method: "patch",
    path: "/v1/status-pages/{pageId}",
    summary: "Change a status page (slug, title, theme, visibility and password, ...)",
    request: { params: PageParam, body: body(StatusPage.UpdatePageInput) },
    responses: { 200: ok(PageView), ...WRITE_ERRORS },
  }),
  async (c) => c.json(await pageView(await StatusPage.update(c.get("org"), c.req.valid("param").pageId, c.req.valid("json"))), 200),
);

app.openapi(
  route("statusPages.write", {
    method: "delete",
    path: "/v1/status-pages/{pageId}",
    summary: "Delete a status page and everything on it",
    request: { params: PageParam },
    responses: { 204: done, ...WRITE_ERRORS },
  }),
  async (c) => {
    await StatusPage.remove(c.get("org"), c.req.valid("param").pageId);
    return c.body(null, 204);
  },
);

addComponentRoutes(app);
addIncidentRoutes(app);
addMaintenanceRoutes(app);

export const handler = handle(app);
