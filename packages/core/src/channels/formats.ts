export * as ChannelFormats from "./formats";

import { createHmac } from "node:crypto";
import { escapeHtml } from "../platform/html";
import { formatDuration } from "../platform/time";
import { paragraphs } from "../alert/caps";
import type { ChannelType } from "./entity";
import type { Payload } from "./event";
import { targetLabel } from "../monitors/view";

/**
 * One renderer per channel type: the event (event.ts) as the service's documented request.
 * Each respects its service's limits (truncating user text to fit) and escapes user text for
 * its markup, so a monitor named `<!channel>` or `@everyone` pings nobody.
 */

export type Outgoing =
  | { kind: "http"; url: string; headers: Record<string, string>; body: string }
  | { kind: "email"; to: string; subject: string; text: string; html: string }
  | { kind: "eventbridge"; detailType: string; detail: string };

/** What a channel holds, after decryption: its plain settings and its secrets. */
export interface Resolved {
  id: string;
  type: ChannelType;
  name: string;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}

/** Cuts text to `max` characters (code points), marking the cut. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

// ---------- words, shared by all formats ----------

const hhmm = (iso: string) => iso.slice(11, 16);
const utc = (iso: string) => iso.replace("T", " ").replace(/\.\d{3}Z$/, " UTC");

/** The one-line headline and the detail lines of an event, as plain text. */
export function describe(p: Payload): { title: string; lines: [string, string][]; severity: "down" | "up" | "info" } {
  const m = p.data.monitor;
  const i = p.data.incident;
  const name = m?.name ?? "Monitor";
  const reason = i ? (i.message ? `${i.reason}: ${i.message}` : i.reason) : "";
  const target: [string, string] = [targetLabel(m?.url ?? ""), m?.url ?? ""];
  const down = (): [string, string][] => [
    target,
    ["Reason", reason],
    ["Down since", i ? utc(i.startedAt) : ""],
  ];
  switch (p.type) {
    case "monitor.down":
      return { title: `${p.data.escalated ? "[ESCALATED] " : ""}${name} is DOWN`, lines: down(), severity: "down" };
    case "monitor.reminder":
      return {
        title: `${name} is still DOWN (${formatDuration(Date.parse(p.timestamp) - Date.parse(i?.startedAt ?? p.timestamp))})`,
        lines: down(),
        severity: "down",
      };
    case "monitor.recovered":
      return {
        title: `${name} has RECOVERED after ${formatDuration(i?.durationMs ?? 0)}`,
        lines: [target, ["Downtime", formatDuration(i?.durationMs ?? 0)]],
        severity: "up",
      };
    case "monitor.flapping":
      return {
        title: `${name} is FLAPPING: ${p.data.flapping?.changes ?? 0} state changes this hour`,
        lines: [target, ["Alerts paused until", `${hhmm(p.data.flapping?.until ?? p.timestamp)} UTC`]],
        severity: "down",
      };
    case "monitor.degraded": {
      const g = p.data.degraded;
      return {
        title: `${name} is DEGRADED: slower than ${g?.aboveMs ?? 0} ms for ${g?.checks ?? 0} checks`,
        lines: [["URL", m?.url ?? ""], ["Last response", `${g?.latencyMs ?? 0} ms`], ["Slow since", utc(g?.since ?? p.timestamp)]],
        severity: "info",
      };
    }
    case "monitor.certificate_expiring": {
      const c = p.data.certificate;
      return {
        title: `${name}: certificate expires in ${c?.daysLeft ?? 0} day${c?.daysLeft === 1 ? "" : "s"}`,
        lines: [["URL", m?.url ?? ""], ["Expires", c?.expiresAt ? utc(c.expiresAt) : `in ${c?.daysLeft ?? 0} days`], ["Warning", `${c?.threshold ?? 0} days before expiry`]],
        severity: "info",
      };
    }
    case "incident.acknowledged":
      return { title: `${i?.acknowledgedBy ?? "Someone"} acknowledged the incident on ${name}`, lines: [target], severity: "info" };
    case "channel.test":
      return { title: `Test message: the channel "${p.data.channel?.name ?? ""}" works`, lines: [], severity: "info" };
    default: {
      const s = p.data.statusPage;
      return { title: `Status page incident: ${s?.title ?? ""} (${s?.status ?? ""})`, lines: s?.message ? [["Update", s.message]] : [], severity: "info" };
    }
  }
}

const linkList = (p: Payload) =>
  [
    p.data.links.monitor && { text: "Open monitor", url: p.data.links.monitor },
    p.data.links.acknowledge && p.type !== "monitor.recovered" && p.type !== "incident.acknowledged" && { text: "Acknowledge", url: p.data.links.acknowledge },
  ].filter((l): l is { text: string; url: string } => !!l);

const COLORS = { down: 0xb42318, up: 0x067647, info: 0x475467 } as const;

// ---------- escaping per markup ----------

/** Slack mrkdwn (and Google Chat): only &, < and > are control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export const escapeSlack = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/** Discord markdown: a backslash before every markdown character; mentions are disabled by allowed_mentions. */
export const escapeDiscord = (s: string) => s.replace(/([\\*_~`|>#\[\]()\-:])/g, "\\$1");
/** Telegram's HTML parse mode knows only these entities. */
export const escapeTelegram = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/** Adaptive Card TextBlocks render a markdown subset: a backslash keeps those characters literal. */
export const escapeAdaptive = (s: string) => s.replace(/([\\*_\[\]()#>`~-])/g, "\\$1");

// ---------- renderers ----------

const jsonPost = (url: string, body: unknown, headers: Record<string, string> = {}): Outgoing => ({
  kind: "http",
  url,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

/** Standard Webhooks (https://www.standardwebhooks.com): HMAC-SHA256 over `id.timestamp.body` with the base64 key after `whsec_`. */
export function signWebhook(secret: string, id: string, timestampSec: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestampSec}.${body}`).digest("base64")}`;
}

function webhook(c: Resolved, p: Payload, nowSec: number): Outgoing {
  const body = JSON.stringify(p);
  return {
    kind: "http",
    url: c.secrets.url!,
    headers: {
      "content-type": "application/json",
      "webhook-id": p.id,
      "webhook-timestamp": String(nowSec),
      "webhook-signature": signWebhook(c.secrets.signingSecret!, p.id, nowSec, body),
    },
    body,
  };
}

/** Block Kit: header plain_text ≤ 150, section mrkdwn ≤ 3000, fields ≤ 10 of ≤ 2000, button text ≤ 75, ≤ 50 blocks. */
export function slackBody(p: Payload) {
  const d = describe(p);
  const links = linkList(p);
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: clip(d.title, 150), emoji: true } },
  ];
  if (d.lines.length) {
    blocks.push({
      type: "section",
      fields: d.lines.slice(0, 10).map(([k, v]) => ({ type: "mrkdwn", text: clip(`*${escapeSlack(k)}*\n${escapeSlack(v)}`, 2000) })),
    });
  }
  if (links.length) {
    blocks.push({
      type: "actions",
      elements: links.map((l, n) => ({ type: "button", action_id: `link_${n}`, text: { type: "plain_text", text: clip(l.text, 75) }, url: clip(l.url, 3000) })),
    });
  }
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: clip(escapeSlack(`${p.type} · ${p.timestamp}`), 3000) }] });
  // `text` is the notification and screen-reader fallback for the blocks.
  return { text: clip(escapeSlack(d.title), 3000), blocks };
}

/** An embed: title ≤ 256, description ≤ 4096, ≤ 25 fields (name ≤ 256, value ≤ 1024), content ≤ 2000, all ≤ 6000. */
export function discordBody(p: Payload) {
  const d = describe(p);
  const links = linkList(p);
  const description = clip(links.map((l) => `[${escapeDiscord(l.text)}](${l.url})`).join(" · ") || escapeDiscord(p.type), 4096);
  return {
    content: clip(escapeDiscord(d.title), 2000),
    // Nobody is pinged, whatever a monitor name says (@everyone, <@id>).
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: clip(d.title, 256),
        description,
        color: COLORS[d.severity],
        timestamp: p.timestamp,
        fields: d.lines.slice(0, 25).map(([k, v]) => ({ name: clip(k, 256), value: clip(escapeDiscord(v) || "-", 1024), inline: false })),
        footer: { text: clip(p.type, 2048) },
      },
    ],
  };
}

/** A Teams Workflows ("When a Teams webhook request is received") message carrying one Adaptive Card 1.4. */
export function teamsBody(p: Payload) {
  const d = describe(p);
  const card = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body: [
      { type: "TextBlock", text: escapeAdaptive(d.title), weight: "Bolder", size: "Medium", wrap: true, color: d.severity === "down" ? "Attention" : d.severity === "up" ? "Good" : "Default" },
      ...(d.lines.length ? [{ type: "FactSet", facts: d.lines.map(([title, value]) => ({ title: escapeAdaptive(title), value: escapeAdaptive(value) })) }] : []),
    ],
    actions: linkList(p).map((l) => ({ type: "Action.OpenUrl", title: l.text, url: l.url })),
  };
  return { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card }] };
}

/** Google Chat incoming webhook: a text message (≤ 4096 characters here; the API allows 32 000 bytes), Slack-like markup. */
export function googleChatBody(p: Payload) {
  const d = describe(p);
  const lines = [`*${escapeSlack(d.title)}*`, ...d.lines.map(([k, v]) => `${escapeSlack(k)}: ${escapeSlack(v)}`), ...linkList(p).map((l) => `<${l.url}|${escapeSlack(l.text)}>`)];
  return { text: clip(lines.join("\n"), 4096) };
}

/** sendMessage with parse_mode HTML: text ≤ 4096 characters after entity parsing. */
export function telegramBody(chatId: string, p: Payload) {
  const d = describe(p);
  const lines = [
    `<b>${escapeTelegram(clip(d.title, 500))}</b>`,
    ...d.lines.map(([k, v]) => `${escapeTelegram(k)}: ${escapeTelegram(clip(v, 800))}`),
    ...linkList(p).map((l) => `<a href="${escapeHtml(l.url)}">${escapeTelegram(l.text)}</a>`),
  ];
  return { chat_id: chatId, text: lines.join("\n"), parse_mode: "HTML", disable_web_page_preview: true };
}

/** ntfy's JSON publishing (POST to the server root with the topic in the body); message ≤ 4096 bytes. */
export function ntfyBody(topic: string, settings: Record<string, unknown>, p: Payload) {
  const d = describe(p);
  const ack = p.data.links.acknowledge;
  const tags = (settings.tags as string[] | undefined) ?? [];
  return {
    topic,
    title: clip(d.title, 250),
    message: clip(d.lines.map(([k, v]) => `${k}: ${v}`).join("\n") || d.title, 4000),
    priority: d.severity === "down" ? ((settings.priority as number | undefined) ?? 4) : 3,
    tags: [d.severity === "down" ? "rotating_light" : d.severity === "up" ? "white_check_mark" : "information_source", ...tags],
    ...(p.data.links.monitor && { click: p.data.links.monitor }),
    ...(ack && p.type !== "monitor.recovered" && p.type !== "incident.acknowledged" && { actions: [{ action: "view", label: "Acknowledge", url: ack }] }),
  };
}

const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

/**
 * Events API v2: one PagerDuty alert per incident, keyed by our incident id (`dedup_key`), so
 * `resolve` and `acknowledge` reach the alert `trigger` opened. Reminders are PagerDuty's own business.
 */
export function pagerDutyBody(routingKey: string, settings: Record<string, unknown>, p: Payload) {
  const action =
    p.type === "monitor.recovered" ? "resolve" : p.type === "incident.acknowledged" ? "acknowledge" : p.type === "monitor.down" || p.type === "channel.test" ? "trigger" : undefined;
  if (!action) return undefined;
  const dedupKey = p.data.incident?.id ?? `test-${p.id}`;
  if (action !== "trigger") return { routing_key: routingKey, event_action: action, dedup_key: dedupKey };
  const d = describe(p);
  return {
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key: dedupKey,
    payload: {
      summary: clip(d.title, 1024),
      source: clip(p.data.monitor?.url ?? "uptime", 255),
      severity: p.type === "channel.test" ? "info" : ((settings.severity as string | undefined) ?? "critical"),
      timestamp: p.data.incident?.startedAt ?? p.timestamp,
      component: p.data.monitor ? clip(p.data.monitor.name, 255) : undefined,
      custom_details: Object.fromEntries(d.lines),
    },
    client: "Uptime",
    ...(p.data.links.monitor && { client_url: p.data.links.monitor }),
    links: linkList(p).map((l) => ({ href: l.url, text: l.text })),
  };
}

export function emailMessage(to: string, p: Payload) {
  const d = describe(p);
  const links = linkList(p);
  const text = [d.title, "", ...d.lines.map(([k, v]) => `${k}: ${v}`), ...links.map((l) => `${l.text}: ${l.url}`)].join("\n");
  const html = paragraphs([d.title, "", ...d.lines.map(([k, v]) => `${k}: ${v}`)].join("\n")).replace(
    "</body>",
    `${links.map((l) => `<p><a href="${escapeHtml(l.url)}">${escapeHtml(l.text)}</a></p>`).join("")}</body>`,
  );
  const tag = { down: "[DOWN]", up: "[RECOVERED]", info: "[INFO]" }[d.severity];
  return { to, subject: `${tag} ${d.title}`, text, html };
}

/** The request for one event to one channel; undefined when the type has nothing to say about this event. */
export function render(c: Resolved, p: Payload, nowSec = Math.floor(Date.now() / 1000)): Outgoing | undefined {
  switch (c.type) {
    case "webhook":
      return webhook(c, p, nowSec);
    case "slack":
      return jsonPost(c.secrets.url!, slackBody(p));
    case "discord":
      return jsonPost(c.secrets.url!, discordBody(p));
    case "teams":
      return jsonPost(c.secrets.url!, teamsBody(p));
    case "googlechat":
      return jsonPost(c.secrets.url!, googleChatBody(p));
    case "telegram": {
      const base = (c.settings.apiUrl as string | undefined) ?? "https://api.telegram.org";
      return jsonPost(`${base.replace(/\/$/, "")}/bot${c.secrets.botToken}/sendMessage`, telegramBody(String(c.settings.chatId), p));
    }
    case "ntfy": {
      const topicUrl = new URL(c.secrets.url!);
      const topic = topicUrl.pathname.replace(/^\/+|\/+$/g, "");
      const auth: Record<string, string> = c.secrets.token ? { authorization: `Bearer ${c.secrets.token}` } : {};
      return jsonPost(`${topicUrl.origin}/`, ntfyBody(topic, c.settings, p), auth);
    }
    case "pagerduty": {
      const body = pagerDutyBody(c.secrets.routingKey!, c.settings, p);
      return body && jsonPost((c.settings.eventsUrl as string | undefined) ?? PAGERDUTY_EVENTS_URL, body);
    }
    case "email":
      return { kind: "email", ...emailMessage(String(c.settings.address), p) };
    case "eventbridge":
      return { kind: "eventbridge", detailType: p.type, detail: JSON.stringify(p) };
  }
}
