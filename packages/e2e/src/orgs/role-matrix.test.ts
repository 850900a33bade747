import { afterAll, beforeAll, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { MembershipEntity, OrgEntity } from "@uptime/core/orgs/entity";
import { PERMISSIONS, ROLES, roleCan, type Permission, type Role } from "@uptime/core/orgs/roles";
import { createUser, type TestUser } from "../kit/test-users";
import { fillPath, inOrg, scopedOperations, type Operation } from "../kit/orgs";

/**
 * Every operation with an `x-permission` in the OpenAPI document, called as each role with input
 * good enough to succeed: 403 exactly when roleCan says no, never 401, 404 or 5xx otherwise.
 */
let stack: TestStack;
let target: Target;
let orgId: string;
const users = {} as Record<Role, TestUser & { userId: string }>;
let monitorId: string;
let n = 0;

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
});
afterAll(async () => {
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

/** Path parameters and bodies that let the call succeed when the role allows it. */
async function inputFor(op: Operation): Promise<{ params: Record<string, string>; body?: unknown }> {
  const key = `${op.method} ${op.path}`;
  const params: Record<string, string> = {};
  let body: unknown;
  for (const name of op.pathParams) {
    if (name === "id") params.id = op.method === "DELETE" ? (await owner()("POST", "/v1/monitors", { name: "Doomed", url: target.url })).body.id : monitorId;
    if (name === "userId") params.userId = await spareMember();
    if (name === "invitationId") params.invitationId = (await owner()("POST", "/v1/org/invitations", { email: `invitee-${n++}@example.com` })).body.id;
  }
  const bodies: Record<string, () => unknown> = {
    "POST /v1/monitors": () => ({ name: "Made in the matrix", url: target.url }),
    "PATCH /v1/monitors/{id}": () => ({ name: "Renamed" }),
    "PATCH /v1/org": () => ({ name: "Matrix renamed" }),
    "POST /v1/org/transfer": async () => ({ userId: await spareMember() }),
    "PATCH /v1/org/members/{userId}": () => ({ role: "member" }),
    "POST /v1/org/invitations": () => ({ email: `invitee-${n++}@example.com`, role: "viewer" }),
  };
  if (bodies[key]) body = await bodies[key]();
  return { params, body };
}

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
      const ok = allowed ? ![401, 403, 404].includes(res.status) && res.status < 500 : res.status === 403 && res.body.error?.code === "forbidden";
      if (!ok) wrong.push(`${role} ${op.method} ${op.path}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)} (allowed: ${allowed})`);
      await restoreRoles();
    }
  }
  expect(wrong).toEqual([]);
});
