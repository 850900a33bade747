import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { MonitorEntity } from "@uptime/core/monitors/entity";
import { OrgDeletion } from "@uptime/core/orgs/deletion";
import { OrgEntity } from "@uptime/core/orgs/entity";
import { OrgGuard } from "@uptime/core/orgs/guard";
import { Monitor } from "@uptime/core/monitors/monitor";
import { dueKeys } from "@uptime/core/schedule/due-index";
import { formPost as form } from "../kit/form-post";
import { inOrg } from "../kit/orgs";
import { createUser } from "../kit/test-users";

let stack: TestStack;
let target: Target;
beforeAll(async () => {
  stack = await startTestStack({ env: { SUBSCRIBE_CLIENT_PER_HOUR: "100" } });
  target = await startTarget();
}, 60_000);
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});

let n = 0;
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${n++}`;
const settled = () => Date.now() + OrgDeletion.SETTLE_MS + 1000;
const noOrphans = async () => expect(await OrgDeletion.orphans()).toEqual({ monitors: [], pages: [], keys: [], subscribers: [] });

describe("deleting an organisation while its members create things", () => {
  it("refuses every create once deletion started, and the sweep leaves nothing in a deleted organisation", async () => {
    const ann = await createUser(stack);
    const org = await ann.call("POST", "/v1/orgs", { name: unique("Doomed") });
    const act = inOrg(stack, ann, org.body.id);
    // Creates race the deletion: some land before it, the rest must be refused, none may survive it.
    const creates = Array.from({ length: 12 }, (_, i) =>
      i % 3 === 0
        ? act("POST", "/v1/monitors", { name: unique("m"), url: target.url, paused: true })
        : i % 3 === 1
          ? act("POST", "/v1/status-pages", { slug: unique("p"), title: "Page" })
          : act("POST", "/v1/org/api-keys", { name: unique("k"), scope: "read" }),
    );
    const deletion = (async () => {
      for (let i = 0; i < 20; i++) {
        const res = await act("DELETE", "/v1/org");
        if (res.status !== 409) return res.status;
        // Refused while monitors or pages exist: delete what exists and try again, like a user would.
        for (const m of (await act("GET", "/v1/monitors")).body.data ?? []) await act("DELETE", `/v1/monitors/${m.id}`);
        for (const p of (await act("GET", "/v1/status-pages")).body.data ?? []) await act("DELETE", `/v1/status-pages/${p.id}`);
      }
      return 0;
    })();
    const [deleted, ...results] = await Promise.all([deletion, ...creates]);
    expect(deleted).toBe(204);
    for (const r of results) expect([201, 404, 409]).toContain(r.status);
    // After deletion nothing more can be made: the members are gone (404), and the fence refuses core callers.
    expect((await act("POST", "/v1/monitors", { name: "late", url: target.url })).status).toBe(404);
    await expect(OrgGuard.enterCreate(org.body.id)).rejects.toMatchObject({ code: "org_deleting" });
    await expect(Monitor.create(org.body.id, ann.email, { name: "late", url: target.url, paused: true })).rejects.toMatchObject({ code: "org_deleting" });
    await OrgDeletion.sweep(settled());
    await noOrphans();
  });

  it("a create that passed the fence just before deletion and wrote after it is swept", async () => {
    const bea = await createUser(stack);
    const org = await bea.call("POST", "/v1/orgs", { name: unique("Racing") });
    expect((await inOrg(stack, bea, org.body.id)("DELETE", "/v1/org")).status).toBe(204);
    // What such a create leaves: its item written after deletion looked.
    await MonitorEntity.create({
      monitorId: unique("orphan"), ownerId: org.body.id, name: "slipped in", url: target.url, method: "GET", expectedStatus: ["200-299"], timeoutMs: 5000,
      intervalSec: 60, failureThreshold: 1, recoveryThreshold: 1, retryIntervalSec: 60, paused: true, offsetSec: 0, ...dueKeys(60, 0, true), state: "pending", alertEmails: [], createdAt: Date.now(), updatedAt: Date.now(),
    } as never).go();
    expect((await OrgDeletion.orphans()).monitors).toHaveLength(1);
    const first = await OrgDeletion.sweep(Date.now());
    expect(first.removed).toBeGreaterThanOrEqual(1);
    await noOrphans();
    // Finishing is idempotent; once settled with nothing found, the sweep forgets the organisation.
    await OrgDeletion.finish(org.body.id);
    await OrgDeletion.sweep(settled());
    expect((await OrgDeletion.sweep(settled())).organisations).toBe(0);
    expect((await OrgEntity.get({ orgId: org.body.id }).go()).data?.deletedAt).toBeGreaterThan(0);
  });
});

describe("deleting an account", () => {
  it("is refused while others are members of its personal organisation (they would keep acting in it)", async () => {
    const cal = await createUser(stack);
    const dot = await createUser(stack);
    const inv = await cal.call("POST", "/v1/org/invitations", { email: dot.email });
    expect(inv.status).toBe(201);
    await stack.drainQueues();
    const mail = (await stack.emails()).filter((m) => m.destination.to.includes(dot.email)).at(-1)!;
    const token = new URL(/https?:\/\/\S+\/invitations\/accept\?token=\S+/.exec(mail.body.text!)![0]).searchParams.get("token");
    expect((await dot.call("POST", "/v1/invitations/accept", { token })).status).toBe(200);
    const refused = await stack.api("/v1/me", { method: "DELETE", token: cal.token, json: { password: "correct horse battery" } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("personal_org_has_members");
    // Once the member is removed, the account goes, and the member cannot act in its organisation.
    const meId = (await cal.call("GET", "/v1/me")).body.id;
    expect((await cal.call("DELETE", `/v1/org/members/${(await dot.call("GET", "/v1/me")).body.id}`)).status).toBe(204);
    expect((await stack.api("/v1/me", { method: "DELETE", token: cal.token, json: { password: "correct horse battery" } })).status).toBe(204);
    expect((await inOrg(stack, dot, meId)("POST", "/v1/monitors", { name: "x", url: target.url })).status).toBe(404);
  });

  it("takes everything of a solo account offline: monitors, status pages and their subscribers, keys", async () => {
    const eve = await createUser(stack);
    const slug = unique("solo");
    expect((await eve.call("POST", "/v1/monitors", { name: "mine", url: target.url, paused: true })).status).toBe(201);
    expect((await eve.call("POST", "/v1/status-pages", { slug, title: "Solo" })).status).toBe(201);
    expect((await eve.call("POST", "/v1/org/api-keys", { name: "ci", scope: "read" })).status).toBe(201);
    expect((await stack.api(`/status/${slug}/subscribe`, { ...form({ email: `${unique("fan")}@example.com` }), from: "127.0.3.3" })).status).toBe(200);
    expect((await stack.api(`/status/${slug}`)).status).toBe(200);
    expect((await stack.api("/v1/me", { method: "DELETE", token: eve.token, json: { password: "correct horse battery" } })).status).toBe(204);
    expect((await stack.api(`/status/${slug}`)).status).toBe(404);
    await noOrphans();
  });
});
