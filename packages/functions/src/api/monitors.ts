import { createRoute, z } from "@hono/zod-openapi";
import { handle } from "hono/aws-lambda";
import { CheckResult } from "@uptime/core/check/result";
import { Checker } from "@uptime/core/check/checker";
import { ManualLimits } from "@uptime/core/check/manual-limits";
import { Monitor } from "@uptime/core/monitors/monitor";
import { User } from "@uptime/core/accounts/user";
import { VisibleError } from "@uptime/core/platform/errors";
import { IdParam, Page, bearer, createApi, described, errorResponses, etagged, json, named, notModified } from "./http";
import { requireUser } from "./require-user";

const MonitorView = named(Monitor.Info, "Monitor");
const PageQuery = z.object(Page);
const example = {
  name: "Marketing site",
  url: "https://example.com/health",
  intervalSec: 60,
  expectedStatus: ["200-299"],
  keyword: "ok",
  slug: "example-site",
};

const view = async (m: Monitor.MonitorItem) => Monitor.toInfo(m, await CheckResult.lastOf(m.monitorId));

export const app = createApi();
app.use("/v1/monitors", requireUser);
app.use("/v1/monitors/*", requireUser);

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/monitors",
    tags: ["monitors"],
    summary: "Create a monitor; its first check is queued at once",
    security: bearer,
    request: { body: { required: true, ...json(described(Monitor.CreateInput, { example })) } },
    responses: { 201: { description: "Created", ...json(MonitorView) }, ...errorResponses(400, 401, 403, 409, 413, 415) },
  }),
  async (c) => {
    const actor = c.get("actor");
    const owner = await User.get(actor.userId);
    if (!owner) throw new VisibleError("unauthorized", "invalid_token", "The account for this token no longer exists");
    const m = await Monitor.create(actor.userId, owner.email, c.req.valid("json"));
    return c.json(await view(m), 201);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/monitors",
    tags: ["monitors"],
    summary: "List your monitors (oldest first, paginated with a cursor)",
    security: bearer,
    request: { query: PageQuery },
    responses: {
      200: { description: "A page of monitors", ...json(z.object({ data: z.array(MonitorView), cursor: z.string().nullable() })) },
      ...errorResponses(400, 401),
    },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const page = await Monitor.listByOwner(c.get("actor").userId, { limit, cursor });
    return c.json({ data: await Promise.all(page.data.map(view)), cursor: page.cursor ?? null }, 200);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/monitors/{id}",
    tags: ["monitors"],
    summary: "One monitor with its live status",
    security: bearer,
    request: { params: IdParam },
    responses: { 200: { description: "The monitor", ...json(MonitorView) }, ...notModified, ...errorResponses(401, 404) },
  }),
  async (c) => etagged(c, await view(await Monitor.getOwned(c.get("actor").userId, c.req.valid("param").id))),
);

app.openapi(
  createRoute({
    method: "patch",
    path: "/v1/monitors/{id}",
    tags: ["monitors"],
    summary: "Change a monitor (send only the fields to change; null clears optional ones)",
    security: bearer,
    request: { params: IdParam, body: { required: true, ...json(described(Monitor.UpdateInput, { example: { paused: true } })) } },
    responses: { 200: { description: "The changed monitor", ...json(MonitorView) }, ...errorResponses(400, 401, 404, 409, 415) },
  }),
  async (c) => {
    const m = await Monitor.update(c.get("actor").userId, c.req.valid("param").id, c.req.valid("json"));
    return c.json(await view(m), 200);
  },
);

app.openapi(
  createRoute({
    method: "delete",
    path: "/v1/monitors/{id}",
    tags: ["monitors"],
    summary: "Delete a monitor",
    security: bearer,
    request: { params: IdParam },
    responses: { 204: { description: "Deleted" }, ...errorResponses(401, 404) },
  }),
  async (c) => {
    await Monitor.remove(c.get("actor").userId, c.req.valid("param").id);
    return c.body(null, 204);
  },
);

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/monitors/{id}/check",
    tags: ["monitors"],
    summary: "Run a check now; it counts towards incidents like any scheduled check",
    description:
      "At most one per monitor per `MANUAL_CHECK_MONITOR_SEC` (10 s) and `MANUAL_CHECKS_PER_HOUR` (60) per account and clock hour; past either, 429 `too_many_manual_checks` with `Retry-After`.",
    security: bearer,
    request: { params: IdParam },
    responses: {
      200: { description: "The check result and the monitor after it", ...json(z.object({ result: named(CheckResult.View, "CheckResult"), monitor: MonitorView })) },
      ...errorResponses(401, 404, 429),
    },
  }),
  async (c) => {
    const actor = c.get("actor");
    const m = await Monitor.getOwned(actor.userId, c.req.valid("param").id);
    await ManualLimits.reserve(actor.userId, m.monitorId);
    const { result } = await Checker.runNow(m);
    const after = await Monitor.getOwned(actor.userId, m.monitorId);
    return c.json({ result: CheckResult.toView(result), monitor: await view(after) }, 200);
  },
);

export const handler = handle(app);
