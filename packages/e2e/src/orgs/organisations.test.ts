import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { AuditEntity } from "@uptime/core/orgs/audit";
import { InvitationEntity } from "@uptime/core/orgs/invitation";
import { MembershipEntity, OrgEntity } from "@uptime/core/orgs/entity";
import { createUser, type TestUser } from "../kit/test-users";
import { confirmationMailsTo } from "../kit/alert-recipients";
import { inOrg, invitationMailsTo, invitationToken } from "../kit/orgs";

let stack: TestStack;
let target: Target;
let ada: TestUser;
let n = 0;

beforeAll(async () => {
  // One owner makes many organisations across these tests; the per-account limit has its own test (account-limits.test.ts).
  stack = await startTestStack({ env: { ORGS_PER_ACCOUNT: "50" } });
  target = await startTarget();
  ada = await createUser(stack);
});
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});

const fresh = (label: string) => `${label}-${Date.now()}-${n++}@example.com`;

async function newOrg(owner: TestUser, name = "Team") {
  const res = await owner.call("POST", "/v1/orgs", { name });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** Invites a new user through the real mail flow and has them accept; returns them. */
async function join(orgId: string, role: "admin" | "member" | "viewer", by = ada) {
  const user = await createUser(stack, fresh(role));
  expect((await inOrg(stack, by, orgId)("POST", "/v1/org/invitations", { email: user.email, role })).status).toBe(201);
  const accepted = await user.call("POST", "/v1/invitations/accept", { token: await invitationToken(stack, user.email) });
  expect(accepted.status).toBe(200);
  return user;
}

describe("organisations", () => {
  it("gives every account its personal organisation, and lists the ones it creates", async () => {
    const orgId = await newOrg(ada, "Acme");
    const mine = await ada.call("GET", "/v1/orgs");
    expect(mine.status).toBe(200);
    const me = (await ada.call("GET", "/v1/me")).body;
    expect(mine.body.data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: me.id, personal: true, role: "owner" }),
        expect.objectContaining({ id: orgId, name: "Acme", personal: false, role: "owner" }),
      ]),
    );
    expect((await ada.call("GET", "/v1/org")).body).toMatchObject({ id: me.id, personal: true, role: "owner" });
    expect((await inOrg(stack, ada, orgId)("GET", "/v1/org")).body).toMatchObject({ id: orgId, role: "owner", permissions: expect.arrayContaining(["org.delete", "monitors.write"]) });
  });

  it("creates the personal organisation lazily for an account made before organisations", async () => {
    const old = await createUser(stack, fresh("old"));
    const me = (await old.call("GET", "/v1/me")).body;
    await MembershipEntity.delete({ orgId: me.id, userId: me.id }).go();
    await OrgEntity.delete({ orgId: me.id }).go();
    expect((await old.call("GET", "/v1/monitors")).status).toBe(200);
    expect((await old.call("GET", "/v1/org")).body).toMatchObject({ id: me.id, personal: true, role: "owner" });
  });

  it("invites by email; the invitee accepts once and sees the organisation's monitors through X-Org-Id", async () => {
    const orgId = await newOrg(ada, "Shared");
    const asAda = inOrg(stack, ada, orgId);
    const m = await asAda("POST", "/v1/monitors", { name: "Team site", url: target.url });
    expect(m.status).toBe(201);

    const bob = await createUser(stack, fresh("bob"));
    const invited = await asAda("POST", "/v1/org/invitations", { email: bob.email, role: "member" });
    expect(invited.status).toBe(201);
    expect((await asAda("GET", "/v1/org/invitations")).body.data).toEqual([expect.objectContaining({ email: bob.email, role: "member", expired: false })]);
    expect((await asAda("POST", "/v1/org/invitations", { email: bob.email })).body.error.code).toBe("already_invited");

    const [mail] = await invitationMailsTo(stack, bob.email);
    expect(mail!.subject).toBe("You are invited to join “Shared” on Uptime");
    expect(mail!.body.text).toContain(`${stack.apiUrl}/invitations/accept?token=`);
    await stack.drainQueues();
    expect(await invitationMailsTo(stack, bob.email)).toHaveLength(1); // exactly once

    const token = await invitationToken(stack, bob.email);
    const stranger = await createUser(stack, fresh("stranger"));
    expect((await stranger.call("POST", "/v1/invitations/accept", { token })).body.error.code).toBe("invitation_for_another_email");
    // what accepting would do, said first and changing nothing; the same refusals as accepting
    expect((await stranger.call("POST", "/v1/invitations/preview", { token })).body.error.code).toBe("invitation_for_another_email");
    const preview = await bob.call("POST", "/v1/invitations/preview", { token });
    expect(preview.body).toEqual({ orgId, orgName: "Shared", role: "member", invitedBy: ada.email, expiresAt: expect.any(String) });
    expect((await bob.call("POST", "/v1/invitations/preview", { token })).status).toBe(200);
    const accepted = await bob.call("POST", "/v1/invitations/accept", { token });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ id: orgId, role: "member" });
    const again = await bob.call("POST", "/v1/invitations/accept", { token });
    expect([again.status, again.body.error.code]).toEqual([409, "invitation_used"]);
    expect((await bob.call("POST", "/v1/invitations/preview", { token })).body.error.code).toBe("invitation_used");
    // when each membership began: the app opens the one joined last on a new device
    const mine = (await bob.call("GET", "/v1/orgs")).body.data as Array<{ id: string; joinedAt: string; personal: boolean }>;
    const joined = mine.find((o) => o.id === orgId)!;
    expect(Date.parse(joined.joinedAt)).toBeGreaterThan(Date.parse(mine.find((o) => o.personal)!.joinedAt));
    expect((await bob.call("POST", "/v1/invitations/accept", { token: "made-up" })).status).toBe(404);

    const asBob = inOrg(stack, bob, orgId);
    const list = await asBob("GET", "/v1/monitors");
    expect(list.status).toBe(200);
    expect(list.body.data.map((x: { id: string }) => x.id)).toEqual([m.body.id]);
    expect((await bob.call("GET", "/v1/monitors")).body.data).toEqual([]); // his personal organisation
    expect((await asAda("GET", "/v1/org/invitations")).body.data).toEqual([]);
    const members = (await asBob("GET", "/v1/org/members")).body.data;
    expect(members).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email: ada.email, role: "owner" }),
        expect.objectContaining({ email: bob.email, role: "member", userId: expect.any(String), joinedAt: expect.any(String) }),
      ]),
    );

    // A removed member is refused on the very next request, as if the organisation did not exist.
    const bobId = (await bob.call("GET", "/v1/me")).body.id;
    expect((await asAda("DELETE", `/v1/org/members/${bobId}`)).status).toBe(204);
    const after = await asBob("GET", "/v1/monitors");
    expect([after.status, after.body.error.code]).toEqual([404, "org_not_found"]);
  });

  it("refuses expired and revoked invitations", async () => {
    const orgId = await newOrg(ada);
    const asAda = inOrg(stack, ada, orgId);
    const late = await createUser(stack, fresh("late"));
    const inv = (await asAda("POST", "/v1/org/invitations", { email: late.email, role: "viewer" })).body;
    const token = await invitationToken(stack, late.email);
    await InvitationEntity.patch({ orgId, invitationId: inv.id }).set({ validUntil: Date.now() - 1 }).go();
    const expired = await late.call("POST", "/v1/invitations/accept", { token });
    expect([expired.status, expired.body.error.code]).toEqual([400, "invitation_expired"]);

    const revokedUser = await createUser(stack, fresh("revoked"));
    const inv2 = (await asAda("POST", "/v1/org/invitations", { email: revokedUser.email })).body;
    const token2 = await invitationToken(stack, revokedUser.email);
    expect((await asAda("DELETE", `/v1/org/invitations/${inv2.id}`)).status).toBe(204);
    expect((await asAda("DELETE", `/v1/org/invitations/${inv2.id}`)).status).toBe(404);
    expect((await revokedUser.call("POST", "/v1/invitations/accept", { token: token2 })).body.error.code).toBe("invitation_not_found");
  });

  it("keeps at least one owner, and only owners touch ownership", async () => {
    const orgId = await newOrg(ada);
    const asAda = inOrg(stack, ada, orgId);
    const adaId = (await ada.call("GET", "/v1/me")).body.id;
    expect((await asAda("PATCH", `/v1/org/members/${adaId}`, { role: "admin" })).body.error.code).toBe("last_owner");
    expect((await asAda("POST", "/v1/org/leave")).body.error.code).toBe("last_owner");

    const admin = await join(orgId, "admin");
    const member = await join(orgId, "member");
    const memberId = (await member.call("GET", "/v1/me")).body.id;
    const asAdmin = inOrg(stack, admin, orgId);
    expect((await asAdmin("PATCH", `/v1/org/members/${adaId}`, { role: "member" })).status).toBe(403);
    expect((await asAdmin("DELETE", `/v1/org/members/${adaId}`)).status).toBe(403);
    expect((await asAdmin("PATCH", `/v1/org/members/${memberId}`, { role: "owner" })).status).toBe(403);
    expect((await asAdmin("PATCH", `/v1/org/members/${memberId}`, { role: "viewer" })).body).toMatchObject({ role: "viewer" });

    // Two owners demoting each other at once: the owner counter lets exactly one through.
    expect((await asAda("PATCH", `/v1/org/members/${memberId}`, { role: "owner" })).status).toBe(200);
    const asOther = inOrg(stack, member, orgId);
    const both = await Promise.all([
      asAda("PATCH", `/v1/org/members/${memberId}`, { role: "admin" }),
      asOther("PATCH", `/v1/org/members/${adaId}`, { role: "admin" }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const owners = (await asAdmin("GET", "/v1/org/members")).body.data.filter((m: { role: string }) => m.role === "owner");
    expect(owners).toHaveLength(1);
    expect((await OrgEntity.get({ orgId }).go({ consistent: true })).data?.ownerCount).toBe(1);
  });

  it("transfers ownership; the old owner becomes an admin and may then leave", async () => {
    const orgId = await newOrg(ada);
    const asAda = inOrg(stack, ada, orgId);
    const heir = await join(orgId, "viewer");
    const heirId = (await heir.call("GET", "/v1/me")).body.id;
    expect((await asAda("POST", "/v1/org/transfer", { userId: heirId })).body).toMatchObject({ role: "owner" });
    expect((await asAda("GET", "/v1/org")).body.role).toBe("admin");
    expect((await asAda("POST", "/v1/org/leave")).status).toBe(204);
    expect((await asAda("GET", "/v1/org")).status).toBe(404);
  });

  it("deletes a team organisation only without monitors and status pages, never a personal one; its keys stop working", async () => {
    const orgId = await newOrg(ada);
    const asAda = inOrg(stack, ada, orgId);
    const m = (await asAda("POST", "/v1/monitors", { name: "Blocker", url: target.url })).body;
    const page = (await asAda("POST", "/v1/status-pages", { slug: `blocker-${Date.now()}`, title: "Blocker" })).body;
    const key = (await asAda("POST", "/v1/org/api-keys", { name: "ci", scope: "write" })).body;
    expect((await asAda("DELETE", "/v1/org")).body.error.code).toBe("org_has_monitors");
    expect((await asAda("DELETE", `/v1/monitors/${m.id}`)).status).toBe(204);
    expect((await asAda("DELETE", "/v1/org")).body.error.code).toBe("org_has_status_pages");
    expect((await asAda("DELETE", `/v1/status-pages/${page.id}`)).status).toBe(204);
    expect((await asAda("DELETE", "/v1/org")).status).toBe(204);
    expect((await asAda("GET", "/v1/org")).status).toBe(404);
    const withKey = await stack.api("/v1/monitors", { method: "POST", token: key.token, json: { name: "Ghost", url: target.url } });
    expect(withKey.status).toBe(401);
    expect((await ada.call("DELETE", "/v1/org")).body.error.code).toBe("personal_org");
  });

  it("counts members' addresses as confirmed alert recipients; others still confirm first", async () => {
    const orgId = await newOrg(ada);
    const viewer = await join(orgId, "viewer");
    const outsider = fresh("outsider");
    const res = await inOrg(stack, ada, orgId)("POST", "/v1/monitors", { name: "Alerted", url: target.url, alertEmails: [viewer.email, outsider] });
    expect(res.status).toBe(201);
    expect(await confirmationMailsTo(stack, viewer.email)).toHaveLength(0);
    expect(await confirmationMailsTo(stack, outsider)).toHaveLength(1);
  });

  it("writes who did what to the audit log, newest first, readable by admins only", async () => {
    const orgId = await newOrg(ada, "Audited");
    const asAda = inOrg(stack, ada, orgId);
    const m = (await asAda("POST", "/v1/monitors", { name: "Logged", url: target.url })).body;
    await asAda("PATCH", `/v1/monitors/${m.id}`, { paused: true });
    await asAda("PATCH", "/v1/org", { name: "Audited Co" });
    const viewer = await join(orgId, "viewer");
    const log = await asAda("GET", "/v1/org/audit?limit=3");
    expect(log.status).toBe(200);
    expect(log.body.data.map((e: { action: string }) => e.action)).toEqual(["invitation.accept", "invitation.create", "org.update"]);
    const next = await asAda("GET", `/v1/org/audit?cursor=${log.body.cursor}`);
    expect(next.body.data.map((e: { action: string }) => e.action)).toEqual(["monitor.pause", "monitor.create", "org.create"]);
    expect(next.body.data[1]).toMatchObject({ target: { type: "monitor", id: m.id }, actor: { kind: "user", name: ada.email } });
    expect(log.body.data[0].actor).toMatchObject({ kind: "user", name: viewer.email });
    const denied = await inOrg(stack, viewer, orgId)("GET", "/v1/org/audit");
    expect([denied.status, denied.body.error.details]).toEqual([403, { permission: "audit.read" }]);
  });

  it("names the actor of an audit entry (a member's email, a key's name) and still lists older entries without one", async () => {
    const orgId = await newOrg(ada, "Named");
    const asAda = inOrg(stack, ada, orgId);
    const key = (await asAda("POST", "/v1/org/api-keys", { name: "Deploy bot", scope: "write" })).body;
    expect((await stack.api("/v1/monitors", { method: "POST", token: key.token, json: { name: "By key", url: target.url } })).status).toBe(201);
    await AuditEntity.create({ orgId, at: 1, entryId: "old", action: "monitor.create", targetType: "monitor", targetId: "m", actorKind: "user", actorUserId: "u-old", expiresAt: 2 ** 31 }).go();
    const { data } = (await asAda("GET", "/v1/org/audit")).body;
    expect(data.map((e: { actor: unknown }) => e.actor)).toEqual([
      { kind: "apiKey", userId: expect.any(String), keyId: key.key.id, name: "Deploy bot" },
      { kind: "user", userId: expect.any(String), keyId: null, name: ada.email },
      { kind: "user", userId: expect.any(String), keyId: null, name: ada.email },
      { kind: "user", userId: "u-old", keyId: null, name: null },
    ]);
  });

  it("refuses organisation names with control characters (they reach mail subjects)", async () => {
    const res = await ada.call("POST", "/v1/orgs", { name: "Evil\r\nBcc: x@example.com" });
    expect([res.status, res.body.error.code]).toEqual([400, "validation_error"]);
  });

  it("asks an outside alert address in the name of a team organisation", async () => {
    const orgId = await newOrg(ada, "Named Team");
    const outsider = fresh("asked");
    await inOrg(stack, ada, orgId)("POST", "/v1/monitors", { name: "Asks", url: target.url, alertEmails: [outsider] });
    const [mail] = await confirmationMailsTo(stack, outsider);
    expect(mail!.body.text).toContain("The Uptime organisation “Named Team” wants to send alert emails");
  });

  it("refuses a malformed X-Org-Id with 400 and an unknown one with 404", async () => {
    expect((await inOrg(stack, ada, "not an id!")("GET", "/v1/monitors")).status).toBe(400);
    expect((await inOrg(stack, ada, "3b1f6a52-8d0e-4c3f-9a57-1f2e4d5c6b7a")("GET", "/v1/monitors")).body.error.code).toBe("org_not_found");
  });
});
