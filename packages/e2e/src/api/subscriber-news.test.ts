import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { sqs } from "@uptime/core/platform/aws";
import { MaintenanceEntity } from "@uptime/core/status-pages/entity";
import type { SubscriberMail } from "@uptime/core/status-pages/notify";
import { createUser, type TestUser } from "../kit/test-users";

/** Subscriber mail end to end: what the admin API and the tick do reaches each subscriber exactly once. */

let stack: TestStack;
let ada: TestUser;
let pageId: string;
let slug: string;
let componentId: string;

beforeAll(async () => {
  stack = await startTestStack();
  ada = await createUser(stack);
  slug = `news-${Date.now().toString(36)}`;
  const page = await ada.call("POST", "/v1/status-pages", { slug, title: "News status" });
  expect(page.status).toBe(201);
  pageId = page.body.id;
  componentId = (await ada.call("POST", `/v1/status-pages/${pageId}/components`, { name: "API" })).body.id;
  await subscribeAndConfirm("bob@example.com");
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await stack?.stop();
});

const form = (fields: Record<string, string>) => ({ method: "POST", body: new URLSearchParams(fields) });
const subjectsTo = async (to: string) => (await stack.emails()).filter((m) => m.destination.to.includes(to)).map((m) => m.subject);
const sleepUntil = async (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now() + 20)));
let minute = 0;
/** Each call is its own tick window (the windows are claimed once); the maintenance moves by the real clock. */
const tick = () => stack.tick(new Date(Date.UTC(2020, 0, 1, 0, minute++)));

async function subscribeAndConfirm(email: string) {
  expect((await stack.api(`/status/${slug}/subscribe`, form({ email }))).status).toBe(200);
  await stack.drainQueues({ includeDelayed: false });
  const [mail] = (await stack.emails()).filter((m) => m.destination.to.includes(email));
  const link = new URL(mail!.body.text!.match(/https?:\/\/\S*\/subscription\/confirm\?\S+/)![0]);
  expect((await stack.api(link.pathname, form(Object.fromEntries(link.searchParams)))).status).toBe(200);
  await stack.clearEmails();
}

/** Makes the next `n` subscriber fan-out sends fail, as if SQS were unreachable right after the save. */
function failFanOutSends(n: number) {
  const client = sqs();
  const send = client.send.bind(client);
  let left = n;
  return vi.spyOn(client, "send").mockImplementation(((cmd: unknown) => {
    if (cmd instanceof SendMessageCommand && JSON.parse(cmd.input.MessageBody ?? "{}").type === "subscribers.fanout" && left-- > 0) {
      return Promise.reject(new Error("SQS unreachable"));
    }
    return send(cmd as never);
  }) as never);
}

const events: SubscriberMail.PageEvent[] = [];

describe("subscriber mail from the admin API and the tick", () => {
  it("mails a posted incident, its update and its resolution, once each", async () => {
    const incident = await ada.call("POST", `/v1/status-pages/${pageId}/incidents`, {
      title: "API errors",
      impact: "major",
      componentIds: [componentId],
      update: { message: "We see errors.", status: "investigating" },
    });
    expect(incident.status).toBe(201);
    const id = incident.body.id;
    const updated = await ada.call("POST", `/v1/status-pages/${pageId}/incidents/${id}/updates`, { message: "A bad deploy.", status: "identified" });
    const resolved = await ada.call("POST", `/v1/status-pages/${pageId}/incidents/${id}/updates`, { message: "Rolled back.", status: "resolved" });
    expect(resolved.status).toBe(201);
    await stack.drainQueues({ includeDelayed: false });
    expect(await subjectsTo("bob@example.com")).toEqual([
      "[News status] New incident: API errors",
      "[News status] Incident update: API errors",
      "[News status] Resolved: API errors",
    ]);
    const [first, second, third] = resolved.body.updates.map((u: { id: string }) => u.id);
    expect(updated.body.updates[1].id).toBe(second);
    events.push(
      { kind: "incident.created", subjectId: id, updateId: first },
      { kind: "incident.updated", subjectId: id, updateId: second },
      { kind: "incident.resolved", subjectId: id, updateId: third },
    );
  });

  it("mails maintenance when scheduled, and when the tick starts and completes it", async () => {
    await stack.clearEmails();
    const now = Date.now();
    const created = await ada.call("POST", `/v1/status-pages/${pageId}/maintenance`, {
      title: "Database upgrade",
      message: "Writes pause briefly.",
      startsAt: new Date(now + 1_000).toISOString(),
      endsAt: new Date(now + 2_000).toISOString(),
      componentIds: [componentId],
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe("scheduled");
    await stack.drainQueues({ includeDelayed: false });
    expect(await subjectsTo("bob@example.com")).toEqual(["[News status] Maintenance scheduled: Database upgrade"]);

    await sleepUntil(now + 1_000);
    await tick();
    expect((await ada.call("GET", `/v1/status-pages/${pageId}/maintenance/${created.body.id}`)).body.status).toBe("in_progress");
    await stack.drainQueues({ includeDelayed: false });
    await sleepUntil(now + 2_000);
    await tick();
    await stack.drainQueues({ includeDelayed: false });
    expect(await subjectsTo("bob@example.com")).toEqual([
      "[News status] Maintenance scheduled: Database upgrade",
      "[News status] Maintenance started: Database upgrade",
      "[News status] Maintenance completed: Database upgrade",
    ]);
    const m = (await ada.call("GET", `/v1/status-pages/${pageId}/maintenance/${created.body.id}`)).body;
    expect(m.status).toBe("completed");
    const kinds = ["maintenance.scheduled", "maintenance.started", "maintenance.completed"] as const;
    m.updates.forEach((u: { id: string }, i: number) => events.push({ kind: kinds[i]!, subjectId: m.id, updateId: u.id }));
  });

  it("sends nothing more when the alerts queue delivers every fan-out and delivery message again", async () => {
    expect(events).toHaveLength(6);
    const before = await subjectsTo("bob@example.com");
    const subscriberId = (await import("@uptime/core/status-pages/subscriber")).Subscribers.idOf(pageId, "bob@example.com");
    let n = 0;
    for (const event of events) {
      for (const body of [
        { type: "subscribers.fanout", pageId, event },
        { type: "subscribers.deliver", pageId, event, subscriberIds: [subscriberId] },
      ]) {
        // a fresh de-duplication id: SQS redelivers after the FIFO window, or a consumer timed out after sending
        await sqs().send(
          new SendMessageCommand({ QueueUrl: stack.queueUrls.alerts, MessageBody: JSON.stringify(body), MessageGroupId: `page:${pageId}`, MessageDeduplicationId: `again-${n++}` }),
        );
      }
    }
    await stack.drainQueues({ includeDelayed: false });
    expect(await subjectsTo("bob@example.com")).toEqual(before);
    expect(before).toHaveLength(3);
  });
});

describe("a failure between the save and the queueing", () => {
  it("a retried update neither loses nor doubles the mail, nor the update", async () => {
    const incident = await ada.call("POST", `/v1/status-pages/${pageId}/incidents`, { title: "Slow API", impact: "minor", update: { message: "Looking.", status: "investigating" } });
    await stack.drainQueues({ includeDelayed: false });
    await stack.clearEmails();
    const path = `/v1/status-pages/${pageId}/incidents/${incident.body.id}/updates`;
    const body = { message: "Found it.", status: "identified" };
    const failing = failFanOutSends(1);
    expect((await ada.call("POST", path, body)).status).toBe(500);
    failing.mockRestore();
    const retried = await ada.call("POST", path, body);
    expect(retried.status).toBe(201);
    expect(retried.body.updates.map((u: { message: string }) => u.message)).toEqual(["Looking.", "Found it."]);
    await stack.drainQueues({ includeDelayed: false });
    expect(await subjectsTo("bob@example.com")).toEqual(["[News status] Incident update: Slow API"]);

    // Saying the same again once the first was announced is a new update, and news again.
    expect((await ada.call("POST", path, body)).body.updates).toHaveLength(3);
    await stack.drainQueues({ includeDelayed: false });
    expect(await subjectsTo("bob@example.com")).toHaveLength(2);
  });

  it("a retried post is the same incident, mailed once", async () => {
    await stack.clearEmails();
    const body = { title: "Login failures", impact: "major", update: { message: "Some logins fail.", status: "investigating" } };
    const failing = failFanOutSends(1);
    expect((await ada.call("POST", `/v1/status-pages/${pageId}/incidents`, body)).status).toBe(500);
    failing.mockRestore();
    const retried = await ada.call("POST", `/v1/status-pages/${pageId}/incidents`, body);
    expect(retried.status).toBe(201);
    const list = (await ada.call("GET", `/v1/status-pages/${pageId}/incidents`)).body.data;
    expect(list.filter((i: { title: string }) => i.title === "Login failures")).toHaveLength(1);
    await stack.drainQueues({ includeDelayed: false });
    expect(await subjectsTo("bob@example.com")).toEqual(["[News status] New incident: Login failures"]);
  });

  it("maintenance the tick started while the queue was down is announced by the next tick, once", async () => {
    const now = Date.now();
    const created = await ada.call("POST", `/v1/status-pages/${pageId}/maintenance`, {
      title: "Cache flush",
      message: "Brief slowness.",
      startsAt: new Date(now + 500).toISOString(),
      endsAt: new Date(now + 3_600_000).toISOString(),
      componentIds: [componentId],
    });
    await stack.drainQueues({ includeDelayed: false });
    await stack.clearEmails();
    await sleepUntil(now + 500);
    const failing = failFanOutSends(1);
    await tick();
    failing.mockRestore();
    const { data } = await MaintenanceEntity.get({ pageId, maintenanceId: created.body.id }).go();
    expect(data!.status).toBe("in_progress");
    expect(data!.unannounced).toHaveLength(1);
    await stack.drainQueues({ includeDelayed: false });
    expect(await subjectsTo("bob@example.com")).toEqual([]);

    await tick();
    await tick();
    await stack.drainQueues({ includeDelayed: false });
    expect(await subjectsTo("bob@example.com")).toEqual(["[News status] Maintenance started: Cache flush"]);
    expect((await MaintenanceEntity.get({ pageId, maintenanceId: created.body.id }).go()).data!.unannounced).toBeUndefined();

    // Cancelled while running: subscribers hear it ended.
    await ada.call("POST", `/v1/status-pages/${pageId}/maintenance/${created.body.id}/cancel`);
    await stack.drainQueues({ includeDelayed: false });
    expect((await subjectsTo("bob@example.com")).at(-1)).toBe("[News status] Maintenance cancelled: Cache flush");
  });
});
