/**
 * 13. Alert channels: what one incident event costs per channel. Two steps, each metered in this
 * process against the local stack (the consumer handlers are called directly, no pollers):
 *   fan-out: the alert function turning one incident transition into one delivery per channel
 *            (delivery claim, hourly-cap counter, the delivery message), divided by the channels;
 *   delivery: the delivery function's one attempt (read, claim, send to a local receiver, record,
 *            delivery-log entry), per channel type, with its wall time as the Lambda-ms estimate.
 * Run alone: npx tsx bench/channels.ts
 */
import { performance } from "node:perf_hooks";
import { Channel } from "@uptime/core/channels/channel";
import { Delivery } from "@uptime/core/channels/delivery";
import type { ChannelType } from "@uptime/core/channels/entity";
import { Incident, IncidentEntity } from "@uptime/core/incident/incident";
import { Mail } from "@uptime/core/platform/mail";
import { sesTransport } from "@uptime/core/platform/ses";
import { startTestStack } from "@uptime/local/testing";
import { startReceiver } from "@uptime/e2e/kit/receiver";
import { installMeters, since, snapshot, sqsRequestCount, writeUnits } from "./lib/meter";
import { commandFor, finish, fmt, log, percentile, type BenchResult } from "./lib/report";

const NAME = "channels";
const ROUNDS = 15;

const started = Date.now();
// Past the hourly alert budget deliveries would be capped, not measured.
const stack = await startTestStack({ pollers: false, log: () => {}, env: { ALERT_EMAILS_PER_HOUR: "100000" } });
const receiver = await startReceiver({ status: 200, body: "ok" });
Mail.useTransport(sesTransport);
installMeters();

const orgId = "bench-org";
const specs: Array<{ type: ChannelType; body: Record<string, unknown> }> = [
  { type: "webhook", body: { url: `${receiver.url}/hook` } },
  { type: "slack", body: { url: `${receiver.url}/slack` } },
  { type: "discord", body: { url: `${receiver.url}/discord` } },
  { type: "teams", body: { url: `${receiver.url}/teams` } },
  { type: "googlechat", body: { url: `${receiver.url}/chat` } },
  { type: "telegram", body: { botToken: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", chatId: "-100", apiUrl: receiver.url } },
  { type: "ntfy", body: { url: `${receiver.url}/topic` } },
  { type: "pagerduty", body: { routingKey: "R0123456789abcdef0123456789abcde", eventsUrl: `${receiver.url}/v2/enqueue` } },
  { type: "eventbridge", body: {} },
];
const channels: Array<{ type: ChannelType; id: string }> = [];
for (const s of specs) {
  const { channel } = await Channel.create(orgId, "owner@example.com", { type: s.type, name: s.type, ...s.body } as Channel.CreateInput);
  channels.push({ type: s.type, id: channel.id });
}

async function incident(n: number) {
  const now = Date.now();
  const item = {
    incidentId: `bench-incident-${n}`,
    monitorId: `bench-monitor-${n}`,
    ownerId: orgId,
    status: "open" as const,
    startedAt: now,
    reason: "status_mismatch",
    message: "expected 200-399, got 503",
    monitorName: "Bench shop",
    url: "https://shop.example.com/",
    alertEmails: [],
    channelIds: channels.map((c) => c.id),
  };
  await IncidentEntity.create(item).go();
  return (await Incident.get(item.incidentId))!;
}

const fanOut = { wru: 0, rru: 0, sqs: 0, messages: 0, channels: 0 };
const perType = new Map<ChannelType, { wru: number; rru: number; sqs: number; ms: number[] }>();
for (let round = 0; round < ROUNDS; round++) {
  const inc = await incident(round);
  const before = snapshot();
  const report = await Delivery.fanOut(inc, { kind: "opened", at: Date.now() });
  const cost = since(before);
  fanOut.wru += writeUnits(cost.dynamo);
  fanOut.rru += cost.dynamo.readUnits;
  fanOut.sqs += sqsRequestCount(cost.sqs);
  fanOut.messages += cost.sqs.messagesSent;
  fanOut.channels += report.queued.length;
  for (const c of channels) {
    const b = snapshot();
    const t0 = performance.now();
    const outcome = await Delivery.deliver({ type: "channel.delivery", channelId: c.id, eventId: `${inc.incidentId}.opened`, attempt: 0 });
    const ms = performance.now() - t0;
    const d = since(b);
    if (outcome !== "sent") throw new Error(`${c.type}: ${outcome}`);
    const row = perType.get(c.type) ?? { wru: 0, rru: 0, sqs: 0, ms: [] };
    row.wru += writeUnits(d.dynamo);
    row.rru += d.dynamo.readUnits;
    row.sqs += sqsRequestCount(d.sqs);
    row.ms.push(ms);
    perType.set(c.type, row);
  }
  log(NAME, `round ${round + 1}/${ROUNDS}`);
}

const per = (n: number, d: number) => Number(fmt(n / d, 2));
const fanOutPerChannel = { wru: per(fanOut.wru, fanOut.channels), rru: per(fanOut.rru, fanOut.channels), sqs: per(fanOut.sqs, fanOut.channels), messages: per(fanOut.messages, fanOut.channels) };
const rows = [...perType].map(([type, r]) => {
  const sorted = [...r.ms].sort((a, b) => a - b);
  return [type, fanOutPerChannel.messages, per(fanOut.wru, fanOut.channels) + per(r.wru, ROUNDS), per(fanOut.rru, fanOut.channels) + per(r.rru, ROUNDS), per(r.sqs, ROUNDS), Number(fmt(percentile(sorted, 50), 1)), Number(fmt(percentile(sorted, 95), 1))];
});

const result: BenchResult = {
  name: NAME,
  title: "13. Alert channels: cost of one event per channel",
  command: commandFor(NAME),
  startedAt: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  tables: [
    {
      title: "One incident event, per channel",
      intro:
        `Fan-out (alert function, ${channels.length} channels per event, ${ROUNDS} events) plus one successful delivery attempt (delivery function) to a local receiver. ` +
        "Write and read units as DynamoDB bills them (consumed capacity); Lambda ms is the attempt's wall time in this process against a receiver on loopback, so a real service's latency adds to it.",
      columns: ["Channel", "SQS messages", "DynamoDB write units", "DynamoDB read units", "SQS requests in delivery", "Lambda ms p50", "Lambda ms p95"],
      rows,
      notes: [
        `Fan-out alone per channel: ${fanOutPerChannel.wru} WRU, ${fanOutPerChannel.rru} RRU, ${fanOutPerChannel.sqs} SQS requests (the delivery claim, the hourly cap counter, the message).`,
        "A retry adds one delivery attempt (same units) and one delayed SQS message; eventbridge is only logged locally (deployed it is one PutEvents call).",
      ],
    },
  ],
  budgets: [],
  data: { fanOutPerChannel, perType: Object.fromEntries(perType) },
};
await receiver.stop();
await stack.stop();
finish(result);
