import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { ChannelFormats, type Resolved } from "./formats";
import type { Payload } from "./event";

// The package's ESM build imports files without extensions, which Node refuses; its UMD build works.
const AdaptiveCards = createRequire(import.meta.url)("adaptivecards/dist/adaptivecards.js");

const hostile = "<!channel> @everyone **bold** _x_ [a](b) & <b>tag</b> `c` ~s~ |p| > q #h";

function event(type: Payload["type"], name = "Shop", overrides: Partial<Payload["data"]> = {}): Payload {
  return {
    type,
    version: 1,
    id: "msg_2Lx3b4c5d6e7f8g9h0i1j2k3l4m",
    timestamp: "2026-01-02T03:04:05.000Z",
    orgId: "org-1",
    data: {
      monitor: { id: "m-1", name, url: "https://shop.example.com/health" },
      incident: {
        id: "inc-1",
        status: type === "monitor.recovered" ? "resolved" : "open",
        startedAt: "2026-01-02T03:00:00.000Z",
        resolvedAt: type === "monitor.recovered" ? "2026-01-02T03:04:05.000Z" : null,
        durationMs: type === "monitor.recovered" ? 245_000 : null,
        reason: "status",
        message: "HTTP 503",
        acknowledgedAt: null,
        acknowledgedBy: null,
      },
      links: { monitor: "https://status.example.com/monitors/m-1", acknowledge: "https://status.example.com/v1/incidents/inc-1/ack?token=t" },
      ...overrides,
    },
  };
}

const channel = (type: Resolved["type"], secrets: Record<string, string>, settings: Record<string, unknown> = {}): Resolved => ({ id: "c-1", type, name: "ch", settings, secrets });
const bodyOf = (out: ChannelFormats.Outgoing | undefined) => {
  if (out?.kind !== "http") throw new Error("expected an HTTP request");
  return JSON.parse(out.body);
};
const longName = "N".repeat(5000);

describe("generic webhook (Standard Webhooks)", () => {
  it("signs so that the standardwebhooks package verifies it, and the body is the versioned event", () => {
    const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
    const nowSec = Math.floor(Date.now() / 1000);
    const out = ChannelFormats.render(channel("webhook", { url: "https://hooks.example.com/in", signingSecret: secret }), event("monitor.down"), nowSec);
    if (out?.kind !== "http") throw new Error("expected http");
    const verified = new Webhook(secret).verify(out.body, out.headers) as Payload;
    expect(verified.type).toBe("monitor.down");
    expect(verified.version).toBe(1);
    expect(out.headers["webhook-id"]).toBe(verified.id);
    // A tampered body or another secret fails.
    expect(() => new Webhook(secret).verify(out.body.replace("Shop", "Shoq"), out.headers)).toThrow();
    expect(() => new Webhook(`whsec_${Buffer.from("another-secret-another-secret-12").toString("base64")}`).verify(out.body, out.headers)).toThrow();
  });
});

describe("Slack Block Kit", () => {
  it("keeps every documented limit and escapes mrkdwn control characters", () => {
    const body = bodyOf(ChannelFormats.render(channel("slack", { url: "https://hooks.slack.com/services/x" }), event("monitor.down", longName + hostile)));
    expect(body.blocks.length).toBeLessThanOrEqual(50);
    const header = body.blocks.find((b: any) => b.type === "header");
    expect(header.text.type).toBe("plain_text");
    expect(Array.from(header.text.text as string).length).toBeLessThanOrEqual(150);
    for (const b of body.blocks) {
      for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
      if (b.fields) expect(b.fields.length).toBeLessThanOrEqual(10);
      for (const e of b.elements ?? []) if (e.type === "button") expect(e.text.text.length).toBeLessThanOrEqual(75);
    }
    expect(typeof body.text).toBe("string");
    const small = bodyOf(ChannelFormats.render(channel("slack", { url: "https://hooks.slack.com/services/x" }), event("monitor.down", hostile)));
    expect(small.text).not.toContain("<!channel>");
    expect(small.text).toContain("&lt;!channel&gt;");
    expect(small.text).toContain("&amp;");
  });
});

describe("Discord embed", () => {
  it("keeps embed limits, pings nobody and escapes markdown", () => {
    const body = bodyOf(ChannelFormats.render(channel("discord", { url: "https://discord.com/api/webhooks/1/x" }), event("monitor.down", longName + hostile)));
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.content.length).toBeLessThanOrEqual(2000);
    const [embed] = body.embeds;
    expect(Array.from(embed.title as string).length).toBeLessThanOrEqual(256);
    expect(embed.description.length).toBeLessThanOrEqual(4096);
    expect(embed.fields.length).toBeLessThanOrEqual(25);
    for (const f of embed.fields) {
      expect(f.name.length).toBeLessThanOrEqual(256);
      expect(f.value.length).toBeLessThanOrEqual(1024);
    }
    const total = embed.title.length + embed.description.length + embed.footer.text.length + embed.fields.reduce((n: number, f: any) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(6000);
    expect(Number.isInteger(embed.color)).toBe(true);
    const small = bodyOf(ChannelFormats.render(channel("discord", { url: "https://discord.com/api/webhooks/1/x" }), event("monitor.down", hostile)));
    expect(small.content).toContain("\\*\\*bold\\*\\*");
  });
});

describe("Microsoft Teams (Workflows + Adaptive Card)", () => {
  it("is a message with one Adaptive Card the adaptivecards library parses without a warning", () => {
    const body = bodyOf(ChannelFormats.render(channel("teams", { url: "https://prod.westeurope.logic.azure.com/workflows/x" }), event("monitor.down", hostile)));
    expect(body.type).toBe("message");
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
    const card = new AdaptiveCards.AdaptiveCard();
    const context = new AdaptiveCards.SerializationContext();
    card.parse(body.attachments[0].content, context);
    const events = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
    expect(events).toEqual([]);
    expect(card.getItemCount()).toBe(body.attachments[0].content.body.length);
    expect(card.getActionCount()).toBe(2);
  });
});

describe("PagerDuty Events API v2", () => {
  const pd = channel("pagerduty", { routingKey: "R0123456789abcdef0123456789abcde" }, { severity: "error" });
  it("triggers on down with the incident id as dedup_key, the mapped severity and a summary of at most 1024 characters", () => {
    const body = bodyOf(ChannelFormats.render(pd, event("monitor.down", longName)));
    expect(body).toMatchObject({ routing_key: pd.secrets.routingKey, event_action: "trigger", dedup_key: "inc-1" });
    expect(["critical", "error", "warning", "info"]).toContain(body.payload.severity);
    expect(body.payload.severity).toBe("error");
    expect(body.payload.summary.length).toBeLessThanOrEqual(1024);
    expect(body.payload.source).toBeTruthy();
  });
  it("resolves on recovery with the same dedup_key, and has nothing to say about reminders", () => {
    expect(bodyOf(ChannelFormats.render(pd, event("monitor.recovered")))).toEqual({ routing_key: pd.secrets.routingKey, event_action: "resolve", dedup_key: "inc-1" });
    expect(ChannelFormats.render(pd, event("monitor.reminder"))).toBeUndefined();
  });
});

describe("Telegram, ntfy, Google Chat", () => {
  it("Telegram: HTML parse mode with only its entities escaped, text within 4096", () => {
    const out = ChannelFormats.render(channel("telegram", { botToken: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ" }, { chatId: "-100200" }), event("monitor.down", hostile));
    if (out?.kind !== "http") throw new Error("expected http");
    expect(out.url).toBe("https://api.telegram.org/bot123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ/sendMessage");
    const body = JSON.parse(out.body);
    expect(body).toMatchObject({ chat_id: "-100200", parse_mode: "HTML" });
    expect(body.text).toContain("&lt;b&gt;tag&lt;/b&gt;");
    expect(body.text.length).toBeLessThanOrEqual(4096);
  });
  it("ntfy: JSON publishing to the server root with topic, priority 1-5 and tags", () => {
    const out = ChannelFormats.render(channel("ntfy", { url: "https://ntfy.sh/my-alerts" }, { priority: 5, tags: ["prod"] }), event("monitor.down"));
    if (out?.kind !== "http") throw new Error("expected http");
    expect(out.url).toBe("https://ntfy.sh/");
    const body = JSON.parse(out.body);
    expect(body).toMatchObject({ topic: "my-alerts", priority: 5 });
    expect(body.tags).toContain("prod");
    expect(Buffer.byteLength(body.message)).toBeLessThanOrEqual(4096);
  });
  it("Google Chat: a text message with escaped markup", () => {
    const body = bodyOf(ChannelFormats.render(channel("googlechat", { url: "https://chat.googleapis.com/v1/spaces/x/messages?key=k" }), event("monitor.down", hostile)));
    expect(body.text).toContain("&lt;!channel&gt;");
    expect(body.text.length).toBeLessThanOrEqual(4096);
  });
});

describe("monitor notices (degraded, certificate expiring)", () => {
  const notice = (type: "monitor.degraded" | "monitor.certificate_expiring") => {
    const e = event(type, hostile, {
      degraded: { since: "2026-01-02T03:00:00.000Z", latencyMs: 1234, aboveMs: 800, checks: 3 },
      certificate: { daysLeft: 10, threshold: 14, expiresAt: "2026-01-12T00:00:00.000Z" },
    });
    delete e.data.incident;
    return e;
  };
  it("words the notice with its figures and no incident", () => {
    expect(ChannelFormats.describe(notice("monitor.degraded"))).toMatchObject({
      title: `${hostile} is DEGRADED: slower than 800 ms for 3 checks`,
      lines: [["URL", "https://shop.example.com/health"], ["Last response", "1234 ms"], ["Slow since", "2026-01-02 03:00:00 UTC"]],
    });
    expect(ChannelFormats.describe(notice("monitor.certificate_expiring"))).toMatchObject({
      title: `${hostile}: certificate expires in 10 days`,
      lines: [["URL", "https://shop.example.com/health"], ["Expires", "2026-01-12 00:00:00 UTC"], ["Warning", "14 days before expiry"]],
    });
  });
  it("a Teams card the adaptivecards library parses without a warning, a signed webhook, and no PagerDuty page", () => {
    for (const type of ["monitor.degraded", "monitor.certificate_expiring"] as const) {
      const body = bodyOf(ChannelFormats.render(channel("teams", { url: "https://prod.westeurope.logic.azure.com/workflows/x" }), notice(type)));
      const context = new AdaptiveCards.SerializationContext();
      new AdaptiveCards.AdaptiveCard().parse(body.attachments[0].content, context);
      expect(context.eventCount).toBe(0);
      const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
      const out = ChannelFormats.render(channel("webhook", { url: "https://hooks.example.com/in", signingSecret: secret }), notice(type), Math.floor(Date.now() / 1000));
      if (out?.kind !== "http") throw new Error("expected http");
      expect((new Webhook(secret).verify(out.body, out.headers) as Payload).type).toBe(type);
      expect(ChannelFormats.render(channel("pagerduty", { routingKey: "R0123456789abcdef0123456789abcde" }), notice(type))).toBeUndefined();
    }
  });
});
