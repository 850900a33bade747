import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { MembershipEntity } from "@uptime/core/orgs/entity";
import { createUser, type TestUser } from "../kit/test-users";
import { rng } from "../kit/rng";
import { fillPath, inOrg, scopedOperations, type Operation } from "../kit/orgs";

/**
 * Two organisations. Everything org A has (monitor, member, invitation and API key ids, a status
 * page with its group, component, posted incident, update and maintenance, every listing's cursor)
 * is used by B's owner, acting in B or naming A in X-Org-Id, and by B's API key: ids are 404
 * exactly like ids that never existed, foreign cursors are 400 invalid_cursor, and nothing of A changes.
 */
let stack: TestStack;
let target: Target;
let ada: TestUser; // owns A
let bob: TestUser; // owns B
let orgA: string;
let orgB: string;
const a = { id: "", tcpId: "", dnsId: "", userId: "", invitationId: "", keyId: "", pageId: "", groupId: "", componentId: "", incidentId: "", updateId: "", maintenanceId: "", monitorIncidentId: "" };
/** B's own page and what is on it, to pair with one of A's ids at a time. */
const b = { pageId: "", groupId: "", componentId: "", incidentId: "", updateId: "", maintenanceId: "" };
let bobKey: TestUser;
/** A's heartbeat monitor: its ping URL (the token) and pings must stay A's. */
let aHeartbeat = "";
const cursorsOfA: Array<{ path: string; cursor: string }> = [];

beforeAll(async () => {
  stack = await startTestStack();
  target = await startTarget({ status: 500 });
  [ada, bob] = await Promise.all([createUser(stack), createUser(stack)]);
  orgA = (await ada.call("POST", "/v1/orgs", { name: "A" })).body.id;
  orgB = (await bob.call("POST", "/v1/orgs", { name: "B" })).body.id;
  const asA = inOrg(stack, ada, orgA);
  for (const name of ["A one", "A two"]) {
    const m = await asA("POST", "/v1/monitors", { name, url: target.url, failureThreshold: 1, alertEmails: [`x-${name.length}-${randomUUID()}@example.com`, `y-${randomUUID()}@example.com`] });
    a.id = m.body.id;
  }
  a.tcpId = (await created(asA, "/v1/monitors", { type: "tcp", name: "A db", host: "127.0.0.1", port: 9, send: "PING", expectReply: "PONG", paused: true })).id;
  a.dnsId = (await created(asA, "/v1/monitors", { type: "dns", name: "A zone", recordName: "a.example.test", resolver: "127.0.0.1:9", alertOnChange: true, paused: true })).id;
  for (let i = 0; i < 2; i++) {
    expect((await asA("POST", `/v1/monitors/${a.id}/check`)).status).toBe(200); // results and an incident
    target.set({ status: i ? 500 : 200 });
  }
  for (let i = 0; i < 2; i++) {
    a.userId = `a-member-${i}`;
    await MembershipEntity.put({ orgId: orgA, userId: a.userId, email: `${a.userId}@example.com`, role: "member", joinedAt: Date.now() }).go();
    a.invitationId = (await asA("POST", "/v1/org/invitations", { email: `a-invitee-${i}@example.com` })).body.id;
  }
  a.monitorIncidentId = (await asA("GET", `/v1/monitors/${a.id}/incidents`)).body.data[0].id;
  aHeartbeat = (await asA("POST", "/v1/monitors", { type: "heartbeat", name: "A backup", periodSec: 3600 })).body.id;
  for (let i = 0; i < 2; i++) a.keyId = (await created(asA, "/v1/org/api-keys", { name: `A key ${i}`, scope: "write" })).key.id;
  await buildPage(asA, a, "a");
  // a second page, posted incident (promoted from the monitor's) and maintenance, so every listing pages
  await created(asA, "/v1/status-pages", { slug: `a-other-${randomUUID()}`, title: "A other" });
  await created(asA, `/v1/status-pages/${a.pageId}/incidents/promote`, { monitorIncidentId: a.monitorIncidentId });
  await created(asA, `/v1/status-pages/${a.pageId}/maintenance`, maintenanceBody(a.componentId));
  const asB = inOrg(stack, bob, orgB);
  await buildPage(asB, b, "b");
  const token = (await created(asB, "/v1/org/api-keys", { name: "B's key", scope: "write" })).token;
  bobKey = { email: "", token, call: () => Promise.reject(new Error("use inOrg")) };
  await stack.drainQueues();
  const listings = ["/v1/monitors", "/v1/org/members", "/v1/org/invitations", "/v1/org/audit", "/v1/alert-recipients", "/v1/incidents", `/v1/monitors/${a.id}/results`, `/v1/monitors/${a.id}/incidents`];
  listings.push("/v1/org/api-keys", "/v1/status-pages", `/v1/status-pages/${a.pageId}/incidents`, `/v1/status-pages/${a.pageId}/maintenance`);
  for (const path of listings) {
    const res = await asA("GET", `${path}?limit=1`);
    expect(res.status, path).toBe(200);
    if (res.body.cursor) cursorsOfA.push({ path, cursor: res.body.cursor });
  }
});
type Call = ReturnType<typeof inOrg>;

async function created(as: Call, path: string, body: unknown) {
  const res = await as("POST", path, body);
  if (res.status !== 201) throw new Error(`fixture ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const maintenanceBody = (componentId: string) => ({
  title: "Upgrade",
  message: "Short downtime",
  startsAt: new Date(Date.now() + 3_600_000).toISOString(),
  endsAt: new Date(Date.now() + 7_200_000).toISOString(),
  componentIds: [componentId],
});

/** A page with a group, a component in it, a posted incident with a second update, and a maintenance. */
async function buildPage(as: Call, ids: typeof b, name: string) {
  ids.pageId = (await created(as, "/v1/status-pages", { slug: `${name}-${randomUUID()}`, title: `${name} status` })).id;
  const page = `/v1/status-pages/${ids.pageId}`;
  ids.groupId = (await created(as, `${page}/groups`, { name: "API" })).id;
  ids.componentId = (await created(as, `${page}/components`, { name: "REST", groupId: ids.groupId })).id;
  ids.incidentId = (await created(as, `${page}/incidents`, { title: "Errors", impact: "minor", componentIds: [ids.componentId], update: { message: "Looking", status: "investigating" } })).id;
  ids.updateId = (await created(as, `${page}/incidents/${ids.incidentId}/updates`, { message: "Fixing", status: "identified" })).updates[1].id;
  ids.maintenanceId = (await created(as, `${page}/maintenance`, maintenanceBody(ids.componentId))).id;
}

afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});

/** Everything of A as its owner sees it. */
async function snapshotOfA() {
  const asA = inOrg(stack, ada, orgA);
  const paths = ["/v1/org", "/v1/monitors", "/v1/org/members", "/v1/org/invitations", "/v1/org/audit?limit=100", "/v1/alert-recipients", "/v1/incidents", `/v1/monitors/${a.id}/results`];
  paths.push(`/v1/monitors/${aHeartbeat}`, `/v1/monitors/${aHeartbeat}/pings`);
  const page = `/v1/status-pages/${a.pageId}`;
  paths.push("/v1/org/api-keys", "/v1/status-pages", page, `${page}/layout`, `${page}/incidents`, `${page}/maintenance`);
  return Promise.all(paths.map(async (p) => (await asA("GET", p)).body));
}

const bodies: Record<string, unknown> = {
  "POST /v1/monitors": { name: "B's", url: "http://127.0.0.1:9/", assertions: ["status == 200"], degradedAboveMs: 5000, degradedAfterChecks: 2, degradedAlert: false, certExpiryDays: [20] },
  "PATCH /v1/monitors/{id}": { name: "Hijacked", paused: true, assertions: ["status == 200"], degradedAboveMs: 5000, degradedAfterChecks: 2, degradedAlert: false, certExpiryDays: [20] },
  "PATCH /v1/channels/{id}": { name: "Hijacked" },
  "PATCH /v1/org": { name: "Hijacked" },
  "PATCH /v1/org/members/{userId}": { role: "owner" },
  "POST /v1/org/invitations": { email: "b-invitee@example.com" },
  "POST /v1/org/api-keys": { name: "B's", scope: "write" },
  "POST /v1/status-pages": { slug: "b-hijack", title: "B's" },
  "PATCH /v1/status-pages/{pageId}": { title: "Hijacked", visibility: "protected", password: "hijacked-password" },
  "PUT /v1/status-pages/{pageId}/layout": { groups: [], ungrouped: [] },
  "POST /v1/status-pages/{pageId}/groups": { name: "Hijacked" },
  "PATCH /v1/status-pages/{pageId}/groups/{groupId}": { name: "Hijacked" },
  "POST /v1/status-pages/{pageId}/components": { name: "Hijacked" },
  "PATCH /v1/status-pages/{pageId}/components/{componentId}": { manualStatus: "major_outage" },
  "POST /v1/status-pages/{pageId}/incidents": { title: "Hijacked", impact: "critical", update: { message: "Down", status: "investigating" } },
  "POST /v1/status-pages/{pageId}/incidents/promote": { monitorIncidentId: "made-up" },
  "PATCH /v1/status-pages/{pageId}/incidents/{incidentId}": { title: "Hijacked" },
  "POST /v1/status-pages/{pageId}/incidents/{incidentId}/updates": { message: "Hijacked", status: "resolved" },
  "PATCH /v1/status-pages/{pageId}/incidents/{incidentId}/updates/{updateId}": { message: "Hijacked" },
  "POST /v1/status-pages/{pageId}/maintenance": { title: "Hijacked", message: "Now", startsAt: "2030-01-01T00:00:00Z", endsAt: "2030-01-01T01:00:00Z", componentIds: ["made-up"] },
  "PATCH /v1/status-pages/{pageId}/maintenance/{maintenanceId}": { title: "Hijacked" },
  "POST /v1/status-pages/{pageId}/maintenance/{maintenanceId}/status": { status: "in_progress" },
  "POST /v1/status-pages/{pageId}/maintenance/{maintenanceId}/updates": { message: "Hijacked" },
};

/** An id shaped like the given one (same length, same separators) that never existed. */
const twinOf = (id: string) => id.replace(/[0-9a-f]/g, () => "0123456789abcdef"[Math.floor(Math.random() * 16)]!);

it("keeps every id, cursor and X-Org-Id of one organisation out of reach of another", { timeout: 120_000 }, async () => {
  const before = await snapshotOfA();
  const operations = await scopedOperations(stack);
  const asB = inOrg(stack, bob, orgB);
  const bobAsA = inOrg(stack, bob, orgA);
  const keyOfBAsA = inOrg(stack, bobKey, orgA);
  expect(cursorsOfA.length).toBe(12);
  const wrong: string[] = [];
  const expect404 = async (label: string, call: Promise<{ status: number; body: any }>, twin?: Promise<{ status: number; body: any }>) => {
    const [res, other] = await Promise.all([call, twin]);
    if (res.status !== 404) wrong.push(`${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
    // A's real id must answer exactly like an id that never existed: no oracle.
    else if (other && JSON.stringify(other.body) !== JSON.stringify(res.body)) wrong.push(`${label}: differs from a made-up id`);
  };

  for (const op of operations) {
    const body = bodies[`${op.method} ${op.path}`];
    // Naming A in X-Org-Id: B's owner is not a member of A.
    await expect404(`X-Org-Id A ${op.method} ${op.path}`, bobAsA(op.method, fillPath(op.path, a), body));
    // B's API key naming A: a key acts only in its own organisation.
    await expect404(`B's key, X-Org-Id A ${op.method} ${op.path}`, keyOfBAsA(op.method, fillPath(op.path, a), body));
    // Acting in B with A's ids.
    if (op.pathParams.length) {
      const madeUp = Object.fromEntries(op.pathParams.map((p) => [p, twinOf(a[p as keyof typeof a])]));
      await expect404(`A's ids ${op.method} ${op.path}`, asB(op.method, fillPath(op.path, a), body), asB(op.method, fillPath(op.path, madeUp), body));
    }
    // B's own page (incident, ...) with one of A's ids at a time, e.g. A's component under B's page.
    if (op.pathParams.length > 1) {
      for (const p of op.pathParams) {
        const label = `B's ids but A's {${p}} ${op.method} ${op.path}`;
        await expect404(label, asB(op.method, fillPath(op.path, { ...b, [p]: a[p as keyof typeof a] }), body), asB(op.method, fillPath(op.path, { ...b, [p]: twinOf(a[p as keyof typeof a]) }), body));
      }
    }
  }
  for (const op of [...operations.filter((o) => o.method === "POST" && o.path === "/v1/org/transfer")]) {
    await expect404(`transfer to A's member`, asB(op.method, op.path, { userId: a.userId }));
  }
  await expect404("incidents filtered by A's monitor", asB("GET", `/v1/incidents?monitorId=${a.id}`));
  // A's heartbeat: its pings, its schedule and its "check now" answer B exactly as a made-up id does.
  for (const [method, path, body] of [
    ["GET", "/pings", undefined],
    ["GET", "", undefined],
    ["PATCH", "", { graceSec: 1, cron: "0 4 * * *" }],
    ["POST", "/check", undefined],
    ["DELETE", "", undefined],
  ] as const) {
    await expect404(`A's heartbeat ${method} ${path}`, asB(method, `/v1/monitors/${aHeartbeat}${path}`, body), asB(method, `/v1/monitors/${twinOf(aHeartbeat)}${path}`, body));
  }

  // A's TCP and DNS monitors changed from B, with their own fields, another type's or a type change:
  // 404 like a made-up id, never a type error that would tell B what type A's monitor has.
  for (const id of [a.tcpId, a.dnsId]) {
    const typedBodies = [{ host: "evil.example.com", port: 1, tls: true }, { recordName: "evil.example.com", resolver: "1.1.1.1", expectedValues: ["x"] }, { type: "http" }, { send: null, resolver: null }];
    for (const body of typedBodies) {
      await expect404(`A's ${id === a.tcpId ? "TCP" : "DNS"} monitor PATCH ${JSON.stringify(body)}`, asB("PATCH", `/v1/monitors/${id}`, body), asB("PATCH", `/v1/monitors/${twinOf(id)}`, body));
      await expect404(`A's ${id === a.tcpId ? "TCP" : "DNS"} monitor, X-Org-Id A, PATCH ${JSON.stringify(body)}`, bobAsA("PATCH", `/v1/monitors/${id}`, body));
    }
    await expect404(`A's ${id === a.tcpId ? "TCP" : "DNS"} monitor check`, asB("POST", `/v1/monitors/${id}/check`), asB("POST", `/v1/monitors/${twinOf(id)}/check`));
  }

  // A's ids inside the bodies of B's status-page writes: refused exactly as made-up ids are.
  const page = `/v1/status-pages/${b.pageId}`;
  const refs: Array<[string, string, (id: string) => unknown, string]> = [
    ["POST", `${page}/components`, (id) => ({ name: "Spy", monitorId: id }), a.id],
    ["PATCH", `${page}/components/${b.componentId}`, (id) => ({ monitorId: id }), a.id],
    ["POST", `${page}/components`, (id) => ({ name: "Spy", groupId: id }), a.groupId],
    ["PATCH", `${page}/components/${b.componentId}`, (id) => ({ groupId: id }), a.groupId],
    ["PUT", `${page}/layout`, (id) => ({ groups: [{ groupId: id, componentIds: [b.componentId] }] }), a.groupId],
    ["PUT", `${page}/layout`, (id) => ({ groups: [{ groupId: b.groupId, componentIds: [id] }] }), a.componentId],
    ["POST", `${page}/incidents`, (id) => ({ title: "Spy", impact: "none", componentIds: [id], update: { message: "m", status: "investigating" } }), a.componentId],
    ["PATCH", `${page}/incidents/${b.incidentId}`, (id) => ({ componentIds: [id] }), a.componentId],
    ["POST", `${page}/incidents/promote`, (id) => ({ monitorIncidentId: id }), a.monitorIncidentId],
    ["POST", `${page}/maintenance`, (id) => maintenanceBody(id), a.componentId],
    ["PATCH", `${page}/maintenance/${b.maintenanceId}`, (id) => ({ componentIds: [id] }), a.componentId],
  ];
  for (const [method, path, bodyWith, id] of refs) {
    const twin = twinOf(id);
    const [res, other] = await Promise.all([asB(method, path, bodyWith(id)), asB(method, path, bodyWith(twin))]);
    const label = `A's id in the body of ${method} ${path.replace(b.pageId, "{B's page}")} ${JSON.stringify(bodyWith("…")).slice(0, 80)}`;
    if (res.status < 400 || res.status >= 500) wrong.push(`${label}: ${res.status}`);
    else if (res.status !== other.status || JSON.stringify(res.body).replaceAll(id, "ID") !== JSON.stringify(other.body).replaceAll(twin, "ID")) wrong.push(`${label}: differs from a made-up id`);
  }

  // A's cursors on B's listings (and on every other listing): refused, never a page of A.
  const listings = operations.filter((o) => o.method === "GET" && (o.path.endsWith("s") || o.path.endsWith("audit")));
  const random = rng(9);
  const bMonitor = (await asB("POST", "/v1/monitors", bodies["POST /v1/monitors"])).body.id;
  for (const { path, cursor } of cursorsOfA) {
    const samePath = path.replace(a.id, bMonitor).replace(a.pageId, b.pageId);
    const others = listings.filter((o) => !o.pathParams.length).map((o) => o.path);
    for (const p of [samePath, others[Math.floor(random() * others.length)]!]) {
      const res = await asB("GET", `${p}?cursor=${encodeURIComponent(cursor)}`);
      if (res.status !== 400 || res.body.error?.code !== "invalid_cursor") wrong.push(`cursor of ${path} on ${p}: ${res.status}`);
    }
  }

  // Fuzz: A's ids in random places of random operations, acting in B.
  const pool = [...Object.values(a), orgA];
  for (let i = 0; i < 80; i++) {
    const op: Operation = operations[Math.floor(random() * operations.length)]!;
    if (!op.pathParams.length) continue;
    const values = Object.fromEntries(op.pathParams.map((p) => [p, pool[Math.floor(random() * pool.length)]!]));
    await expect404(`fuzz ${op.method} ${fillPath(op.path, values)}`, asB(op.method, fillPath(op.path, values), bodies[`${op.method} ${op.path}`]));
  }

  expect(wrong).toEqual([]);
  expect(await snapshotOfA()).toEqual(before);
});
