import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MonitorEntity } from "@uptime/core/monitors/entity";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { Alert } from "@uptime/core/alert/alert";
import { HOUR } from "@uptime/core/platform/time";
import { inOrg } from "../kit/orgs";
import { createUser, type TestUser } from "../kit/test-users";

const CAP = 8;
let stack: TestStack;
let target: Target;

beforeAll(async () => {
  stack = await startTestStack({ env: { ALERT_EMAILS_PER_HOUR: String(CAP), FLAP_INCIDENTS_PER_HOUR: "3" } });
  target = await startTarget();
});
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});
beforeEach(async () => {
  target.set({ status: 200 });
  // The limits count per clock hour; a test straddling the hour would see two budgets.
  const left = HOUR - (Date.now() % HOUR);
  if (left < 30_000) await new Promise((r) => setTimeout(r, left + 100));
}, 40_000);

async function createMonitor(user: TestUser, name: string) {
  const res = await user.call("POST", "/v1/monitors", { name, url: target.url, failureThreshold: 1 });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

const check = async (user: TestUser, id: string) => expect((await user.call("POST", `/v1/monitors/${id}/check`)).status).toBe(200);
const mailsTo = async (address: string) => (await stack.emails()).filter((e) => e.destination.to.includes(address));

describe("hourly cap per account", () => {
  it(`sends at most ${CAP} alert emails an hour, then drops and counts them, with one notice to the owner`, async () => {
    const carol = await createUser(stack);
    const monitors = [];
    for (let i = 0; i < CAP + 3; i++) monitors.push(await createMonitor(carol, `Capped ${i}`));
    await stack.drainQueues();
    target.set({ status: 500 });
    for (const m of monitors) await check(carol, m.id);
    await stack.drainQueues();

    const mails = await mailsTo(carol.email);
    expect(mails.filter((e) => e.subject.startsWith("[DOWN]"))).toHaveLength(CAP);
    const notices = mails.filter((e) => e.subject.startsWith("[ALERTS CAPPED]"));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.subject).toMatch(/until \d\d:00 UTC/);

    const notes = await Promise.all(
      monitors.map(async (m) => Alert.listForIncident((await carol.call("GET", `/v1/monitors/${m.id}`)).body.openIncidentId)),
    );
    const capped = notes.flat().filter((n) => n.status === "skipped");
    expect(capped).toHaveLength(3);
    expect(capped.every((n) => n.reason === "capped")).toBe(true);

    // Another account has its own budget.
    const dave = await createUser(stack);
    const m = await createMonitor(dave, "Other account");
    await stack.drainQueues();
    target.set({ status: 500 });
    await check(dave, m.id);
    await stack.drainQueues();
    expect((await mailsTo(dave.email)).map((e) => e.subject.slice(0, 6))).toEqual(["[DOWN]"]);
  });
});

describe("invitations under the cap", () => {
  it("shows mailedAt only on the invitations whose mail went, not on those the cap dropped", async () => {
    const owner = await createUser(stack);
    const org = await owner.call("POST", "/v1/orgs", { name: "Capped Co" });
    expect(org.status).toBe(201);
    const asOwner = inOrg(stack, owner, org.body.id);
    const emails = Array.from({ length: CAP + 2 }, (_, i) => `invitee-${Date.now()}-${i}@example.com`);
    for (const email of emails) expect((await asOwner("POST", "/v1/org/invitations", { email, role: "member" })).status).toBe(201);
    await stack.drainQueues();

    const mailed = new Set((await stack.emails()).filter((e) => e.subject.startsWith("You are invited")).flatMap((e) => e.destination.to));
    const listed = (await asOwner("GET", "/v1/org/invitations?limit=100")).body.data as Array<{ email: string; mailedAt: string | null }>;
    expect(listed).toHaveLength(CAP + 2);
    expect(listed.filter((i) => i.mailedAt !== null).map((i) => i.email).sort()).toEqual(emails.filter((e) => mailed.has(e)).sort());
    expect(listed.filter((i) => i.mailedAt === null)).toHaveLength(2);
  });
});

describe("flapping", () => {
  it("replaces a monitor's mails past FLAP_INCIDENTS_PER_HOUR incidents with one [FLAPPING] summary", async () => {
    const erin = await createUser(stack);
    const m = await createMonitor(erin, "Flappy");
    await stack.drainQueues();
    for (let i = 0; i < 5; i++) {
      for (const status of [500, 200]) {
        target.set({ status });
        await check(erin, m.id);
        await stack.drainQueues();
      }
    }
    const subjects = (await mailsTo(erin.email)).map((e) => e.subject);
    expect(subjects.filter((s) => s.startsWith("[DOWN]"))).toHaveLength(3);
    expect(subjects.filter((s) => s.startsWith("[RECOVERED]"))).toHaveLength(3);
    const flapping = subjects.filter((s) => s.startsWith("[FLAPPING]"));
    expect(flapping).toHaveLength(1);
    expect(flapping[0]).toMatch(/^\[FLAPPING\] Flappy changed state 7 times; alerts paused until \d\d:00 UTC$/);
    expect(subjects).toHaveLength(7);
    const summary = (await mailsTo(erin.email)).find((e) => e.subject.startsWith("[FLAPPING]"))!;
    const link = `${stack.apiUrl}/monitors/${m.id}?org=${(await erin.call("GET", "/v1/me")).body.id}`;
    expect(summary.body.text).toContain(`Details: ${link}`);
    expect(summary.body.html).toContain(`<a href="${link}">`);
  });
});

describe("subjects", () => {
  it("never carry CR, LF or other control characters from a monitor name; the HTML stays escaped", async () => {
    const frank = await createUser(stack);
    const evil = "Evil\r\nBcc: victim@example.com\u0007<b>x</b>";
    const refused = await frank.call("POST", "/v1/monitors", { name: evil, url: target.url });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.error.details)).toContain("name");
    const res = await frank.call("POST", "/v1/monitors", { name: "Evil", url: target.url, failureThreshold: 1 });
    expect(res.status).toBe(201);
    // A name stored before names were validated: the mail layer must still keep it out of headers.
    await MonitorEntity.patch({ monitorId: res.body.id }).set({ name: evil }).go();
    await stack.drainQueues();
    target.set({ status: 500 });
    await check(frank, res.body.id);
    await stack.drainQueues();
    const [mail] = await mailsTo(frank.email);
    // The name is also defanged: its address cannot become a link.
    expect(mail!.subject).toBe("[DOWN] Evil Bcc: victim[at]example[.]com <b>x</b> is down");
    expect(mail!.subject).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(mail!.destination.bcc).toEqual([]);
    expect(mail!.body.html).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(mail!.body.html).not.toContain("<b>x</b>");
  });
});
