import { afterAll, beforeAll, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { MembershipEntity, OrgEntity } from "@uptime/core/orgs/entity";
import { PERMISSIONS, ROLES, roleCan, type Permission, type Role } from "@uptime/core/orgs/roles";
import { createUser, type TestUser } from "../kit/test-users";
import { fillPath, inOrg, scopedOperations, type Operation } from "../kit/orgs";

/**
 * Every operation with an `x-permission` in the OpenAPI document, called as each role with input
 * good enough to succeed: 403 exactly when roleCan says no, 2xx otherwise (see refusedByDesign).
 */
let stack: TestStack;
let target: Target;
let failing: Target;
let orgId: string;
const users = {} as Record<Role, TestUser & { userId: string }>;
let monitorId: string;
let heartbeatId: string;
let n = 0;
/** Shared fixtures for the operations that do not consume them. */
const shared = { pageId: "", groupId: "", componentId: "", incidentId: "", updateId: "", maintenanceId: "", monitorIncidentId: "", channelId: "" };

beforeAll(async () => {
  stack = await startTestStack();
  target = await startTarget();
  for (const role of ROLES) {
    const u = await createUser(stack);
    users[role] = Object.assign(u, { userId: (await u.call("GET", "/v1/me")).body.id as string });
  }
  orgId = (await users.owner.call("POST", "/v1/orgs", { name: "Matrix" })).body.id;
  await restoreRoles();
  monitorId = (await owner()("POST", "/v1/monitors", { name: "Shared", url: target.url })).body.id;
  heartbeatId = (await owner()("POST", "/v1/monitors", { type: "heartbeat", name: "Shared heartbeat", cron: "0 3 * * *", timeZone: "Europe/Berlin" })).body.id;
  failing = await startTarget({ status: 500 });
  const down = (await owner()("POST", "/v1/monitors", { name: "Down", url: failing.url, failureThreshold: 1 })).body.id;
  expect((await owner()("POST", `/v1/monitors/${down}/check`)).status).toBe(200);
  shared.monitorIncidentId = (await owner()("GET", `/v1/monitors/${down}/incidents`)).body.data[0].id;
  shared.pageId = await newPage();
  shared.groupId = await newGroup();
  shared.componentId = await newComponent();
  const incident = (await owner()("POST", `/v1/status-pages/${shared.pageId}/incidents`, incidentBody())).body;
  [shared.incidentId, shared.updateId] = [incident.id, incident.updates[0].id];
  shared.maintenanceId = await newMaintenance();
});
afterAll(async () => {
  await failing?.stop();
  await target?.stop();
  await stack?.stop();
});

const owner = () => inOrg(stack, users.owner, orgId);

/** Puts the four test users back in their roles (leave, transfer and removals change them). */
async function restoreRoles() {
  await MembershipEntity.put(ROLES.map((role) => ({ orgId, userId: users[role].userId, email: users[role].email, role, joinedAt: Date.now() }))).go();
  const { data } = await MembershipEntity.query.byOrg({ orgId }).go({ pages: "all", consistent: true });
  await OrgEntity.patch({ orgId }).set({ ownerCount: data.filter((m) => m.role === "owner").length }).go();
}

/** A member nobody else relies on, to change, remove or make owner. */
async function spareMember() {
  const userId = `spare-${n++}`;
  await MembershipEntity.put({ orgId, userId, email: `${userId}@example.com`, role: "viewer", joinedAt: Date.now() }).go();
  return userId;
}

const created = async (path: string, body: unknown): Promise<string> => {
  const res = await owner()("POST", path, body);
  if (res.status !== 201) throw new Error(`fixture ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id ?? res.body.key.id;
};
/** A webhook channel to the healthy target; `keep` makes it the shared one. */
async function newChannel(keep: boolean) {
  const res = await owner()("POST", "/v1/channels", { type: "webhook", name: `Hook ${n++}`, url: target.url });
  if (res.status !== 201) throw new Error(`fixture channel: ${res.status} ${JSON.stringify(res.body)}`);
  if (keep) shared.channelId = res.body.channel.id;
  return res.body.channel.id as string;
}
const pagePath = (pageId = shared.pageId) => `/v1/status-pages/${pageId}`;
const newPage = () => created("/v1/status-pages", { slug: `matrix-${n++}-${Date.now()}`, title: "Matrix status" });
const newGroup = () => created(`${pagePath()}/groups`, { name: `Group ${n++}` });
const newComponent = () => created(`${pagePath()}/components`, { name: `Component ${n++}`, groupId: shared.groupId });
const incidentBody = () => ({ title: "Errors", impact: "minor", componentIds: [shared.componentId], update: { message: "Looking into it", status: "investigating" } });
const newMaintenance = () => {
  const now = Date.now();
  const window = { startsAt: new Date(now + 3_600_000).toISOString(), endsAt: new Date(now + 7_200_000).toISOString() };
  return created(`${pagePath()}/maintenance`, { title: "Upgrade", message: "Short downtime", componentIds: [shared.componentId], ...window });
};

/** The shared page's current order, sent back unchanged (fresh groups and components come and go). */
async function currentLayout() {
  const { groups, ungrouped } = (await owner()("GET", `${pagePath()}/layout`)).body;
  return { groups: groups.map((g: any) => ({ groupId: g.id, componentIds: g.components.map((c: any) => c.id) })), ungrouped: ungrouped.map((c: any) => c.id) };
}

/** Path parameters and bodies that let the call succeed when the role allows it. */
async function inputFor(op: Operation): Promise<{ params: Record<string, string>; body?: unknown }> {
  const key = `${op.method} ${op.path}`;
  const params: Record<string, string> = {};
  let body: unknown;
  for (const name of op.pathParams) {
    if (name === "id" && op.path.startsWith("/v1/channels/")) params.id = op.method === "DELETE" || !shared.channelId ? await newChannel(op.method !== "DELETE") : shared.channelId;
    else if (name === "id" && op.path.startsWith("/v1/incidents/")) params.id = shared.monitorIncidentId;
    else if (name === "id" && op.path.endsWith("/pings")) params.id = heartbeatId;
    else if (name === "id") params.id = op.method === "DELETE" ? (await owner()("POST", "/v1/monitors", { name: "Doomed", url: target.url })).body.id : monitorId;
    if (name === "userId") params.userId = await spareMember();
    if (name === "invitationId") params.invitationId = (await owner()("POST", "/v1/org/invitations", { email: `invitee-${n++}@example.com` })).body.id;
    if (name === "keyId") params.keyId = await created("/v1/org/api-keys", { name: `Doomed ${n++}`, scope: "read" });
    // Deleting consumes a page; promoting the same monitor incident twice onto one page is a conflict.
    if (name === "pageId") params.pageId = key === "DELETE /v1/status-pages/{pageId}" || key.endsWith("/incidents/promote") ? await newPage() : shared.pageId;
    if (name === "groupId") params.groupId = op.method === "DELETE" ? await newGroup() : shared.groupId;
    if (name === "componentId") params.componentId = op.method === "DELETE" ? await newComponent() : shared.componentId;
    if (name === "incidentId") params.incidentId = op.method === "DELETE" ? await created(`${pagePath()}/incidents`, incidentBody()) : shared.incidentId;
    if (name === "updateId") params.updateId = shared.updateId;
    // Moving or cancelling consumes a maintenance (a completed one refuses both).
    if (name === "maintenanceId") params.maintenanceId = /\/(status|cancel)$/.test(op.path) ? await newMaintenance() : shared.maintenanceId;
  }
  const bodies: Record<string, () => unknown> = {
    // Every other create is a heartbeat: its fields go through the same permission as any monitor's.
    "POST /v1/monitors": () =>
      n++ % 2
        ? { name: "Made in the matrix", url: target.url, assertions: ["status == 200"], degradedAboveMs: 5000, degradedAfterChecks: 2, degradedAlert: false, certExpiryDays: [20] }
        : { type: "heartbeat", name: "Made in the matrix", periodSec: 3600, graceSec: 60 },
    "PATCH /v1/monitors/{id}": () => ({ name: "Renamed", assertions: ["status == 200"], degradedAboveMs: 5000, degradedAfterChecks: 2, degradedAlert: false, certExpiryDays: [20] }),
    "POST /v1/monitor-test": () => ({ name: "Tried in the matrix", url: target.url }),
    "POST /v1/channels": () => ({ type: "slack", name: `Matrix ${n++}`, url: target.url }),
    "PATCH /v1/channels/{id}": () => ({ name: "Renamed" }),
    "PATCH /v1/org": () => ({ name: "Matrix renamed" }),
    "POST /v1/org/transfer": async () => ({ userId: await spareMember() }),
    "PATCH /v1/org/members/{userId}": () => ({ role: "member" }),
    "POST /v1/org/invitations": () => ({ email: `invitee-${n++}@example.com`, role: "viewer" }),
    "POST /v1/org/api-keys": () => ({ name: `Matrix key ${n++}`, scope: "write" }),
    "POST /v1/status-pages": () => ({ slug: `matrix-${n++}-${Date.now()}`, title: "Made in the matrix" }),
    "PATCH /v1/status-pages/{pageId}": () => ({ title: "Renamed" }),
    "PUT /v1/status-pages/{pageId}/layout": currentLayout,
    "POST /v1/status-pages/{pageId}/groups": () => ({ name: "Made in the matrix" }),
    "PATCH /v1/status-pages/{pageId}/groups/{groupId}": () => ({ collapsed: true }),
    "POST /v1/status-pages/{pageId}/components": () => ({ name: "Made in the matrix", monitorId }),
    "PATCH /v1/status-pages/{pageId}/components/{componentId}": () => ({ manualStatus: "degraded_performance" }),
    "POST /v1/status-pages/{pageId}/incidents": incidentBody,
    "POST /v1/status-pages/{pageId}/incidents/promote": () => ({ monitorIncidentId: shared.monitorIncidentId }),
    "PATCH /v1/status-pages/{pageId}/incidents/{incidentId}": () => ({ impact: "major" }),
    "POST /v1/status-pages/{pageId}/incidents/{incidentId}/updates": () => ({ message: "Still looking", status: "identified" }),
    "PATCH /v1/status-pages/{pageId}/incidents/{incidentId}/updates/{updateId}": () => ({ message: "Looking into errors" }),
    "POST /v1/status-pages/{pageId}/maintenance": () => ({ title: "Made in the matrix", message: "Soon", startsAt: new Date(Date.now() + 3_600_000).toISOString(), endsAt: new Date(Date.now() + 7_200_000).toISOString(), componentIds: [shared.componentId] }),
    "PATCH /v1/status-pages/{pageId}/maintenance/{maintenanceId}": () => ({ title: "Renamed" }),
    "POST /v1/status-pages/{pageId}/maintenance/{maintenanceId}/status": () => ({ status: "in_progress" }),
    "POST /v1/status-pages/{pageId}/maintenance/{maintenanceId}/updates": () => ({ message: "On schedule" }),
  };
  if (bodies[key]) body = await bodies[key]();
  return { params, body };
}

/** Allowed operations the fixtures cannot let succeed without losing the shared organisation: the refusal expected instead. */
const refusedByDesign: Record<string, string> = { "DELETE /v1/org": "org_has_monitors" };

it("answers every organisation-scoped operation as the permission matrix says, for every role", { timeout: 120_000 }, async () => {
  const operations = await scopedOperations(stack);
  expect(operations.length).toBeGreaterThan(20);
  const wrong: string[] = [];
  for (const op of operations) {
    expect(Object.keys(PERMISSIONS)).toContain(op.permission);
    for (const role of [...ROLES].reverse()) {
      const { params, body } = await inputFor(op);
      const res = await inOrg(stack, users[role], orgId)(op.method, fillPath(op.path, params), body);
      const allowed = roleCan(role, op.permission as Permission);
      const refusal = refusedByDesign[`${op.method} ${op.path}`];
      const succeeded = res.status >= 200 && res.status < 300;
      const ok = allowed ? succeeded || (refusal !== undefined && res.body.error?.code === refusal) : res.status === 403 && res.body.error?.code === "forbidden";
      if (!ok) wrong.push(`${role} ${op.method} ${op.path}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)} (allowed: ${allowed})`);
      await restoreRoles();
    }
  }
  expect(wrong).toEqual([]);
});

/** Each monitor type's own fields, created and changed by each role: as `monitors.write` says, and readable as `monitors.read` says. */
it.each([
  { type: "tcp", create: { name: "Matrix TCP", host: "127.0.0.1", port: 9, tls: true, send: "PING", expectReply: "PONG" }, change: { port: 10, tls: false, send: null, expectReply: "OK" } },
  { type: "dns", create: { name: "Matrix DNS", recordName: "matrix.example.test", recordType: "TXT", resolver: "127.0.0.1:9", expectedValues: ["v=1"], match: "all" }, change: { recordType: "CAA", resolver: null, expectedValues: ['0 issue "ca.example"'], match: "none", alertOnChange: true } },
])("answers $type monitors' own fields as the permission matrix says, for every role", async ({ type, create, change }) => {
  const wrong: string[] = [];
  const ownerMade = (await owner()("POST", "/v1/monitors", { type, ...create, paused: true })).body.id as string;
  for (const role of ROLES) {
    const as = inOrg(stack, users[role], orgId);
    const write = roleCan(role, "monitors.write");
    const made = await as("POST", "/v1/monitors", { type, ...create, name: `${create.name} by ${role}`, paused: true });
    if (write ? made.status !== 201 || made.body.type !== type : made.status !== 403) wrong.push(`${role} POST ${type}: ${made.status}`);
    const changed = await as("PATCH", `/v1/monitors/${ownerMade}`, change);
    if (write ? changed.status !== 200 || changed.body.type !== type : changed.status !== 403) wrong.push(`${role} PATCH ${type}: ${changed.status} ${JSON.stringify(changed.body).slice(0, 160)}`);
    const read = await as("GET", `/v1/monitors/${ownerMade}`);
    if (roleCan(role, "monitors.read") ? read.status !== 200 || read.body.type !== type : read.status !== 403) wrong.push(`${role} GET ${type}: ${read.status}`);
  }
  expect(wrong).toEqual([]);
});
