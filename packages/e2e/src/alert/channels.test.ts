import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { Alert } from "@uptime/core/alert/alert";
import { Delivery } from "@uptime/core/channels/delivery";
import { ChannelEntity, DeliveryEntity } from "@uptime/core/channels/entity";
import { FollowUp } from "@uptime/core/channels/follow-up";
import { Incident } from "@uptime/core/incident/incident";
import { createUser, type TestUser } from "../kit/test-users";
import { startReceiver, type Receiver } from "../kit/receiver";

let stack: TestStack;
let site: Target;
let user: TestUser;
const receivers: Receiver[] = [];
const MINUTE = 60_000;

beforeAll(async () => {
  // Retries one second apart instead of thirty, so a test can watch them.
  stack = await startTestStack({ env: { CHANNEL_RETRY_BASE_SEC: "1" } });
  site = await startTarget();
  user = await createUser(stack);
});
afterAll(async () => {
  for (const r of receivers) await r.stop();
  await site?.stop();
  await stack?.stop();
});

async function receiver(...script: { status: number; body?: string; headers?: Record<string, string> }[]) {
  const r = await startReceiver();
  r.script(...script);
  receivers.push(r);
  return r;
}

async function channel(body: Record<string, unknown>) {
  const res = await user.call("POST", "/v1/channels", { name: `${body.type} channel`, ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { channel: { id: string; secrets: Record<string, string> }; signingSecret?: string };
}

async function monitor(channelIds: string[], extra: Record<string, unknown> = {}) {
  const res = await user.call("POST", "/v1/monitors", { name: "Shop", url: site.url, failureThreshold: 1, channelIds, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await stack.drainQueues();
  return res.body.id as string;
}

async function goDown(monitorId: string) {
  site.set({ status: 500 });
  expect((await user.call("POST", `/v1/monitors/${monitorId}/check`)).status).toBe(200);
  await stack.drainQueues();
  return (await user.call("GET", `/v1/monitors/${monitorId}`)).body.openIncidentId as string;
}

async function goUp(monitorId: string) {
  site.set({ status: 200 });
  expect((await user.call("POST", `/v1/monitors/${monitorId}/check`)).status).toBe(200);
  await stack.drainQueues();
}

const types = (r: Receiver) => r.received.map((m) => m.json().type ?? m.json().event_action ?? m.json().blocks?.[0]?.text?.text);

describe("a monitor with a webhook, a Slack and a PagerDuty channel", () => {
  it("each receiver gets exactly one down and one recovery in its documented shape, also when the alert is handled again", async () => {
    const [hook, slack, pd] = [await receiver(), await receiver(), await receiver()];
    const webhook = await channel({ type: "webhook", url: `${hook.url}/hooks/uptime` });
    const slackChannel = await channel({ type: "slack", url: `${slack.url}/services/T0/B0/x` });
    const pdChannel = await channel({ type: "pagerduty", routingKey: "R0123456789abcdef0123456789abcde", eventsUrl: `${pd.url}/v2/enqueue`, severity: "critical" });
    const monitorId = await monitor([webhook.channel.id, slackChannel.channel.id, pdChannel.channel.id]);

    const incidentId = await goDown(monitorId);
    expect(hook.received).toHaveLength(1);
    expect(slack.received).toHaveLength(1);
    expect(pd.received).toHaveLength(1);
    const signed = new Webhook(webhook.signingSecret!).verify(hook.received[0]!.body, hook.received[0]!.headers as Record<string, string>) as any;
    expect(signed).toMatchObject({ type: "monitor.down", version: 1, data: { incident: { id: incidentId }, monitor: { id: monitorId } } });
    expect(slack.received[0]!.json().blocks[0].text.text).toMatch(/Shop is DOWN/);
    expect(pd.received[0]!.json()).toMatchObject({ event_action: "trigger", dedup_key: incidentId, payload: { severity: "critical" } });

    // The alerts queue redelivers: the same event handled twice more sends nothing more.
    const opened = { type: "incident.opened" as const, incidentId, monitorId, at: (await Incident.get(incidentId))!.startedAt };
    await Alert.handle(opened);
    await Alert.handle(opened);
    await stack.drainQueues();
    expect([hook, slack, pd].map((r) => r.received.length)).toEqual([1, 1, 1]);

    await goUp(monitorId);
    expect([hook, slack, pd].map((r) => r.received.length)).toEqual([2, 2, 2]);
    expect(new Webhook(webhook.signingSecret!).verify(hook.received[1]!.body, hook.received[1]!.headers as Record<string, string>)).toMatchObject({ type: "monitor.recovered" });
    expect(slack.received[1]!.json().blocks[0].text.text).toMatch(/RECOVERED/);
    expect(pd.received[1]!.json()).toEqual({ routing_key: "R0123456789abcdef0123456789abcde", event_action: "resolve", dedup_key: incidentId });
  });
});

describe("retries", () => {
  it("a receiver answering 503 twice then 200 gets the event once more after each, accepted once, all visible in the delivery log", async () => {
    const hook = await receiver({ status: 503 }, { status: 503 });
    const c = await channel({ type: "webhook", url: hook.url });
    await goDown(await monitor([c.channel.id]));
    expect(hook.received).toHaveLength(3);
    // Every attempt carries the same webhook-id: a receiver can tell it is one event.
    expect(new Set(hook.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    const log = (await user.call("GET", `/v1/channels/${c.channel.id}/deliveries`)).body.data as Delivery.LogEntry[];
    expect(log.map((e) => [e.attempt, e.outcome, e.httpStatus])).toEqual([
      [2, "sent", 200],
      [1, "retry", 503],
      [0, "retry", 503],
    ]);
  });

  it("honours Discord's 429 retry_after", async () => {
    const discord = await receiver({ status: 429, body: JSON.stringify({ message: "You are being rate limited.", retry_after: 1.2, global: false }), headers: { "content-type": "application/json" } });
    const c = await channel({ type: "discord", url: `${discord.url}/api/webhooks/1/x` });
    await goDown(await monitor([c.channel.id]));
    expect(discord.received).toHaveLength(2);
    expect(discord.received[1]!.json().embeds[0].title).toMatch(/DOWN/);
    // The second attempt waited at least the 1.2 s Discord asked for (rounded up to 2 s).
    const gap = Date.parse(String((await user.call("GET", `/v1/channels/${c.channel.id}/deliveries`)).body.data[0].at)) - Date.parse(String((await user.call("GET", `/v1/channels/${c.channel.id}/deliveries`)).body.data[1].at));
    expect(gap).toBeGreaterThanOrEqual(1900);
  });
});

describe("exactly once per channel and event", () => {
  async function pendingDelivery(channelId: string, eventId: string) {
    const now = Date.now();
    await DeliveryEntity.create({
      channelId,
      eventId,
      orgId: user.email,
      event: JSON.stringify({ type: "channel.test", version: 1, id: `msg_${eventId}`, timestamp: new Date(now).toISOString(), orgId: "o", data: { links: {} } }),
      status: "pending",
      attempt: 0,
      nextAt: now,
      firstAt: now,
    }).go();
    return { type: "channel.delivery" as const, channelId, eventId, attempt: 0 };
  }

  it("a message delivered again, or twice at once, sends once", async () => {
    const hook = await receiver();
    const c = await channel({ type: "webhook", url: hook.url });
    const message = await pendingDelivery(c.channel.id, "redelivered");
    const outcomes = await Promise.all([Delivery.deliver(message), Delivery.deliver(message)]);
    expect(outcomes.sort()).toEqual(["duplicate", "sent"]);
    expect(await Delivery.deliver(message)).toBe("duplicate");
    expect(hook.received).toHaveLength(1);
  });

  it("a crash between sending and recording never sends again: the delivery ends unconfirmed", async () => {
    const hook = await receiver();
    const c = await channel({ type: "webhook", url: hook.url });
    const message = await pendingDelivery(c.channel.id, "crashed");
    await expect(Delivery.deliver(message, { afterSend: () => { throw new Error("killed"); } })).rejects.toThrow("killed");
    expect(hook.received).toHaveLength(1);
    // SQS hands the message out again, at once (another consumer) and after the visibility timeout.
    expect(await Delivery.deliver(message)).toBe("duplicate");
    expect(await Delivery.deliver(message, { now: Date.now() + 10 * MINUTE })).toBe("unconfirmed");
    expect(await Delivery.deliver(message, { now: Date.now() + 20 * MINUTE })).toBe("duplicate");
    expect(hook.received).toHaveLength(1);
    expect((await Delivery.get(c.channel.id, "crashed"))!.status).toBe("unconfirmed");
  });
});

describe("secrets", () => {
  it("are masked to their last four characters for every role and never stored in plain text", async () => {
    const url = "https://hooks.slack.com/services/T0AAAA/B0BBBB/PlainSecretWXYZ";
    const c = await channel({ type: "slack", url });
    expect(c.channel.secrets.url).toBe("••••WXYZ");
    const listed = (await user.call("GET", "/v1/channels")).body.data.find((x: any) => x.id === c.channel.id);
    expect(JSON.stringify(listed)).not.toContain("PlainSecret");
    // The item exactly as DynamoDB holds it.
    const raw = (await ChannelEntity.get({ channelId: c.channel.id }).go({ data: "raw" })).data as unknown as { Item: Record<string, unknown> };
    expect(raw.Item).toBeDefined();
    expect(JSON.stringify(raw.Item)).not.toContain("PlainSecret");
    expect(JSON.stringify(raw.Item)).not.toContain("hooks.slack.com");
    expect(String(raw.Item.sealed)).toMatch(/^v1\./);
  });
});

describe("reminders, acknowledgement and escalation", () => {
  it("reminds while down and unacknowledged, tells the channel who acknowledged, and stops reminding after", async () => {
    const hook = await receiver();
    const c = await channel({ type: "webhook", url: hook.url });
    const incidentId = await goDown(await monitor([c.channel.id], { remindEveryMin: 5 }));
    const startedAt = (await Incident.get(incidentId))!.startedAt;
    expect(types(hook)).toEqual(["monitor.down"]);

    await FollowUp.runDue(startedAt + 5 * MINUTE + 1000);
    await stack.drainQueues();
    expect(types(hook)).toEqual(["monitor.down", "monitor.reminder"]);
    expect(hook.received[1]!.json().data.reminder).toBe(1);
    // The same minute again (a tick delivered twice) reminds nobody twice.
    await FollowUp.runDue(startedAt + 5 * MINUTE + 1000);
    await stack.drainQueues();
    expect(hook.received).toHaveLength(2);

    // The one-click link in the message: opening it changes nothing, its button acknowledges.
    const link = new URL(hook.received[0]!.json().data.links.acknowledge);
    const page = await stack.api(link.pathname + link.search);
    expect(page.status).toBe(200);
    expect((await Incident.get(incidentId))!.acknowledgedAt).toBeUndefined();
    const done = await stack.api(link.pathname, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `token=${link.searchParams.get("token")}` });
    expect(done.status).toBe(200);
    await stack.drainQueues();
    expect(types(hook)).toEqual(["monitor.down", "monitor.reminder", "incident.acknowledged"]);
    expect(hook.received[2]!.json().data.incident.acknowledgedBy).toBe("link");

    await FollowUp.runDue(startedAt + 30 * MINUTE);
    await stack.drainQueues();
    expect(hook.received).toHaveLength(3);
  });

  it("escalates only an incident nobody acknowledged in time", async () => {
    const [own, oncall] = [await receiver(), await receiver()];
    const ownChannel = await channel({ type: "webhook", url: own.url });
    const oncallChannel = await channel({ type: "webhook", url: oncall.url });
    const settings = { escalateAfterMin: 10, escalationChannelIds: [oncallChannel.channel.id] };

    const acked = await goDown(await monitor([ownChannel.channel.id], settings));
    const res = await user.call("POST", `/v1/incidents/${acked}/acknowledge`);
    expect(res.status).toBe(200);
    expect(res.body.acknowledgedBy).toBe(user.email);
    const ignored = await goDown(await monitor([ownChannel.channel.id], settings));

    await FollowUp.runDue(Date.now() + 11 * MINUTE);
    await stack.drainQueues();
    expect(oncall.received.map((r) => [r.json().type, r.json().data.incident.id, r.json().data.escalated])).toEqual([["monitor.down", ignored, true]]);
  });
});

describe("send test, broken channels", () => {
  it("shows the service's real answer", async () => {
    const hook = await receiver({ status: 202, body: "accepted by the receiver" });
    const c = await channel({ type: "webhook", url: hook.url });
    const res = await user.call("POST", `/v1/channels/${c.channel.id}/test`);
    expect(res.body).toMatchObject({ ok: true, httpStatus: 202, response: "accepted by the receiver" });
    expect(hook.received[0]!.json().type).toBe("channel.test");
  });

  it("an EventBridge channel's event is logged locally and readable in the delivery log", async () => {
    const c = await channel({ type: "eventbridge" });
    await goDown(await monitor([c.channel.id]));
    const [entry] = (await user.call("GET", `/v1/channels/${c.channel.id}/deliveries`)).body.data;
    expect(entry).toMatchObject({ eventType: "monitor.down", outcome: "sent" });
    expect(JSON.parse(entry.response)).toMatchObject({ type: "monitor.down", version: 1 });
  });

  it("a deleted webhook (410) marks the channel broken and mails the owner once", async () => {
    const slack = await receiver();
    slack.fallback = { status: 410, body: "no_service" };
    const c = await channel({ type: "slack", url: slack.url });
    await goDown(await monitor([c.channel.id]));
    await goDown(await monitor([c.channel.id]));
    expect(slack.received).toHaveLength(2);
    const view = (await user.call("GET", `/v1/channels/${c.channel.id}`)).body;
    expect(view.broken.reason).toMatch(/410/);
    const notices = (await stack.emails()).filter((e) => e.subject.startsWith("[CHANNEL BROKEN]") && e.destination.to.includes(user.email));
    expect(notices).toHaveLength(1);
  });
});

describe("status page incidents and flapping", () => {
  it("a posted status page incident reaches the channels that asked for status page news, and no others", async () => {
    const [asked, quiet] = [await receiver(), await receiver()];
    await channel({ type: "webhook", url: asked.url, statusPages: true });
    await channel({ type: "slack", url: quiet.url });
    const page = (await user.call("POST", "/v1/status-pages", { slug: `channels-${Date.now()}`, title: "Shop status" })).body;
    const component = (await user.call("POST", `/v1/status-pages/${page.id}/components`, { name: "Checkout" })).body;
    const posted = await user.call("POST", `/v1/status-pages/${page.id}/incidents`, {
      title: "Checkout errors",
      impact: "minor",
      componentIds: [component.id],
      update: { message: "Looking into it", status: "investigating" },
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(201);
    await stack.drainQueues();
    expect(types(asked)).toEqual(["status_page.incident.created"]);
    expect(asked.received[0]!.json().data.statusPage).toMatchObject({ title: "Checkout errors", status: "investigating", message: "Looking into it" });
    expect(quiet.received).toHaveLength(0);
  });

  it("a flapping monitor's channel gets one monitor.flapping for the hour instead of more downs and ups", async () => {
    // The flap count is per clock hour; a test straddling the hour would see two.
    const left = 3_600_000 - (Date.now() % 3_600_000);
    if (left < 60_000) await new Promise((r) => setTimeout(r, left + 100));
    const hook = await receiver();
    const c = await channel({ type: "webhook", url: hook.url });
    const monitorId = await monitor([c.channel.id]);
    for (let i = 0; i < 5; i++) {
      await goDown(monitorId);
      await goUp(monitorId);
    }
    // FLAP_INCIDENTS_PER_HOUR is 3: the fourth incident makes it flapping.
    expect(types(hook)).toEqual([...Array(3).fill(["monitor.down", "monitor.recovered"]).flat(), "monitor.flapping"]);
  }, 90_000);
});
