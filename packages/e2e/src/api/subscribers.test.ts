import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type LocalEmail, type TestStack } from "@uptime/local/testing";
import { sqs } from "@uptime/core/platform/aws";
import { Mail } from "@uptime/core/platform/mail";
import { sesTransport } from "@uptime/core/platform/ses";
import { MailSuppression } from "@uptime/core/platform/mail-suppression";
import { PostedIncidents } from "@uptime/core/status-pages/incidents";
import { SubscriberMail } from "@uptime/core/status-pages/notify";
import { Subscribers } from "@uptime/core/status-pages/subscriber";
import { createUser, type TestUser } from "../kit/test-users";
import { createStatusPageFixture, type StatusPageFixture } from "../kit/status-page-fixture";

let stack: TestStack;
let ada: TestUser;
let f: StatusPageFixture;
let base: string;

beforeAll(async () => {
  stack = await startTestStack();
  ada = await createUser(stack);
  f = await createStatusPageFixture(stack, ada);
  base = `/status/${f.page.slug}`;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const form = (fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  return { method: "POST", body };
};
const mailsTo = async (to: string) => (await stack.emails()).filter((m) => m.destination.to.includes(to));
const header = (m: LocalEmail, name: string) => m.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
const linkIn = (m: LocalEmail, path: string) => {
  const found = m.body.text!.match(new RegExp(`https?://\\S*${path}\\?\\S+`));
  if (!found) throw new Error(`no ${path} link in: ${m.body.text}`);
  return new URL(found[0]);
};
const count = async () => (await ada.call("GET", `/v1/status-pages/${f.page.pageId}/subscribers/count`)).body.count as number;

/** Subscribes through the page's form and confirms through the mailed link's page. */
async function subscribeAndConfirm(email: string, components?: string[]) {
  const res = await stack.api(`${base}/subscribe`, form({ email, ...(components && { components }) }));
  expect(res.status).toBe(200);
  await stack.drainQueues({ includeDelayed: false });
  const [mail] = await mailsTo(email);
  const link = linkIn(mail!, "/subscription/confirm");
  const confirmed = await stack.api(link.pathname, form(Object.fromEntries(link.searchParams)));
  expect(confirmed.status).toBe(200);
  expect(confirmed.body).toContain("Subscribed");
}

let eventNo = 0;
/** A new update on the website incident (which queues its notification), delivered. */
async function postUpdate(message: string) {
  const saved = await PostedIncidents.addUpdate(f.access, f.page.pageId, f.activeIncidentId, { message: `${message} ${eventNo++}`, status: "identified" });
  const update = saved.updates[saved.updates.length - 1]!;
  const event = { kind: "incident.updated" as const, subjectId: f.activeIncidentId, updateId: update.updateId };
  await stack.drainQueues({ includeDelayed: false });
  return event;
}

describe("double opt-in", () => {
  it("mails a confirmation link whose GET only asks; the POST confirms, and the admin sees a count", async () => {
    const res = await stack.api(`${base}/subscribe`, form({ email: "Bob@Example.com" }));
    expect(res.status).toBe(200);
    expect(res.body).toContain("Check your email");
    await stack.drainQueues({ includeDelayed: false });
    const mails = await mailsTo("bob@example.com");
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain("Confirm your subscription");
    const link = linkIn(mails[0]!, "/subscription/confirm");

    for (let i = 0; i < 2; i++) {
      const get = await stack.api(`${link.pathname}${link.search}`);
      expect(get.status).toBe(200);
      expect(get.body).toContain('method="post"');
    }
    expect(await count()).toBe(0);
    expect((await Subscribers.get(f.page.pageId, Subscribers.idOf(f.page.pageId, "bob@example.com")))!.status).toBe("pending");

    const forged = await stack.api(link.pathname, form({ s: link.searchParams.get("s")!, t: "x".repeat(43) }));
    expect(forged.status).toBe(404);
    expect(await count()).toBe(0);

    const post = await stack.api(link.pathname, form(Object.fromEntries(link.searchParams)));
    expect(post.status).toBe(200);
    expect(await count()).toBe(1);

    // Subscribing again sends nothing more and changes nothing.
    await stack.api(`${base}/subscribe`, form({ email: "bob@example.com" }));
    await stack.drainQueues({ includeDelayed: false });
    expect(await mailsTo("bob@example.com")).toHaveLength(1);
    expect((await ada.call("GET", `/v1/status-pages/${f.page.pageId}/subscribers/count`, undefined)).status).toBe(200);
  });

  it("keeps the count to the page's organisation", async () => {
    const eve = await createUser(stack);
    expect((await eve.call("GET", `/v1/status-pages/${f.page.pageId}/subscribers/count`)).status).toBe(404);
    expect((await stack.api(`/v1/status-pages/${f.page.pageId}/subscribers/count`)).status).toBe(401);
  });

  it("limits subscribe posts per client address: 429 with Retry-After, other clients unaffected", async () => {
    const post = (from: string, i: number) =>
      stack.api(`${base}/subscribe`, { method: "POST", body: `email=flood-${i}%40example.com`, from, headers: { "content-type": "application/x-www-form-urlencoded" } });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await post("127.0.7.1", i)).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    const limited = await post("127.0.7.1", 99);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.body).toContain("Too many subscription requests");
    expect((await post("127.0.7.2", 100)).status).toBe(200);
    await stack.drainQueues({ includeDelayed: false });
    expect(await mailsTo("flood-99@example.com")).toHaveLength(0);
  });

  it("refuses a malformed address with a 400 page", async () => {
    const res = await stack.api(`${base}/subscribe`, form({ email: "not an address" }));
    expect(res.status).toBe(400);
  });
});

describe("notifications", () => {
  it("mails each subscriber once per update, honours component choices, with one-click unsubscribe headers", async () => {
    await subscribeAndConfirm("carol@example.com", [f.components.db]);
    await stack.clearEmails();
    await postUpdate("Rolling back.");
    const bob = await mailsTo("bob@example.com");
    expect(bob).toHaveLength(1);
    expect(bob[0]!.subject).toContain("Incident update");
    expect(bob[0]!.body.text).toContain("Rolling back.");
    expect(header(bob[0]!, "List-Unsubscribe")).toMatch(/^<http:\/\/\S+\/subscription\/unsubscribe\?s=[0-9a-f]{32}&t=[\w-]+>$/);
    expect(header(bob[0]!, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    expect(await mailsTo("carol@example.com")).toHaveLength(0); // chose the database only
  });

  it("sends exactly once when the same delivery message arrives twice", async () => {
    await stack.clearEmails();
    const event = await postUpdate("Still rolling back.");
    expect(await mailsTo("bob@example.com")).toHaveLength(1);
    // SQS redelivers (a consumer timed out after sending): the same message again, after FIFO de-duplication expired.
    const subscriberIds = [Subscribers.idOf(f.page.pageId, "bob@example.com")];
    for (const dedup of ["redelivery-1", "redelivery-2"]) {
      await sqs().send(
        new SendMessageCommand({
          QueueUrl: stack.queueUrls.alerts,
          MessageBody: JSON.stringify({ type: "subscribers.deliver", pageId: f.page.pageId, event, subscriberIds }),
          MessageGroupId: `page:${f.page.pageId}`,
          MessageDeduplicationId: dedup,
        }),
      );
    }
    await stack.drainQueues({ includeDelayed: false });
    expect(await mailsTo("bob@example.com")).toHaveLength(1);
    expect(await SubscriberMail.handle({ type: "subscribers.deliver", pageId: f.page.pageId, event, subscriberIds })).toEqual({ sent: [] });
  });

  it("unsubscribes with the one-click POST only; a GET of the link asks", async () => {
    await stack.clearEmails();
    await postUpdate("Another update.");
    const [mail] = await mailsTo("bob@example.com");
    const url = new URL(header(mail!, "List-Unsubscribe")!.slice(1, -1));
    const asked = await stack.api(`${url.pathname}${url.search}`);
    expect(asked.status).toBe(200);
    expect(asked.body).toContain("Stop sending updates");
    expect(await count()).toBe(2);
    // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the header's URL.
    const oneClick = await stack.api(`${url.pathname}${url.search}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(oneClick.status).toBe(200);
    expect(oneClick.body).toContain("Unsubscribed");
    expect(await count()).toBe(1);
    await stack.clearEmails();
    await postUpdate("After unsubscribing.");
    expect(await mailsTo("bob@example.com")).toHaveLength(0);
  });

  it("a manage link changes the components a subscription covers", async () => {
    const carol = Subscribers.idOf(f.page.pageId, "carol@example.com");
    const t = await Subscribers.manageToken(carol);
    const page = await stack.api(`${base}/subscription?s=${carol}&t=${t}`);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(new RegExp(`value="${f.components.db}" checked`));
    const saved = await stack.api(`${base}/subscription`, form({ s: carol, t, components: [f.components.web] }));
    expect(saved.status).toBe(200);
    await stack.clearEmails();
    await postUpdate("Website news.");
    expect(await mailsTo("carol@example.com")).toHaveLength(1);
  });
});

describe("SES bounces and complaints", () => {
  const localOnly = { "x-uptime-local": "1" };

  it("the local injection endpoint takes only JSON with the local-only header, so no web page can post to it", async () => {
    const crossSite = await stack.api("/local/ses/bounce", { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ email: "mallory-target@example.com" }) });
    expect(crossSite.status).toBe(403);
    const plain = await stack.api("/local/ses/bounce", { method: "POST", headers: { ...localOnly, "content-type": "text/plain" }, body: JSON.stringify({ email: "mallory-target@example.com" }) });
    expect(plain.status).toBe(415);
    const noHeader = await stack.api("/local/ses/bounce", { method: "POST", json: { email: "mallory-target@example.com" } });
    expect(noHeader.status).toBe(403);
    expect(await MailSuppression.isSuppressed("mallory-target@example.com")).toBe(false);
  });

  it("a bounce injected locally suppresses the address: no more mail, no new confirmation", async () => {
    await subscribeAndConfirm("dave@example.com");
    const res = await stack.api("/local/ses/bounce", { method: "POST", headers: localOnly, json: { email: "Dave@example.com", type: "bounce" } });
    expect(res.status).toBe(202);
    expect(await MailSuppression.isSuppressed("dave@example.com")).toBe(true);
    await stack.clearEmails();
    await postUpdate("After the bounce.");
    expect(await mailsTo("dave@example.com")).toHaveLength(0);
    expect(await mailsTo("carol@example.com")).toHaveLength(1);

    await stack.api("/local/ses/bounce", { method: "POST", headers: localOnly, json: { email: "erin@example.com", type: "complaint" } });
    await stack.api(`${base}/subscribe`, form({ email: "erin@example.com" }));
    await stack.drainQueues({ includeDelayed: false });
    expect(await mailsTo("erin@example.com")).toHaveLength(0);
    expect((await stack.api("/local/ses/bounce", { method: "POST", headers: localOnly, json: { email: "nope" } })).status).toBe(400);
  });

  it("stops every kind of mail to a suppressed address in Mail.send: alerts, invitations, resets, subscriber mail", async () => {
    Mail.useTransport(sesTransport); // as the alert function does; this test sends directly
    const frank = await createUser(stack);
    await MailSuppression.suppress(frank.email, "complaint");
    await stack.clearEmails();
    expect(await Mail.send({ to: frank.email.toUpperCase(), subject: "Hello", text: "Hi", html: "<p>Hi</p>" })).toBeUndefined();
    expect((await stack.api("/v1/auth/password-reset", { method: "POST", json: { email: frank.email } })).status).toBe(202);
    await stack.drainQueues({ includeDelayed: false });
    expect(await mailsTo(frank.email)).toHaveLength(0);
    // the same paths reach an address that is not suppressed
    expect(await Mail.send({ to: "grace@example.com", subject: "Hello", text: "Hi", html: "<p>Hi</p>" })).toEqual(expect.any(String));
    expect((await stack.api("/v1/auth/password-reset", { method: "POST", json: { email: ada.email } })).status).toBe(202);
    await stack.drainQueues({ includeDelayed: false });
    expect(await mailsTo("grace@example.com")).toHaveLength(1);
    expect(await mailsTo(ada.email)).toHaveLength(1);
  });

  it("suppresses only permanent bounces and complaints", async () => {
    expect(await MailSuppression.record({ eventType: "Bounce", bounce: { bounceType: "Transient", bouncedRecipients: [{ emailAddress: "full@example.com" }] } })).toEqual([]);
    expect(await MailSuppression.isSuppressed("full@example.com")).toBe(false);
    expect(await MailSuppression.record({ notificationType: "Complaint", complaint: { complainedRecipients: [{ emailAddress: "Angry@example.com" }] } })).toEqual(["angry@example.com"]);
  });
});
