export * as Delivery from "./delivery";

import { createHash, randomUUID } from "node:crypto";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { z } from "zod";
import { AlertCaps } from "../alert/caps";
import { AlertRecipient } from "../alert/recipients";
import { Flapping } from "../incident/flapping";
import type { IncidentItem } from "../incident/incident";
import { Membership } from "../orgs/membership";
import { sqs } from "../platform/aws";
import { config } from "../platform/config";
import { isConditionalCheckFailed } from "../platform/errors";
import { putEvent } from "../platform/eventbridge";
import { Mail } from "../platform/mail";
import { DAY, HOUR } from "../platform/time";
import { Channel } from "./channel";
import { DeliveryEntity, DeliveryLogEntity, type ChannelItem, type DeliveryItem } from "./entity";
import type { Payload, Type } from "./event";
import { ChannelFormats, type Outgoing, type Resolved } from "./formats";
import { post } from "./http";
import { ackLink } from "./ack-token";
import { PostedIncidentEntity, StatusPageEntity } from "../status-pages/entity";
import { Telemetry } from "../platform/telemetry";

/** What the deliveries queue carries: the one attempt of one delivery that may act next. */
export const QueueMessage = z.object({ type: z.literal("channel.delivery"), channelId: z.string(), eventId: z.string(), attempt: z.number().int().min(0) });
export type QueueMessage = z.infer<typeof QueueMessage>;

/** SQS's longest DelaySeconds; a longer wait is chained through several messages. */
const MAX_DELAY_SEC = 900;
/** A `sending` claim older than this belongs to an attempt that died (longer than the consumer may run). */
const STALE_CLAIM_MS = 120_000;
const LOG_TTL_DAYS = 30;
export const LOG_SHOWN = 100;

// ---------- building events ----------

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** The id a receiver sees (webhook-id): the same for every attempt of one event to one channel, different across channels. */
const messageId = (channelId: string, eventId: string) => `msg_${createHash("sha256").update(`${channelId}\n${eventId}`).digest("base64url").slice(0, 27)}`;

/** The app's monitor screen, in the monitor's organisation. */
const monitorLink = (monitorId: string, ownerId: string) => Mail.publicLink(`monitors/${encodeURIComponent(monitorId)}?org=${encodeURIComponent(ownerId)}`);

async function incidentPayload(incident: IncidentItem, type: Type, extra: Partial<Payload["data"]>, at: number): Promise<Omit<Payload, "id">> {
  const base = config().PUBLIC_URL;
  return {
    type,
    version: 1,
    timestamp: new Date(at).toISOString(),
    orgId: incident.ownerId,
    data: {
      monitor: { id: incident.monitorId, name: incident.monitorName, url: incident.url },
      incident: {
        id: incident.incidentId,
        status: incident.status,
        startedAt: new Date(incident.startedAt).toISOString(),
        resolvedAt: iso(incident.resolvedAt),
        durationMs: incident.durationMs ?? null,
        reason: incident.reason,
        message: incident.message ?? null,
        acknowledgedAt: iso(incident.acknowledgedAt),
        acknowledgedBy: incident.acknowledgedBy ?? null,
      },
      ...extra,
      links: base
        ? {
            monitor: monitorLink(incident.monitorId, incident.ownerId),
            ...(incident.status === "open" && { acknowledge: await ackLink(incident.incidentId) }),
          }
        : {},
    },
  };
}

export type IncidentNews =
  | { kind: "opened" | "resolved" | "acknowledged" | "escalation"; at: number }
  | { kind: "reminder"; seq: number; at: number };

/** Which channels hear of an incident's news: its own, plus its escalation channels once it escalated. */
function audience(incident: IncidentItem, news: IncidentNews): string[] {
  const own = incident.channelIds ?? [];
  const escalation = (incident.escalationChannelIds ?? []).filter((c: string) => !own.includes(c));
  if (news.kind === "escalation") return escalation;
  if (news.kind === "opened") return own;
  return incident.escalatedAt ? [...own, ...escalation] : own;
}

const EVENT_TYPES: Record<IncidentNews["kind"], Type> = {
  opened: "monitor.down",
  resolved: "monitor.recovered",
  reminder: "monitor.reminder",
  acknowledged: "incident.acknowledged",
  escalation: "monitor.down",
};

export type FanOutReport = { queued: string[]; skipped: { channelId: string; reason: string }[] };

/**
 * Creates one delivery per channel for a piece of incident news and queues its first attempt;
 * safe to repeat (the delivery's conditional create decides, a repeated message finds it done).
 * Up and down of a flapping monitor reach each channel as one `monitor.flapping` per hour
 * instead; every delivery is charged to the account's hourly alert budget.
 */
export async function fanOut(incident: IncidentItem, news: IncidentNews): Promise<FanOutReport> {
  const report: FanOutReport = { queued: [], skipped: [] };
  const channelIds = audience(incident, news);
  if (!channelIds.length) return report;
  const eventKey = news.kind === "reminder" ? `reminder.${news.seq}` : news.kind;
  const type = EVENT_TYPES[news.kind];
  const extra = news.kind === "reminder" ? { reminder: news.seq } : news.kind === "escalation" ? { escalated: true } : {};
  const payload = await incidentPayload(incident, type, extra, news.at);
  const transition = news.kind === "opened" || news.kind === "resolved";
  const flapping = transition ? AlertCaps.flapping(await Flapping.openedInHourOf(incident.monitorId, news.at)) : undefined;
  const audienceOfOrg = await AlertRecipient.audienceOf(incident.ownerId);

  for (const channelId of channelIds) {
    const channel = await Channel.get(channelId);
    if (!channel || channel.orgId !== incident.ownerId) {
      report.skipped.push({ channelId, reason: "deleted" });
      continue;
    }
    const eventId = `${incident.incidentId}.${eventKey}`;
    if (flapping) {
      report.skipped.push({ channelId, reason: "flapping" });
      if (!(await AlertCaps.claimFlapSummary(incident.monitorId, `channel:${channelId}`, flapping.until))) continue;
      const changes = flapping.count * 2 - (news.kind === "opened" ? 1 : 0);
      const summary = { ...payload, type: "monitor.flapping" as const, data: { ...payload.data, flapping: { changes, until: new Date(flapping.until).toISOString() } } };
      await start(channel, `${incident.monitorId}.flapping.${flapping.until}`, summary, audienceOfOrg.ownerEmail, Date.now(), report);
      continue;
    }
    // Attempts are timed by the clock, not by the news (a reminder's time may be a tick's look-ahead).
    await start(channel, eventId, payload, audienceOfOrg.ownerEmail, Date.now(), report);
  }
  return report;
}

/**
 * A notice about a monitor that is no incident (it turned degraded, its certificate expires
 * soon) to the monitor's channels; `eventId` names the notice, so a repeated call delivers once.
 */
export async function fanOutNotice(
  monitor: { monitorId: string; ownerId: string; name: string; url: string; channelIds?: string[] },
  notice: { eventId: string; type: Type; at: number; data: Partial<Payload["data"]> },
): Promise<FanOutReport> {
  const report: FanOutReport = { queued: [], skipped: [] };
  const channelIds = monitor.channelIds ?? [];
  if (!channelIds.length) return report;
  const payload: Omit<Payload, "id"> = {
    type: notice.type,
    version: 1,
    timestamp: new Date(notice.at).toISOString(),
    orgId: monitor.ownerId,
    data: {
      monitor: { id: monitor.monitorId, name: monitor.name, url: monitor.url },
      ...notice.data,
      links: config().PUBLIC_URL ? { monitor: monitorLink(monitor.monitorId, monitor.ownerId) } : {},
    },
  };
  const ownerEmail = (await AlertRecipient.audienceOf(monitor.ownerId)).ownerEmail;
  for (const channelId of channelIds) {
    const channel = await Channel.get(channelId);
    if (!channel || channel.orgId !== monitor.ownerId) report.skipped.push({ channelId, reason: "deleted" });
    else await start(channel, notice.eventId, payload, ownerEmail, Date.now(), report);
  }
  return report;
}

/** Claims the (channel, event) delivery and queues its first attempt; a capped one is recorded as skipped. */
async function start(channel: ChannelItem, eventId: string, payload: Omit<Payload, "id">, ownerEmail: string | undefined, now: number, report: FanOutReport) {
  const { channelId } = channel;
  const event: Payload = { ...payload, id: messageId(channelId, eventId) };
  let fresh = true;
  try {
    await DeliveryEntity.create({
      channelId,
      eventId,
      orgId: channel.orgId,
      event: JSON.stringify(event),
      status: "pending",
      attempt: 0,
      nextAt: now,
      firstAt: now,
      expiresAt: Math.ceil((now + LOG_TTL_DAYS * DAY) / 1000),
    }).go({ response: "none" });
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    fresh = false;
  }
  if (fresh && !(await AlertCaps.admit(channel.orgId, ownerEmail, now))) {
    await DeliveryEntity.patch({ channelId, eventId }).set({ status: "skipped", lastError: "capped", doneAt: now }).where((a, op) => op.eq(a.status, "pending")).go({ response: "none" }).catch(ignoreConditional);
    await log(channelId, { eventId, eventType: event.type, attempt: 0, outcome: "skipped", error: "hourly alert cap reached" }, now);
    report.skipped.push({ channelId, reason: "capped" });
    return;
  }
  const current = fresh ? undefined : (await DeliveryEntity.get({ channelId, eventId }).go({ consistent: true })).data;
  if (current && current.status !== "pending") {
    report.skipped.push({ channelId, reason: "already_handled" });
    return;
  }
  // A repeated fan-out re-queues the pending attempt: a duplicate message loses the claim, a lost one is replaced.
  await enqueue({ type: "channel.delivery", channelId, eventId, attempt: current?.attempt ?? 0 }, Math.max(0, (current?.nextAt ?? now) - now));
  report.queued.push(channelId);
}

/**
 * A status page incident's news (posted, updated, resolved) to the organisation's channels that
 * asked for it (`statusPages`); one delivery per channel and update, like incident news.
 */
export async function fanOutStatusPage(pageId: string, news: { kind: string; subjectId: string; updateId: string }): Promise<FanOutReport> {
  const report: FanOutReport = { queued: [], skipped: [] };
  if (!news.kind.startsWith("incident.")) return report;
  const { data: page } = await StatusPageEntity.get({ pageId }).go({ consistent: true });
  const { data: posted } = await PostedIncidentEntity.get({ pageId, incidentId: news.subjectId }).go({ consistent: true });
  if (!page || !posted) return report;
  const channels = await Channel.statusPageChannelsOf(page.orgId);
  if (!channels.length) return report;
  const update = (posted.updates as Array<{ updateId: string; message: string; status: string }>).find((u) => u.updateId === news.updateId);
  const now = Date.now();
  const payload: Omit<Payload, "id"> = {
    type: `status_page.${news.kind}` as Type,
    version: 1,
    timestamp: new Date(now).toISOString(),
    orgId: page.orgId,
    data: {
      statusPage: { pageId, incidentId: posted.incidentId, title: posted.title, status: update?.status ?? posted.status, message: update?.message ?? "" },
      links: {},
    },
  };
  const ownerEmail = (await AlertRecipient.audienceOf(page.orgId)).ownerEmail;
  for (const channel of channels) await start(channel, `sp.${pageId}.${posted.incidentId}.${news.updateId}`, payload, ownerEmail, now, report);
  return report;
}

function ignoreConditional(err: unknown) {
  if (!isConditionalCheckFailed(err)) throw err;
}

async function enqueue(message: QueueMessage, delayMs: number) {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: config().DELIVERIES_QUEUE_URL,
      MessageBody: JSON.stringify(message),
      DelaySeconds: Math.min(MAX_DELAY_SEC, Math.max(0, Math.ceil(delayMs / 1000))),
    }),
  );
}

// ---------- sending ----------

export interface Attempt {
  ok: boolean;
  /** Worth trying again later (5xx, 408, 429, a timeout or a network error). */
  retryable: boolean;
  /** The service says the channel is gone (404, 410). */
  gone: boolean;
  httpStatus?: number;
  retryAfterSec?: number;
  latencyMs: number;
  response?: string;
  error?: string;
}

const classify = (status: number) => ({
  ok: status >= 200 && status < 300,
  retryable: status >= 500 || status === 429 || status === 408,
  gone: status === 404 || status === 410,
});

/** Puts one rendered message on the wire; never throws, every failure is an Attempt. */
export async function send(out: Outgoing, orgId: string): Promise<Attempt> {
  const started = Date.now();
  try {
    if (out.kind === "http") {
      const a = await post(out.url, out.headers, out.body);
      return { ...classify(a.status), httpStatus: a.status, retryAfterSec: a.retryAfterSec, latencyMs: a.latencyMs, response: a.body };
    }
    if (out.kind === "email") {
      const reason = (await AlertRecipient.audienceOf(orgId)).reasonToSkip(out.to);
      if (reason) return { ok: false, retryable: false, gone: false, latencyMs: 0, error: `address ${reason}` };
      const id = await Mail.send(out);
      return { ok: true, retryable: false, gone: false, latencyMs: Date.now() - started, response: id ? `SES message ${id}` : "suppressed address" };
    }
    const bus = config().EVENT_BUS_NAME;
    if (!bus) {
      // Locally there is no bus: the event is logged, and the delivery log shows it.
      // (Its id and type only: the detail carries the incident's acknowledge link.)
      Telemetry.log.info("eventbridge event (local: not sent)", { detailType: out.detailType, id: (JSON.parse(out.detail) as Payload).id });
      return { ok: true, retryable: false, gone: false, latencyMs: 0, response: out.detail.slice(0, 2048) };
    }
    const r = await putEvent(config().AWS_REGION, { EventBusName: bus, Source: "uptime", DetailType: out.detailType, Detail: out.detail });
    return { ok: r.ok, retryable: !r.ok, gone: false, httpStatus: r.status, latencyMs: Date.now() - started, response: r.body };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A URL that now resolves somewhere private will not get better by waiting.
    return { ok: false, retryable: code !== "EBLOCKED", gone: false, latencyMs: Date.now() - started, error: `${code ?? "error"}: ${(err as Error).message}`.slice(0, 300) };
  }
}

async function log(channelId: string, e: { eventId: string; eventType: string; attempt: number; outcome: "sent" | "retry" | "failed" | "skipped" } & Partial<Attempt>, now: number) {
  await DeliveryLogEntity.create({
    channelId,
    at: now,
    eventId: e.eventId,
    eventType: e.eventType,
    attempt: e.attempt,
    outcome: e.outcome,
    httpStatus: e.httpStatus,
    latencyMs: e.latencyMs,
    error: e.error,
    response: e.response?.slice(0, 1024),
    expiresAt: Math.ceil((now + LOG_TTL_DAYS * DAY) / 1000),
  }).go({ response: "none" }).catch(ignoreConditional);
}

/** Full jitter over an exponential step, at most an hour; a service's Retry-After wins when longer. */
export function retryDelayMs(attempt: number, retryAfterSec: number | undefined, random = Math.random) {
  const step = Math.min(HOUR, config().CHANNEL_RETRY_BASE_SEC * 1000 * 2 ** attempt);
  const backoff = step / 2 + random() * (step / 2);
  return Math.max(backoff, (retryAfterSec ?? 0) * 1000);
}

export interface DeliverOptions {
  now?: number;
  /** TEST-ONLY: runs after the send and before it is recorded (a crash there is what exactly-once must survive). */
  afterSend?: () => Promise<void> | void;
}

export type DeliverOutcome = "sent" | "retry" | "failed" | "skipped" | "duplicate" | "waiting" | "unconfirmed";

/**
 * Acts on one queue message. Only the message naming the delivery's current attempt may claim
 * it (pending -> sending, conditionally), so redelivered and duplicate messages do nothing.
 * A claim found `sending` long after its consumer must have ended is a crash between sending
 * and recording: it is recorded `unconfirmed` and never sent again (a receiver may already have it).
 */
export async function deliver(message: QueueMessage, opts: DeliverOptions = {}): Promise<DeliverOutcome> {
  const now = opts.now ?? Date.now();
  const { channelId, eventId } = message;
  const item = (await DeliveryEntity.get({ channelId, eventId }).go({ consistent: true })).data;
  if (!item) return "duplicate";
  if (item.status === "sending") {
    if (now - (item.claimedAt ?? 0) < STALE_CLAIM_MS) return "duplicate";
    await DeliveryEntity.patch({ channelId, eventId })
      .set({ status: "unconfirmed", doneAt: now, lastError: "the sender stopped before recording the answer; not sent again" })
      .where((a, op) => `${op.eq(a.status, "sending")} AND ${op.eq(a.claimedAt, item.claimedAt!)}`)
      .go({ response: "none" })
      .catch(ignoreConditional);
    return "unconfirmed";
  }
  if (item.status !== "pending" || item.attempt < message.attempt) return "duplicate";
  if (item.attempt > message.attempt || item.nextAt > now + 1000) {
    // An old message for a delivery that moved on (its own message may be lost) or a wait longer than SQS's 15 minutes.
    await enqueue({ ...message, attempt: item.attempt }, item.nextAt - now);
    return "waiting";
  }
  try {
    await DeliveryEntity.patch({ channelId, eventId })
      .set({ status: "sending", claimedAt: now })
      .where((a, op) => `${op.eq(a.status, "pending")} AND ${op.eq(a.attempt, message.attempt)}`)
      .go({ response: "none" });
  } catch (err) {
    ignoreConditional(err);
    return "duplicate";
  }
  return attemptClaimed(item, opts, now);
}

async function attemptClaimed(item: DeliveryItem, opts: DeliverOptions, now: number): Promise<DeliverOutcome> {
  const { channelId, eventId, attempt } = item;
  const event = JSON.parse(item.event) as Payload;
  const key = { channelId, eventId };
  const finish = (set: Partial<DeliveryItem>) =>
    DeliveryEntity.patch(key).set(set).where((a, op) => `${op.eq(a.status, "sending")} AND ${op.eq(a.claimedAt, now)}`).go({ response: "none" }).catch(ignoreConditional);

  const channel = await Channel.get(channelId);
  const out = channel && ChannelFormats.render(await Channel.resolve(channel), event);
  if (!channel || !out) {
    await finish({ status: "skipped", doneAt: now, lastError: channel ? "nothing to send for this event" : "channel deleted" });
    if (channel) await log(channelId, { eventId, eventType: event.type, attempt, outcome: "skipped", error: "nothing to send for this event" }, now);
    return "skipped";
  }
  const result = await send(out, channel.orgId);
  await opts.afterSend?.();
  // Per channel type, so the operator's dashboard shows which service is failing.
  Telemetry.metric(result.ok ? "AlertsSent" : "AlertsFailed", 1, { channel: channel.type });
  const entry = { eventId, eventType: event.type, attempt, ...result };
  if (result.ok) {
    await finish({ status: "sent", doneAt: now, lastStatus: result.httpStatus });
    await log(channelId, { ...entry, outcome: "sent" }, now);
    if (channel.brokenAt) await Channel.clearBroken(channelId);
    return "sent";
  }
  const delay = retryDelayMs(attempt, result.retryAfterSec);
  const lastError = result.error ?? `HTTP ${result.httpStatus}`;
  if (result.retryable && now + delay <= item.firstAt + config().CHANNEL_RETRY_HOURS * HOUR) {
    await finish({ status: "pending", attempt: attempt + 1, nextAt: now + delay, lastStatus: result.httpStatus, lastError });
    await log(channelId, { ...entry, outcome: "retry" }, now);
    await enqueue({ type: "channel.delivery", channelId, eventId, attempt: attempt + 1 }, delay);
    return "retry";
  }
  await finish({ status: "failed", doneAt: now, lastStatus: result.httpStatus, lastError });
  await log(channelId, { ...entry, outcome: "failed" }, now);
  if (result.gone) await reportBroken(channel, `${out.kind === "http" ? "the service answered" : "answer"} HTTP ${result.httpStatus}`, now);
  return "failed";
}

/** Marks the channel broken and, the first time, tells the organisation's owners by email. */
async function reportBroken(channel: ChannelItem, reason: string, now: number) {
  if (!(await Channel.markBroken(channel.channelId, reason, now))) return;
  const members = await Membership.emailsOf(channel.orgId);
  const owners = [...members].filter(([, role]) => role === "owner").map(([email]) => email);
  const link = config().PUBLIC_URL ? Mail.publicLink(`channels?org=${encodeURIComponent(channel.orgId)}`) : undefined;
  const text = [
    `The alert channel "${channel.name}" (${channel.type}) no longer works: ${reason}.`,
    "Its service says the address is gone (a deleted webhook or integration). Alerts to it are not delivered until you edit it with a new address.",
    ...(link ? [`Channels: ${link}`] : []),
  ].join("\n");
  for (const to of owners) {
    await Mail.send({ to, subject: `[CHANNEL BROKEN] ${channel.name} stopped accepting alerts`, text, html: AlertCaps.paragraphs(text) }).catch((err) =>
      Telemetry.log.error("broken-channel notice not sent", { channelId: channel.channelId, error: String(err) }),
    );
  }
}

// ---------- test and log ----------

export const TestResult = z.object({
  ok: z.boolean(),
  httpStatus: z.number().nullable(),
  latencyMs: z.number(),
  /** The start of the service's answer. */
  response: z.string().nullable(),
  error: z.string().nullable(),
});
export type TestResult = z.infer<typeof TestResult>;

/** Sends a `channel.test` event now and answers with what the service said; logged like any delivery. */
export async function sendTest(channel: ChannelItem, now = Date.now()): Promise<TestResult> {
  const resolved: Resolved = await Channel.resolve(channel);
  const eventId = `test.${randomUUID()}`;
  const event: Payload = {
    type: "channel.test",
    version: 1,
    id: messageId(channel.channelId, eventId),
    timestamp: new Date(now).toISOString(),
    orgId: channel.orgId,
    data: { channel: { id: channel.channelId, name: channel.name }, links: {} },
  };
  const out = ChannelFormats.render(resolved, event)!;
  if (out.kind === "email") {
    // Only the delivery function mails: the test goes through its queue, and its outcome to the delivery log.
    const report: FanOutReport = { queued: [], skipped: [] };
    await start(channel, eventId, event, undefined, now, report);
    return { ok: report.queued.length > 0, httpStatus: null, latencyMs: 0, response: "queued: the test email goes out within seconds (see the delivery log)", error: null };
  }
  const r = await send(out, channel.orgId);
  await log(channel.channelId, { eventId, eventType: event.type, attempt: 0, outcome: r.ok ? "sent" : "failed", ...r }, now);
  if (r.ok && channel.brokenAt) await Channel.clearBroken(channel.channelId);
  return { ok: r.ok, httpStatus: r.httpStatus ?? null, latencyMs: r.latencyMs, response: r.response ?? null, error: r.error ?? null };
}

export const LogEntry = z.object({
  at: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  attempt: z.number(),
  outcome: z.enum(["sent", "retry", "failed", "skipped"]),
  httpStatus: z.number().nullable(),
  latencyMs: z.number().nullable(),
  error: z.string().nullable(),
  response: z.string().nullable(),
});
export type LogEntry = z.infer<typeof LogEntry>;

// a channel's last 100 delivery attempts, newest first
export async function logOf(channelId: string): Promise<LogEntry[]> {
  const { data } = await DeliveryLogEntity.query.byChannel({ channelId }).go({ order: "desc", limit: LOG_SHOWN });
  return data.map((e) => ({
    at: new Date(e.at).toISOString(),
    eventId: e.eventId,
    eventType: e.eventType,
    attempt: e.attempt,
    outcome: e.outcome,
    httpStatus: e.httpStatus ?? null,
    latencyMs: e.latencyMs ?? null,
    error: e.error ?? null,
    response: e.response ?? null,
  }));
}

// one delivery, for tests and support
export async function get(channelId: string, eventId: string) {
  return (await DeliveryEntity.get({ channelId, eventId }).go({ consistent: true })).data ?? undefined;
}
