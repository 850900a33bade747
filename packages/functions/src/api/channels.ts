import { createRoute, z } from "@hono/zod-openapi";
import { handle } from "hono/aws-lambda";
import { Channel } from "@uptime/core/channels/channel";
import { Delivery } from "@uptime/core/channels/delivery";
import { FollowUp } from "@uptime/core/channels/follow-up";
import { AckPage } from "@uptime/core/channels/ack-page";
import { verifyAckToken } from "@uptime/core/channels/ack-token";
import { Incident } from "@uptime/core/incident/incident";
import { User } from "@uptime/core/accounts/user";
import { actingUserId } from "@uptime/core/orgs/access";
import { Audit } from "@uptime/core/orgs/audit";
import { notFound } from "@uptime/core/platform/errors";
import { IdParam, Page, createApi, described, errorResponses, json, named } from "./http";
import { orgScoped } from "./require-org";
import { lockedDown } from "./alert-recipients";

const ChannelView = named(Channel.View, "Channel");
const Written = z.object({
  channel: ChannelView,
  signingSecret: z.string().optional().openapi({ description: "Webhook channels: the Standard Webhooks signing secret, shown only in this answer" }),
});
const html = (description: string) => ({ description, content: { "text/html": { schema: z.string().openapi({ description: "A page, no scripts" }) } } });

export const app = createApi();

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/channels",
    tags: ["channels"],
    summary: "Create an alert channel (webhook, Slack, Discord, Teams, Google Chat, Telegram, ntfy, PagerDuty, email, EventBridge)",
    description: "Secret fields (url, botToken, token, routingKey) are stored encrypted and only ever shown masked. A webhook channel's signing secret is in this answer only.",
    ...orgScoped("channels.write"),
    request: { body: { required: true, ...json(described(Channel.CreateInput, { example: { type: "slack", name: "#ops", url: "https://hooks.slack.com/services/T000/B000/XXXX" } })) } },
    responses: { 201: { description: "Created", ...json(Written) }, ...errorResponses(400, 401, 403, 415) },
  }),
  async (c) => {
    const org = c.get("org");
    const user = await User.get(actingUserId(org));
    const written = await Channel.create(org.orgId, user?.email, c.req.valid("json"));
    await Audit.record(org, "channel.create", { type: "channel", id: written.channel.id }, { name: written.channel.name, type: written.channel.type });
    return c.json(written, 201);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/channels",
    tags: ["channels"],
    summary: "List the organisation's alert channels (secrets masked)",
    ...orgScoped("channels.read"),
    request: { query: z.object(Page) },
    responses: { 200: { description: "A page of channels", ...json(z.object({ data: z.array(ChannelView), cursor: z.string().nullable() })) }, ...errorResponses(400, 401) },
  }),
  async (c) => {
    const page = await Channel.list(c.get("org").orgId, c.req.valid("query"));
    return c.json({ data: await Promise.all(page.data.map(Channel.toView)), cursor: page.cursor ?? null }, 200);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/channels/{id}",
    tags: ["channels"],
    summary: "One alert channel (secrets masked)",
    ...orgScoped("channels.read"),
    request: { params: IdParam },
    responses: { 200: { description: "The channel", ...json(ChannelView) }, ...errorResponses(401, 404) },
  }),
  async (c) => c.json(await Channel.toView(await Channel.getOwned(c.get("org").orgId, c.req.valid("param").id)), 200),
);

app.openapi(
  createRoute({
    method: "patch",
    path: "/v1/channels/{id}",
    tags: ["channels"],
    summary: "Change a channel: its name, default flag, settings, or a secret (send the whole new value)",
    ...orgScoped("channels.write"),
    request: { params: IdParam, body: { required: true, ...json(described(Channel.UpdateInput, { example: { isDefault: true } })) } },
    responses: { 200: { description: "The changed channel", ...json(Written) }, ...errorResponses(400, 401, 404, 415) },
  }),
  async (c) => {
    const org = c.get("org");
    const input = c.req.valid("json");
    const written = await Channel.update(org.orgId, c.req.valid("param").id, input);
    // Field names only: never a secret's value.
    await Audit.record(org, "channel.update", { type: "channel", id: written.channel.id }, { fields: Object.keys(input) });
    return c.json(written, 200);
  },
);

app.openapi(
  createRoute({
    method: "delete",
    path: "/v1/channels/{id}",
    tags: ["channels"],
    summary: "Delete a channel; monitors naming it skip it from then on",
    ...orgScoped("channels.write"),
    request: { params: IdParam },
    responses: { 204: { description: "Deleted" }, ...errorResponses(401, 404) },
  }),
  async (c) => {
    const org = c.get("org");
    const { id } = c.req.valid("param");
    await Channel.remove(org.orgId, id);
    await Audit.record(org, "channel.delete", { type: "channel", id });
    return c.body(null, 204);
  },
);

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/channels/{id}/test",
    tags: ["channels"],
    summary: "Send a channel.test event now and show the service's real answer",
    ...orgScoped("channels.write"),
    request: { params: IdParam },
    responses: { 200: { description: "What the service answered", ...json(named(Delivery.TestResult, "ChannelTestResult")) }, ...errorResponses(401, 404) },
  }),
  async (c) => {
    const org = c.get("org");
    const channel = await Channel.getOwned(org.orgId, c.req.valid("param").id);
    const result = await Delivery.sendTest(channel);
    await Audit.record(org, "channel.test", { type: "channel", id: channel.channelId }, { ok: result.ok, httpStatus: result.httpStatus });
    return c.json(result, 200);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/channels/{id}/deliveries",
    tags: ["channels"],
    summary: "The channel's last 100 delivery attempts, newest first",
    ...orgScoped("channels.read"),
    request: { params: IdParam },
    responses: { 200: { description: "Delivery attempts", ...json(z.object({ data: z.array(named(Delivery.LogEntry, "DeliveryAttempt")) })) }, ...errorResponses(401, 404) },
  }),
  async (c) => {
    const channel = await Channel.getOwned(c.get("org").orgId, c.req.valid("param").id);
    return c.json({ data: await Delivery.logOf(channel.channelId) }, 200);
  },
);

const IncidentView = named(Incident.View, "Incident");

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/incidents/{id}/acknowledge",
    tags: ["channels"],
    summary: "Acknowledge an open incident: reminders and escalation stop, its channels are told who took it",
    ...orgScoped("monitors.write"),
    request: { params: IdParam },
    responses: { 200: { description: "The incident", ...json(IncidentView) }, ...errorResponses(401, 404, 409) },
  }),
  async (c) => {
    const org = c.get("org");
    const { id } = c.req.valid("param");
    const incident = await Incident.get(id);
    if (!incident || incident.ownerId !== org.orgId) throw notFound("Incident");
    const by = org.by.kind === "user" ? org.by.email : `API key ${org.by.name}`;
    const acked = await FollowUp.acknowledge(id, by);
    await Audit.record(org, "incident.acknowledge", { type: "incident", id });
    return c.json(Incident.toView(acked), 200);
  },
);

const AckToken = z.string().min(1).max(100);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/incidents/{id}/ack",
    tags: ["channels"],
    summary: "The page an alert message's acknowledge link opens: one button. Opening it changes nothing.",
    request: { params: IdParam, query: z.object({ token: AckToken }) },
    responses: { 200: html("The button"), 404: html("Unknown link"), ...errorResponses(400) },
  }),
  async (c) => {
    lockedDown(c);
    const { id } = c.req.valid("param");
    const { token } = c.req.valid("query");
    const incident = (await verifyAckToken(id, token)) ? await Incident.get(id) : undefined;
    return incident ? c.html(AckPage.renderQuestion(incident, token), 200) : c.html(AckPage.renderInvalid(), 404);
  },
);

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/incidents/{id}/ack",
    tags: ["channels"],
    summary: "The page's button: acknowledges the incident (as \"link\")",
    request: { params: IdParam, body: { required: true, content: { "application/x-www-form-urlencoded": { schema: z.object({ token: AckToken }) } } } },
    responses: { 200: html("Acknowledged"), 404: html("Unknown link"), ...errorResponses(400, 409) },
  }),
  async (c) => {
    lockedDown(c);
    const { id } = c.req.valid("param");
    const { token } = c.req.valid("form");
    if (!(await verifyAckToken(id, token)) || !(await Incident.get(id))) return c.html(AckPage.renderInvalid(), 404);
    return c.html(AckPage.renderDone(await FollowUp.acknowledge(id, "link")), 200);
  },
);

export const handler = handle(app);
