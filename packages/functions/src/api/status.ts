import { createRoute, z } from "@hono/zod-openapi";
import { accepts } from "hono/accepts";
import { handle } from "hono/aws-lambda";
import { Demo } from "@uptime/core/public/demo";
import { StatusPage } from "@uptime/core/public/status-page";
import { createApi, errorJson, errorResponses, json, named } from "./http";
import { cacheable, lockedDown, monitorPage } from "./monitor-page";

const SlugParam = z.object({
  slug: z.string().min(1).max(100).openapi({ param: { name: "slug", in: "path" }, example: "example-site" }),
});

const View = named(StatusPage.View, "PublicStatus", {
  name: "Marketing site",
    status: "up",
    lastCheckedAt: "2025-01-31T11:59:00.000Z",
    generatedAt: "2025-01-31T11:59:30.000Z",
    uptime: { "24h": 100, "7d": 99.98, "30d": 99.954, "90d": 99.97 },
    days: [{ date: "2025-01-31", uptimePercent: 100, checks: 720, failed: 0 }],
    incidents: [
    { status: "resolved", startedAt: "2025-01-20T03:12:00.000Z", resolvedAt: "2025-01-20T03:21:00.000Z", durationMs: 540000, reason: "timeout" },
  ],
});
const html = { "text/html": { schema: z.string().openapi({ description: "A server-rendered page; its only script is the day bars' tooltip" }) } };

export const app = createApi();

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/status/{slug}",
    tags: ["status"],
    summary: "Public status of a monitor: JSON, or the HTML page when the client prefers text/html",
    request: { params: SlugParam },
    responses: {
      200: { description: "The public status", content: { "application/json": { schema: View }, ...html } },
      ...errorResponses(404),
    },
  }),
  async (c) => {
    const { slug } = c.req.valid("param");
    // One URL, two representations: caches must key on Accept.
    c.header("Vary", "Accept");
    if (accepts(c, { header: "Accept", supports: ["application/json", "text/html"], default: "application/json" }) === "text/html") {
      return monitorPage(c, slug);
    }
    cacheable(c);
    const view = await StatusPage.forSlug(slug);
    if (!view) return errorJson(c, 404, "not_found", "Status page not found");
    return c.json(view, 200);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/status/{slug}/badge.svg",
    tags: ["status"],
    summary: "A shields-style SVG badge: current status, or uptime over a range",
    request: {
      params: SlugParam,
      query: z.object({
        type: z.enum(["status", "uptime"]).default("status"),
        range: z.enum(StatusPage.WINDOWS).default("30d"),
      }),
    },
    responses: {
      200: { description: "The badge", content: { "image/svg+xml": { schema: z.string() } } },
      ...errorResponses(400, 404),
    },
  }),
  async (c) => {
    const view = await StatusPage.forSlug(c.req.valid("param").slug);
    cacheable(c);
    if (!view) return errorJson(c, 404, "not_found", "Status page not found");
    lockedDown(c);
    const svg = StatusPage.badgeSvg(StatusPage.badgeFor(view, c.req.valid("query")));
    return c.body(svg, 200, { "Content-Type": "image/svg+xml; charset=utf-8" });
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/demo/snapshot",
    tags: ["demo"],
    summary: "Live status and latency of a few public sites, refreshed at most once a minute",
    responses: {
      200: {
        description: "The snapshot",
        ...json(
          named(Demo.Snapshot, "DemoSnapshot", {
            checkedAt: "2025-01-31T12:00:00.000Z",
            timeoutMs: 5000,
            sites: [{ url: "https://github.com", host: "github.com", status: "up", httpStatus: 200, latencyMs: 143, reason: null }],
          }),
        ),
      },
    },
  }),
  async (c) => {
    const { snapshot, maxAgeSec } = await Demo.snapshot();
    cacheable(c, maxAgeSec);
    return c.json(snapshot, 200);
  },
);

export const handler = handle(app);
