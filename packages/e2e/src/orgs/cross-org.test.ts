import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { MembershipEntity } from "@uptime/core/orgs/entity";
import { createUser, type TestUser } from "../kit/test-users";
import { rng } from "../kit/rng";
import { fillPath, inOrg, scopedOperations, type Operation } from "../kit/orgs";

/**
 * Two organisations. Everything org A has (monitor, member and invitation ids, every listing's
 * cursor) is used by B's owner, acting in B or naming A in X-Org-Id: ids are 404 exactly like ids
 * that never existed, foreign cursors are 400 invalid_cursor, and nothing of A changes.
 */
let stack: TestStack;
let target: Target;
let ada: TestUser; // owns A
let bob: TestUser; // owns B
let orgA: string;
let orgB: string;
const a = { id: "", userId: "", invitationId: "" };
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
  for (let i = 0; i < 2; i++) {
    expect((await asA("POST", `/v1/monitors/${a.id}/check`)).status).toBe(200); // results and an incident
    target.set({ status: i ? 500 : 200 });
  }
  for (let i = 0; i < 2; i++) {
    a.userId = `a-member-${i}`;
    await MembershipEntity.put({ orgId: orgA, userId: a.userId, email: `${a.userId}@example.com`, role: "member", joinedAt: Date.now() }).go();
    a.invitationId = (await asA("POST", "/v1/org/invitations", { email: `a-invitee-${i}@example.com` })).body.id;
  }
  await stack.drainQueues();
  for (const path of ["/v1/monitors", "/v1/org/members", "/v1/org/invitations", "/v1/org/audit", "/v1/alert-recipients", "/v1/incidents", `/v1/monitors/${a.id}/results`, `/v1/monitors/${a.id}/incidents`]) {
    const res = await asA("GET", `${path}?limit=1`);
    expect(res.status, path).toBe(200);
    if (res.body.cursor) cursorsOfA.push({ path, cursor: res.body.cursor });
  }
});
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});

/** Everything of A as its owner sees it. */
async function snapshotOfA() {
  const asA = inOrg(stack, ada, orgA);
  const paths = ["/v1/org", "/v1/monitors", "/v1/org/members", "/v1/org/invitations", "/v1/org/audit?limit=100", "/v1/alert-recipients", "/v1/incidents", `/v1/monitors/${a.id}/results`];
  return Promise.all(paths.map(async (p) => (await asA("GET", p)).body));
}

const bodies: Record<string, unknown> = {
  "POST /v1/monitors": { name: "B's", url: "http://127.0.0.1:9/" },
  "PATCH /v1/monitors/{id}": { name: "Hijacked", paused: true },
  "PATCH /v1/org": { name: "Hijacked" },
  "PATCH /v1/org/members/{userId}": { role: "owner" },
  "POST /v1/org/invitations": { email: "b-invitee@example.com" },
};

it("keeps every id, cursor and X-Org-Id of one organisation out of reach of another", { timeout: 120_000 }, async () => {
  const before = await snapshotOfA();
  const operations = await scopedOperations(stack);
  const asB = inOrg(stack, bob, orgB);
  const bobAsA = inOrg(stack, bob, orgA);
  expect(cursorsOfA.length).toBe(8);
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
    // Acting in B with A's ids.
    if (op.pathParams.length) {
      const madeUp = Object.fromEntries(op.pathParams.map((p) => [p, p === "id" ? randomUUID() : `made-up-${p}`]));
      await expect404(`A's ids ${op.method} ${op.path}`, asB(op.method, fillPath(op.path, a), body), asB(op.method, fillPath(op.path, madeUp), body));
    }
  }
  for (const op of [...operations.filter((o) => o.method === "POST" && o.path === "/v1/org/transfer")]) {
    await expect404(`transfer to A's member`, asB(op.method, op.path, { userId: a.userId }));
  }
  await expect404("incidents filtered by A's monitor", asB("GET", `/v1/incidents?monitorId=${a.id}`));

  // A's cursors on B's listings (and on every other listing): refused, never a page of A.
  const listings = operations.filter((o) => o.method === "GET" && (o.path.endsWith("s") || o.path.endsWith("audit")));
  const random = rng(9);
  for (const { path, cursor } of cursorsOfA) {
    const samePath = path.replace(a.id, (await asB("POST", "/v1/monitors", bodies["POST /v1/monitors"])).body.id);
    const others = listings.filter((o) => !o.pathParams.length).map((o) => o.path);
    for (const p of [samePath, others[Math.floor(random() * others.length)]!]) {
      const res = await asB("GET", `${p}?cursor=${encodeURIComponent(cursor)}`);
      if (res.status !== 400 || res.body.error?.code !== "invalid_cursor") wrong.push(`cursor of ${path} on ${p}: ${res.status}`);
    }
  }

  // Fuzz: A's ids in random places of random operations, acting in B.
  const pool = [a.id, a.userId, a.invitationId, orgA];
  for (let i = 0; i < 40; i++) {
    const op: Operation = operations[Math.floor(random() * operations.length)]!;
    if (!op.pathParams.length) continue;
    const values = Object.fromEntries(op.pathParams.map((p) => [p, pool[Math.floor(random() * pool.length)]!]));
    await expect404(`fuzz ${op.method} ${fillPath(op.path, values)}`, asB(op.method, fillPath(op.path, values), bodies[`${op.method} ${op.path}`]));
  }

  expect(wrong).toEqual([]);
  expect(await snapshotOfA()).toEqual(before);
});
