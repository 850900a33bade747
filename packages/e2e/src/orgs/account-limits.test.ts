import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { HOUR } from "@uptime/core/platform/time";
import { formPost as form } from "../kit/form-post";
import { inOrg } from "../kit/orgs";
import { createUser, type TestUser } from "../kit/test-users";

/**
 * Limits that hold per account, however many organisations, pages and invitations it makes. The
 * numbers are small so the test runs fast; docs/security.md lists the defaults.
 */
const ORGS = 3;
const ORG_MAILS = 5;
const ACCOUNT_MAILS = 8;
const ACCOUNT_SUBSCRIBE_MAILS = 4;
const env = {
  ORGS_PER_ACCOUNT: String(ORGS),
  ALERT_EMAILS_PER_HOUR: String(ORG_MAILS),
  ACCOUNT_EMAILS_PER_HOUR: String(ACCOUNT_MAILS),
  SUBSCRIBE_MAILS_ACCOUNT_PER_HOUR: String(ACCOUNT_SUBSCRIBE_MAILS),
  SUBSCRIBE_CLIENT_PER_HOUR: "100",
  ACCOUNT_MONITOR_LIMIT: "4",
  ACCOUNT_MANUAL_CHECKS_PER_HOUR: "3",
  MANUAL_CHECKS_PER_HOUR: "100",
  INVITATIONS_PER_INVITER_PER_DAY: "30",
  INVITATIONS_PER_ADDRESS_PER_DAY: "2",
};

let stack: TestStack;
let target: Target;
beforeAll(async () => {
  stack = await startTestStack({ env });
  target = await startTarget();
}, 60_000);
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});
beforeEach(async () => {
  // Mail budgets count per clock hour; a test straddling the hour would see two.
  const left = HOUR - (Date.now() % HOUR);
  if (left < 40_000) await new Promise((r) => setTimeout(r, left + 100));
}, 60_000);

let n = 0;
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${n++}`;

async function teamOrgs(user: TestUser, count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await user.call("POST", "/v1/orgs", { name: unique("Team") });
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
  return ids;
}


describe("organisations per account", () => {
  it(`lets one account create ${ORGS} organisations, refuses the next, and gives a place back when one is deleted`, async () => {
    const ann = await createUser(stack);
    const [first] = await teamOrgs(ann, ORGS);
    const over = await ann.call("POST", "/v1/orgs", { name: "One too many" });
    expect(over.status).toBe(403);
    expect(over.body.error.code).toBe("account_org_limit_reached");
    expect((await inOrg(stack, ann, first!)("DELETE", "/v1/org")).status).toBe(204);
    expect((await ann.call("POST", "/v1/orgs", { name: "After a deletion" })).status).toBe(201);
  });
});

describe("mail per account, over all its organisations", () => {
  it(`sends at most ${ACCOUNT_MAILS} + ${ACCOUNT_SUBSCRIBE_MAILS} mails an hour to others however many organisations, pages and invitations it makes`, async () => {
    const bob = await createUser(stack);
    const orgs: (string | null)[] = [null, ...(await teamOrgs(bob, ORGS))];
    await stack.clearEmails();
    let attempts = 0;
    // Invitations: 4 per organisation (personal included), each under the organisation's own cap of ORG_MAILS.
    for (const orgId of orgs) {
      const act = orgId ? inOrg(stack, bob, orgId) : bob.call;
      for (let i = 0; i < 4; i++) {
        const res = await act("POST", "/v1/org/invitations", { email: `${unique("invitee")}@example.com`, role: "member" });
        expect(res.status).toBe(201);
        attempts++;
      }
    }
    // Status pages in every organisation, each asked for confirmation mails by several "visitors".
    for (const [i, orgId] of orgs.entries()) {
      const act = orgId ? inOrg(stack, bob, orgId) : bob.call;
      const slug = unique("relay");
      expect((await act("POST", "/v1/status-pages", { slug, title: "Relay" })).status).toBe(201);
      for (let j = 0; j < 4; j++) {
        const res = await stack.api(`/status/${slug}/subscribe`, { ...form({ email: `${unique("visitor")}@example.com` }), from: `127.0.${i + 1}.${j + 1}` });
        expect([200, 429]).toContain(res.status);
        attempts++;
      }
    }
    await stack.drainQueues();
    const toOthers = (await stack.emails()).filter((m) => !m.destination.to.includes(bob.email));
    expect(attempts).toBeGreaterThan(ACCOUNT_MAILS + ACCOUNT_SUBSCRIBE_MAILS);
    expect(toOthers.filter((m) => m.subject.startsWith("You are invited")).length).toBe(ACCOUNT_MAILS);
    expect(toOthers.filter((m) => m.subject.startsWith("Confirm your subscription")).length).toBe(ACCOUNT_SUBSCRIBE_MAILS);
    expect(toOthers.length).toBeLessThanOrEqual(ACCOUNT_MAILS + ACCOUNT_SUBSCRIBE_MAILS);
    // The account's owner hears once that its budget ran out.
    const notices = (await stack.emails()).filter((m) => m.destination.to.includes(bob.email) && m.subject.startsWith("[ALERTS CAPPED]"));
    expect(notices).toHaveLength(1);
  });
});

describe("invitations per day", () => {
  it("caps invitations to one address per day, revoking and inviting again included", async () => {
    const cy = await createUser(stack);
    const [orgId] = await teamOrgs(cy, 1);
    const act = inOrg(stack, cy, orgId!);
    const victim = `${unique("victim")}@example.com`;
    for (let i = 0; i < 2; i++) {
      const res = await act("POST", "/v1/org/invitations", { email: victim });
      expect(res.status).toBe(201);
      expect((await act("DELETE", `/v1/org/invitations/${res.body.id}`)).status).toBe(204);
    }
    const third = await act("POST", "/v1/org/invitations", { email: victim });
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe("too_many_invitations");
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
    // From another account too: the address's budget is its own.
    const dee = await createUser(stack);
    expect((await dee.call("POST", "/v1/org/invitations", { email: victim })).status).toBe(429);
  });

  it("caps invitations per inviter per day over all its organisations", async () => {
    const eve = await createUser(stack);
    const orgs = await teamOrgs(eve, 2);
    let status = 0;
    let sent = 0;
    for (let i = 0; i < 31 && status !== 429; i++) {
      status = (await inOrg(stack, eve, orgs[i % 2]!)("POST", "/v1/org/invitations", { email: `${unique("many")}@example.com` })).status;
      if (status === 201) sent++;
    }
    expect(status).toBe(429);
    expect(sent).toBe(Number(env.INVITATIONS_PER_INVITER_PER_DAY));
  });
});

describe("monitors and manual checks per account", () => {
  it("counts monitors in every organisation the account created against one limit", async () => {
    const fay = await createUser(stack);
    const [a, b] = await teamOrgs(fay, 2);
    const create = (act: (m: string, p: string, body?: unknown) => Promise<{ status: number; body: any }>) =>
      act("POST", "/v1/monitors", { name: unique("m"), url: target.url, paused: true });
    expect((await create(fay.call)).status).toBe(201);
    expect((await create(inOrg(stack, fay, a!))).status).toBe(201);
    expect((await create(inOrg(stack, fay, a!))).status).toBe(201);
    const fourth = await create(inOrg(stack, fay, b!));
    expect(fourth.status).toBe(201);
    const over = await create(inOrg(stack, fay, b!));
    expect(over.status).toBe(403);
    expect(over.body.error.code).toBe("account_monitor_limit_reached");
    // Deleting one frees its place.
    expect((await inOrg(stack, fay, b!)("DELETE", `/v1/monitors/${fourth.body.id}`)).status).toBe(204);
    expect((await create(inOrg(stack, fay, b!))).status).toBe(201);
  });

  it("counts manual checks against the acting account over all organisations", async () => {
    const gus = await createUser(stack);
    const [a, b] = await teamOrgs(gus, 2);
    const ids: [string, string][] = [];
    for (const orgId of [a!, b!]) {
      const res = await inOrg(stack, gus, orgId)("POST", "/v1/monitors", { name: unique("m"), url: target.url, paused: true });
      ids.push([orgId, res.body.id]);
    }
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [orgId, id] = ids[i % 2]!;
      statuses.push((await inOrg(stack, gus, orgId)("POST", `/v1/monitors/${id}/check`)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe("alert address confirmations", () => {
  it("asks an address once however many organisations of one account name it", async () => {
    const kim = await createUser(stack);
    const orgs = await teamOrgs(kim, 2);
    const to = `${unique("oncall")}@example.com`;
    for (const orgId of [null, ...orgs]) {
      const act = orgId ? inOrg(stack, kim, orgId) : kim.call;
      expect((await act("POST", "/v1/monitors", { name: unique("m"), url: target.url, paused: true, alertEmails: [to] })).status).toBe(201);
    }
    await stack.drainQueues();
    expect((await stack.emails()).filter((m) => m.destination.to.includes(to))).toHaveLength(1);
  });
});

describe("user-chosen names in mails", () => {
  const linkable = /(https?:\/\/|www\.)\S+|\b[\w-]+(\.[\w-]+)*\.(example|com|net|org|io)\b/i;

  it("an organisation's name reaches an invitation quoted, short and never as a link", async () => {
    const hal = await createUser(stack);
    const name = "Security notice: verify your account at https://evil.example/login within 24 hours or it is closed";
    const org = await hal.call("POST", "/v1/orgs", { name });
    const to = `${unique("target")}@example.com`;
    expect((await inOrg(stack, hal, org.body.id)("POST", "/v1/org/invitations", { email: to })).status).toBe(201);
    await stack.drainQueues();
    const mail = (await stack.emails()).find((m) => m.destination.to.includes(to))!;
    expect(mail.subject).toBe("You are invited to join “Security notice: verify your account at https[:]//evil[.]ex…” on Uptime");
    expect(mail.subject).not.toMatch(linkable);
    const [, sender, rest] = /^(.*?)\n([\s\S]*)$/.exec(mail.body.text!)!;
    expect(sender).not.toMatch(linkable);
    expect(rest.replace(/https?:\/\/127\.0\.0\.1:\d+\/invitations\/accept\?token=\S+/, "")).not.toMatch(linkable);
    expect(mail.body.html).not.toContain("<a ");
  });

  it("a status page's title reaches a subscription confirmation quoted and never as a link", async () => {
    const ida = await createUser(stack);
    const slug = unique("phish");
    expect((await ida.call("POST", "/v1/status-pages", { slug, title: "Reset your bank password at www.evil.example now" })).status).toBe(201);
    const to = `${unique("sub")}@example.com`;
    expect((await stack.api(`/status/${slug}/subscribe`, { ...form({ email: to }), from: "127.0.9.9" })).status).toBe(200);
    await stack.drainQueues();
    const mail = (await stack.emails()).find((m) => m.destination.to.includes(to))!;
    expect(mail.subject).toBe("Confirm your subscription to “Reset your bank password at www[.]evil[.]example now status”");
    const anchors = [...mail.body.html!.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]!);
    expect(anchors).toHaveLength(1);
    expect(anchors[0]).toContain(`/status/${slug}/subscription/confirm?`);
    expect(mail.body.text!.replace(/https?:\/\/127\.0\.0\.1:\d+\/status\/\S+/, "")).not.toMatch(linkable);
  });
});
