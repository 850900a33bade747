import { createRoute, z } from "@hono/zod-openapi";
import { handle } from "hono/aws-lambda";
import { CheckResult } from "@uptime/core/check/result";
import { LiveStatus } from "@uptime/core/history/live-status";
import { Checker } from "@uptime/core/check/checker";
import { DryRun } from "@uptime/core/check/dry-run";
import { ManualLimits } from "@uptime/core/check/manual-limits";
import { Monitor } from "@uptime/core/monitors/monitor";
import { User } from "@uptime/core/accounts/user";
import { actingUserId } from "@uptime/core/orgs/access";
import { Audit } from "@uptime/core/orgs/audit";
import { VisibleError, notFound } from "@uptime/core/platform/errors";
import { Heartbeat } from "@uptime/core/heartbeat/heartbeat";
import { IdParam, Page, createApi, described, errorResponses, etagged, json, named, notModified } from "./http";
import { accessCan, orgScoped } from "./require-org";

// each type named, so the document's union on `type` carries a discriminator mapping
const MonitorView = named(
  z.discriminatedUnion("type", [named(Monitor.HttpInfo, "HttpMonitor"), named(Monitor.TcpInfo, "TcpMonitor"), named(Monitor.DnsInfo, "DnsMonitor"), named(Monitor.HeartbeatMonitorInfo, "HeartbeatMonitor")]),
  "Monitor",
);
// Up to 1,000 a page: a page's live figures cost one batch read per 100 cohorts, so one page of N beats N/100 pages.
const PageQuery = z.object({ ...Page, limit: z.coerce.number().int().min(1).max(1000).default(50) });
const example = {
  name: "Marketing site",
  url: "https://example.com/health",
  intervalSec: 60,
  expectedStatus: ["200-299"],
  keyword: "ok",
  slug: "example-site",
};

const view = async (m: Monitor.MonitorItem, opts?: { pingUrl: boolean }) => Monitor.toInfo(m, await CheckResult.lastOf(m), opts);
/** A heartbeat's ping URL is its only credential: shown to those who may change the monitor. */
const shown = (c: { get(key: "org"): Parameters<typeof accessCan>[0] }) => ({ pingUrl: accessCan(c.get("org"), "monitors.write") });

export const app = createApi();

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/monitors",
    tags: ["monitors"],
    summary: "Create a monitor; its first check is queued at once",
    ...orgScoped("monitors.write"),
    request: { body: { required: true, ...json(described(Monitor.CreateInput, { example })) } },
    responses: { 201: { description: "Created", ...json(MonitorView) }, ...errorResponses(400, 401, 403, 409, 413, 415) },
  }),
  async (c) => {
    const org = c.get("org");
    // The default alert address is the acting user's (for an API key: its creator's).
    const user = await User.get(actingUserId(org));
    if (!user) throw new VisibleError("unauthorized", "invalid_token", "The account behind this token no longer exists");
    const m = await Monitor.create(org.orgId, user.email, c.req.valid("json"));
    await Audit.record(org, "monitor.create", { type: "monitor", id: m.monitorId }, { name: m.name });
    return c.json(await view(m), 201);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/monitors",
    tags: ["monitors"],
    summary: "List the organisation's monitors (oldest first, paginated with a cursor)",
    ...orgScoped("monitors.read"),
    request: { query: PageQuery },
    responses: {
      200: { description: "A page of monitors", ...json(z.object({ data: z.array(MonitorView), cursor: z.string().nullable() })) },
      ...errorResponses(400, 401),
    },
  }),
  async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const page = await Monitor.listByOwner(c.get("org").orgId, { limit, cursor });
    const live = await LiveStatus.forMonitors(page.data);
    return c.json({ data: page.data.map((m) => Monitor.toInfo(m, live.get(m.monitorId)?.last, shown(c))), cursor: page.cursor ?? null }, 200);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/monitors/{id}",
    tags: ["monitors"],
    summary: "One monitor with its live status",
    ...orgScoped("monitors.read"),
    request: { params: IdParam },
    responses: { 200: { description: "The monitor", ...json(MonitorView) }, ...notModified, ...errorResponses(401, 404) },
  }),
  async (c) => etagged(c, await view(await Monitor.getOwned(c.get("org").orgId, c.req.valid("param").id), shown(c))),
);

app.openapi(
  createRoute({
    method: "patch",
    path: "/v1/monitors/{id}",
    tags: ["monitors"],
    summary: "Change a monitor (send only the fields to change; null clears optional ones)",
    ...orgScoped("monitors.write"),
    request: { params: IdParam, body: { required: true, ...json(described(Monitor.UpdateInput, { example: { paused: true } })) } },
    responses: { 200: { description: "The changed monitor", ...json(MonitorView) }, ...errorResponses(400, 401, 404, 409, 415) },
  }),
  async (c) => {
    const org = c.get("org");
    const input = c.req.valid("json");
    const m = await Monitor.update(org.orgId, c.req.valid("param").id, input);
    const action = Object.keys(input).length === 1 && input.paused !== undefined ? (input.paused ? "monitor.pause" : "monitor.resume") : "monitor.update";
    await Audit.record(org, action, { type: "monitor", id: m.monitorId }, { fields: Object.keys(input) });
    return c.json(await view(m), 200);
  },
);

app.openapi(
  createRoute({
    method: "delete",
    path: "/v1/monitors/{id}",
    tags: ["monitors"],
    summary: "Delete a monitor",
    ...orgScoped("monitors.write"),
    request: { params: IdParam },
    responses: { 204: { description: "Deleted" }, ...errorResponses(401, 404) },
  }),
  async (c) => {
    const org = c.get("org");
    const { id } = c.req.valid("param");
    await Monitor.remove(org.orgId, id);
    await Audit.record(org, "monitor.delete", { type: "monitor", id });
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
      "At most one per monitor per `MANUAL_CHECK_MONITOR_SEC` (10 s) and `MANUAL_CHECKS_PER_HOUR` (60) per organisation and clock hour; past either, 429 `too_many_manual_checks` with `Retry-After`.",
    ...orgScoped("monitors.write"),
    request: { params: IdParam },
    responses: {
      200: { description: "The check result and the monitor after it", ...json(z.object({ result: named(CheckResult.View, "CheckResult"), monitor: MonitorView })) },
      ...errorResponses(401, 404, 429),
    },
  }),
  async (c) => {
    const org = c.get("org");
    const orgId = org.orgId;
    const m = await Monitor.getOwned(orgId, c.req.valid("param").id);
    await ManualLimits.reserve(orgId, m.monitorId, Date.now(), actingUserId(org));
    const { result } = await Checker.runNow(m);
    const after = await Monitor.getOwned(orgId, m.monitorId);
    return c.json({ result: CheckResult.toView(result), monitor: await view(after) }, 200);
  },
);

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/monitor-test",
    tags: ["monitors"],
    summary: "Test a monitor's request before saving it: the check's result, nothing stored",
    description:
      "Takes the body `POST /v1/monitors` takes and answers what one check of it would record; no result, incident or alert. Counts towards the manual-check limits (429 `too_many_manual_checks` with `Retry-After`).",
    ...orgScoped("monitors.write"),
    request: { body: { required: true, ...json(described(Monitor.CreateInput, { example })) } },
    responses: { 200: { description: "What the check found", ...json(named(CheckResult.View, "CheckResult")) }, ...errorResponses(400, 401, 403, 415, 429) },
  }),
  async (c) => {
    const org = c.get("org");
    return c.json(await DryRun.run(org.orgId, c.req.valid("json"), actingUserId(org)), 200);
  },
);

const PingView = z.object({
  at: z.string(),
  kind: z.enum(Heartbeat.PING_KINDS),
  exitCode: z.number().nullable(),
  durationMs: z.number().nullable().describe("From the run's /start ping, when this ping finished one"),
  method: z.string(),
  log: z.string().nullable().describe("The request body, cut to 10 KB"),
  logTruncated: z.boolean(),
});
const HeartbeatState = z.object({
  expectedAt: z.string().describe("When the next ping is expected"),
  deadline: z.string().describe("When the heartbeat counts as missed: expected + grace, or a started run's start + grace"),
  startedAt: z.string().nullable().describe("A run reported by /start and not finished yet"),
  lastPingAt: z.string().nullable(),
  healthy: z.boolean(),
});
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/monitors/{id}/pings",
    tags: ["monitors"],
    summary: "A heartbeat monitor's latest pings (newest first, with durations and logs) and what it expects next",
    ...orgScoped("monitors.read"),
    request: { params: IdParam },
    responses: {
      200: { description: "Pings and schedule state", ...json(z.object({ data: z.array(named(PingView, "HeartbeatPing")), state: named(HeartbeatState, "HeartbeatState") })) },
      ...errorResponses(401, 404),
    },
  }),
  async (c) => {
    const m = await Monitor.getOwned(c.get("org").orgId, c.req.valid("param").id);
    const state = m.pingToken ? await Heartbeat.state(m.pingToken) : undefined;
    if (!m.pingToken || !state) throw notFound("Heartbeat monitor");
    const pings = await Heartbeat.pings(state);
    return c.json(
      {
        data: pings.map((p) => ({
          at: new Date(p.at).toISOString(),
          kind: p.kind,
          exitCode: p.exitCode ?? null,
          durationMs: p.durationMs ?? null,
          method: p.method,
          log: p.log ?? null,
          logTruncated: p.logTruncated === true,
        })),
        state: { expectedAt: iso(state.expectedAt)!, deadline: iso(state.deadline)!, startedAt: iso(state.startedAt), lastPingAt: iso(state.lastPingAt), healthy: state.healthy },
      },
      200,
    );
  },
);

export const handler = handle(app);
