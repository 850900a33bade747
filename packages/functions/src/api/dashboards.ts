import { createRoute, z } from "@hono/zod-openapi";
import { handle } from "hono/aws-lambda";
import { CheckResult } from "@uptime/core/check/result";
import { Dashboard } from "@uptime/core/history/dashboard";
import { Incident } from "@uptime/core/incident/incident";
import { MonitorRead } from "@uptime/core/monitors/read";
import { IdParam, Page, createApi, errorResponses, etagged, json, named, notModified } from "./http";
import { orgScoped } from "./require-org";

const RangeQuery = z.object({
  range: z.enum(Dashboard.RANGES).default("24h").openapi({ example: "30d" }),
});

/** An instant as ISO 8601 or epoch milliseconds. */
const Instant = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
    if (!Number.isFinite(t)) {
      ctx.addIssue({ code: "custom", message: "must be an ISO 8601 time or epoch milliseconds" });
      return z.NEVER;
    }
    return t;
  })
  .openapi({ type: "string", example: "2025-01-31T12:00:00Z", description: "ISO 8601 or epoch milliseconds" });


const OverviewQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().max(2048).optional(),
});

const ResultsQuery = z
  .object({ ...Page, from: Instant.optional(), to: Instant.optional() })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { path: ["from"], message: "must not be after to" });

const IncidentQuery = {
  status: z.enum(["open", "resolved"]).optional(),
  days: z.coerce.number().int().min(1).max(365).default(30).openapi({ description: "Incidents started in the last N days" }),
  ...Page,
};

const IncidentPage = z.object({ data: z.array(named(Incident.View, "Incident")), cursor: z.string().nullable() }).openapi("IncidentPage");

const summaryExample: Dashboard.Summary = {
  monitorId: "3b1f6a52-8d0e-4c3f-9a57-1f2e4d5c6b7a",
  name: "Marketing site",
  range: "30d",
  from: "2025-01-01T12:00:00.000Z",
  to: "2025-01-31T12:00:00.000Z",
  status: "up",
  lastCheckedAt: "2025-01-31T11:59:00.000Z",
  lastLatencyMs: 182,
  uptimePercent: 99.954,
  checks: { total: 43200, failed: 20 },
  latencyMs: { avg: 190.4, p50: 176.6, p95: 312.4, p99: 480.1 },
  openIncident: null,
  incidents: { count: 2, downtimeMs: 1_140_000, mttrMs: 570_000 },
};

export const app = createApi();

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/dashboard",
    tags: ["dashboards"],
    summary: "Every monitor with status, last check, 24h uptime and open incident, in one call (or a page at a time)",
    description: "Without `limit`, every monitor from `cursor` on (or from the first). The web app asks for a first page of 100, so it shows rows soon, then for the rest.",
    ...orgScoped("monitors.read"),
    request: { query: OverviewQuery },
    responses: { 200: { description: "All your monitors", ...json(named(Dashboard.Overview, "Dashboard")) }, ...notModified, ...errorResponses(400, 401) },
  }),
  async (c) => etagged(c, await Dashboard.overview(c.get("org").orgId, { page: c.req.valid("query") }), ["generatedAt"]),
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/monitors/{id}/summary",
    tags: ["dashboards"],
    summary: "Uptime, latency percentiles, incidents, downtime and MTTR over a range",
    ...orgScoped("monitors.read"),
    request: { params: IdParam, query: RangeQuery },
    responses: {
      200: { description: "The summary", ...json(named(Dashboard.Summary, "Summary", summaryExample)) },
      ...notModified,
      ...errorResponses(400, 401, 404),
    },
  }),
  async (c) => {
    const m = await MonitorRead.getOwned(c.get("org").orgId, c.req.valid("param").id);
    return etagged(c, await Dashboard.summary(m, c.req.valid("query").range), ["from", "to"]);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/monitors/{id}/results",
    tags: ["dashboards"],
    summary: "Check results, newest first, optionally between two instants",
    ...orgScoped("monitors.read"),
    request: { params: IdParam, query: ResultsQuery },
    responses: {
      200: {
        description: "A page of results",
        ...json(z.object({ data: z.array(named(CheckResult.View, "CheckResult")), cursor: z.string().nullable() })),
      },
      ...notModified,
      ...errorResponses(400, 401, 404),
    },
  }),
  async (c) => {
    const m = await MonitorRead.getOwned(c.get("org").orgId, c.req.valid("param").id);
    const q = c.req.valid("query");
    const page = await Dashboard.results(m, q);
    return etagged(c, { data: page.data.map(CheckResult.toView), cursor: page.cursor });
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/monitors/{id}/response-times",
    tags: ["dashboards"],
    summary: "Average and p95 response time per bucket (1 min for 1h, 5 min for 24h, 1 h for 7d, 1 day beyond)",
    ...orgScoped("monitors.read"),
    request: { params: IdParam, query: RangeQuery },
    responses: { 200: { description: "The series", ...json(named(Dashboard.Series, "ResponseTimes")) }, ...notModified, ...errorResponses(400, 401, 404) },
  }),
  async (c) => {
    const m = await MonitorRead.getOwned(c.get("org").orgId, c.req.valid("param").id);
    return etagged(c, await Dashboard.series(m, c.req.valid("query").range), ["to"]);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/monitors/{id}/response-times/checks",
    tags: ["dashboards"],
    summary: "Every check's response time over the last hour or day, oldest first, up to 1,000 a page",
    ...orgScoped("monitors.read"),
    request: {
      params: IdParam,
      query: z.object({ range: z.enum(Dashboard.RAW_RANGES).default("24h"), cursor: z.string().max(2048).optional() }),
    },
    responses: { 200: { description: "The checks", ...json(named(Dashboard.CheckTimes, "CheckTimes")) }, ...notModified, ...errorResponses(400, 401, 404) },
  }),
  async (c) => {
    const m = await MonitorRead.getOwned(c.get("org").orgId, c.req.valid("param").id);
    const { range, cursor } = c.req.valid("query");
    return etagged(c, await Dashboard.checkTimes(m, range, { cursor }), ["from", "to"]);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/incidents",
    tags: ["dashboards"],
    summary: "Incidents across your monitors, newest first, paginated",
    ...orgScoped("monitors.read"),
    request: { query: z.object({ monitorId: z.string().min(1).max(100).optional(), ...IncidentQuery }) },
    responses: { 200: { description: "A page of incidents", ...json(IncidentPage) }, ...notModified, ...errorResponses(400, 401, 404) },
  }),
  async (c) => etagged(c, await Dashboard.incidents(c.get("org").orgId, c.req.valid("query"))),
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/monitors/{id}/incidents",
    tags: ["dashboards"],
    summary: "One monitor's incidents, newest first, paginated",
    ...orgScoped("monitors.read"),
    request: { params: IdParam, query: z.object(IncidentQuery) },
    responses: { 200: { description: "A page of incidents", ...json(IncidentPage) }, ...notModified, ...errorResponses(400, 401, 404) },
  }),
  async (c) => {
    const filter = { ...c.req.valid("query"), monitorId: c.req.valid("param").id };
    return etagged(c, await Dashboard.incidents(c.get("org").orgId, filter));
  },
);

export const handler = handle(app);
