/**
 * 14. Heartbeats: what a ping costs, and what the tick reads to find overdue heartbeats as the
 * number of heartbeats grows. Metered in this process against the local stack (consumed capacity
 * as DynamoDB reports it):
 *   ping: HeartbeatPing.receive for each kind (a good ping, a start, a finish with a 1 KB and with a
 *         10 KB log), on a healthy heartbeat (no change of health, so no incident work);
 *   sweep: the tick's heartbeat step (HeartbeatSweep.run) over 1k, 10k and 100k heartbeats whose
 *          deadlines are spread over the next hour, with 10 of them overdue each time.
 * Run alone: npx tsx bench/heartbeats.ts
 */
import { randomUUID } from "node:crypto";
import { HeartbeatEntity } from "@uptime/core/heartbeat/entity";
import { HeartbeatPing } from "@uptime/core/heartbeat/ping";
import { HeartbeatSweep } from "@uptime/core/heartbeat/sweep";
import { MonitorEntity } from "@uptime/core/monitors/entity";
import { HTTP_PLACEHOLDERS } from "@uptime/core/heartbeat/fields";
import { heartbeatKeys, heartbeatMonitorKeys } from "@uptime/core/schedule/due-index";
import { encode, newLogId, RECENT_PINGS } from "@uptime/core/heartbeat/recent";
import { mapLimit } from "@uptime/core/platform/concurrency";
import { startTestStack } from "@uptime/local/testing";
import { installMeters, since, snapshot, sqsRequestCount, writeUnits } from "./lib/meter";
import { commandFor, finish, fmt, log, type BenchResult } from "./lib/report";

const NAME = "heartbeats";
const SIZES = (process.env.HEARTBEAT_SIZES ?? "1000,10000,100000").split(",").map(Number);
const OVERDUE = 10;
const started = Date.now();
const stack = await startTestStack({ pollers: false, log: () => {} });
installMeters();

const ownerId = "bench-org";
const now = () => Date.now();

/** A heartbeat expected every hour with 5 minutes' grace, deadline `deadline`; with its monitor item when `withMonitor`. */
function heartbeatItem(deadline: number) {
  const pingToken = randomUUID().replaceAll("-", "");
  return {
    pingToken,
    monitorId: `hb-${pingToken}`,
    periodSec: 3600,
    graceSec: 300,
    paused: false,
    expectedAt: deadline - 300_000,
    deadline,
    ...heartbeatKeys(deadline, false),
    healthy: true,
    updatedAt: now(),
  };
}

async function putAll(items: ReturnType<typeof heartbeatItem>[]) {
  const batches: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  await mapLimit(batches, 8, async (b) => {
    await HeartbeatEntity.put(b).go();
  });
}

async function monitorFor(h: ReturnType<typeof heartbeatItem>) {
  await MonitorEntity.create({
    monitorId: h.monitorId,
    ownerId,
    type: "heartbeat",
    name: "Bench heartbeat",
    ...HTTP_PLACEHOLDERS,
    paused: false,
    alertEmails: ["owner@example.com"],
    periodSec: 3600,
    graceSec: 300,
    pingToken: h.pingToken,
    offsetSec: 0,
    ...heartbeatMonitorKeys(),
    state: "up",
    createdAt: now(),
    updatedAt: now(),
  }).go();
}

/** An item's size as DynamoDB bills it: attribute names plus values (numbers about a byte per two digits). */
function itemSize(item: Record<string, unknown>): number {
  const value = (v: unknown): number =>
    typeof v === "string" ? Buffer.byteLength(v)
    : typeof v === "number" ? Math.ceil(String(v).replace(/^-|\./g, "").length / 2) + 1
    : typeof v === "boolean" || v === null ? 1
    : Array.isArray(v) ? 3 + v.reduce((n: number, x) => n + 1 + value(x), 0)
    : typeof v === "object" ? 3 + Object.entries(v as object).reduce((n, [k, x]) => n + 1 + Buffer.byteLength(k) + value(x), 0) : 0;
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + value(v), 0);
}

// ---------- the cost of a ping ----------
const probe = heartbeatItem(now() + 3600_000);
await putAll([probe]);
await monitorFor(probe);
const ROUNDS = 20;
const pingRows: Array<[string, number, number, number, number, string]> = [];
const pingData: Record<string, { rru: number; wru: number; sqs: number; requests: Record<string, number> }> = {};
const log1k = "backup finished\n".repeat(64);
const log10k = log1k.repeat(10);
let itemBytes = 0;
let worstBytes = 0;
for (const [label, kind, body, key] of [
  ["good ping (GET, no body)", "success", undefined, "success"],
  ["start", "start", undefined, "start"],
  ["finish with a 1 KB log (POST)", "success", log1k, "success+log"],
  ["finish with a 10 KB log (POST)", "success", log10k, "success+log10k"],
] as const) {
  let rru = 0, wru = 0, sqs = 0;
  const requests: Record<string, number> = {};
  for (let i = 0; i < ROUNDS; i++) {
    // A minute apart, as a scheduled job pings: every ping is the first of its clock minute.
    const at = now() + (pingRows.length * ROUNDS + i + 1) * 60_000;
    const before = snapshot();
    await HeartbeatPing.receive(probe.pingToken, { kind, method: body ? "POST" : "GET", body }, at);
    const d = since(before);
    rru += d.dynamo.readUnits;
    wru += writeUnits(d.dynamo);
    sqs += sqsRequestCount(d.sqs);
    for (const [k, v] of Object.entries(d.dynamo.requests)) requests[k] = (requests[k] ?? 0) + v;
  }
  const calls = Object.entries(requests).map(([k, v]) => `${fmt(v / ROUNDS, 2)} ${k.replace(/Command$/, "")}`).join(" + ");
  pingRows.push([label, Number(fmt(rru / ROUNDS, 3)), Number(fmt(wru / ROUNDS, 3)), Number(fmt(sqs / ROUNDS, 2)), ROUNDS, calls]);
  pingData[key] = { rru: rru / ROUNDS, wru: wru / ROUNDS, sqs: sqs / ROUNDS, requests };
  log(NAME, `ping ${label}: ${fmt(rru / ROUNDS)} RRU, ${fmt(wru / ROUNDS)} WRU`);
}
{
  // What every ping rewrites: the heartbeat's item with its full list of last pings (DynamoDB's size rules: names + values).
  const { data } = await HeartbeatEntity.get({ pingToken: probe.pingToken }).go({ data: "raw" });
  const item = (data as unknown as { Item?: Record<string, unknown> }).Item ?? {};
  itemBytes = itemSize(item);
  // The longest entries there are (failed week-long runs with a 3-digit exit code and a log), after a missed deadline.
  const worst = encode({ at: now(), kind: "fail", method: "POST", exitCode: 255, durationMs: 7 * 86400_000 - 1, logId: newLogId(now(), "ff") });
  worstBytes = itemSize({ ...item, pings: Array(RECENT_PINGS).fill(worst), missedAt: now(), missedStart: true, startedAt: now() });
  log(NAME, `heartbeat item with ${RECENT_PINGS} pings: ${itemBytes} bytes (at worst ${worstBytes})`);
}
const refused = { rru: 0, wru: 0 };
{
  // A looping job past its budget: what each refused ping costs.
  const loopAt = now() + 10 * 86400_000;
  for (let i = 0; i < 30; i++) await HeartbeatPing.receive(probe.pingToken, { kind: "success", method: "GET" }, loopAt + i);
  const before = snapshot();
  for (let i = 0; i < 10; i++) await HeartbeatPing.receive(probe.pingToken, { kind: "success", method: "GET" }, loopAt + 100 + i).catch(() => undefined);
  const d = since(before);
  refused.rru = d.dynamo.readUnits / 10;
  refused.wru = writeUnits(d.dynamo) / 10;
}

// ---------- the tick's reads for overdue heartbeats ----------
const sweepRows: Array<Array<string | number>> = [];
const sweepData: Array<{ heartbeats: number; itemsRead: number; readUnits: number; queries: number; missed: number }> = [];
let seeded = 0;
for (const size of SIZES) {
  const fresh: ReturnType<typeof heartbeatItem>[] = [];
  // Deadlines spread over an hour that starts well after the seeding ends (none due when the sweep runs), as pinging heartbeats' are.
  for (; seeded < size; seeded++) fresh.push(heartbeatItem(now() + 20 * 60_000 + Math.floor(Math.random() * 3600_000)));
  const t0 = Date.now();
  await putAll(fresh);
  log(NAME, `seeded ${size.toLocaleString("en-US")} heartbeats in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (Date.now() - t0 > 15 * 60_000) throw new Error("seeding took longer than the deadlines' head start: the sweep would find seeded heartbeats overdue");
  // OVERDUE of them missed their deadline a few seconds ago.
  const late = Array.from({ length: OVERDUE }, () => heartbeatItem(now() - 5_000));
  await putAll(late);
  for (const h of late) await monitorFor(h);
  const before = snapshot();
  const t1 = Date.now();
  const report = await HeartbeatSweep.run(now());
  const ms = Date.now() - t1;
  const d = since(before);
  const r1 = (n: number) => Math.round(n * 10) / 10;
  sweepRows.push([size + OVERDUE, report.queries, report.itemsRead, r1(report.readUnits), r1(d.dynamo.readUnits), r1(writeUnits(d.dynamo)), report.missed, report.jobs, ms]);
  sweepData.push({ heartbeats: size + OVERDUE, itemsRead: report.itemsRead, readUnits: report.readUnits, queries: report.queries, missed: report.missed });
  log(NAME, `sweep over ${size.toLocaleString("en-US")}: ${report.itemsRead} read, ${fmt(report.readUnits)} RRU`);
}

const flat = sweepData.every((r) => r.itemsRead === OVERDUE);
const result: BenchResult = {
  name: NAME,
  title: "14. Heartbeats: cost of a ping and of finding overdue heartbeats",
  command: commandFor(NAME),
  startedAt: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  tables: [
    {
      title: "One ping",
      intro:
        `HeartbeatPing.receive on a healthy heartbeat (${ROUNDS} pings of each kind, a minute apart), as the ping function runs it: one eventually consistent read of the heartbeat by its token and ` +
        `one conditional write of that item (rate counter, next deadline, its place in the due index, the ping first in its list of the last ${RECENT_PINGS}); a body adds one write of the log item. ` +
        `Units as DynamoDB bills them (consumed capacity; the write units include the due index, where moving the deadline is a delete and a put: 2 of the 3 units of a ping). The heartbeat item with a full list of these pings is ${itemBytes} bytes; ` +
        `with ${RECENT_PINGS} of the longest entries there are (failed week-long runs with a 3-digit exit code and a log) after a missed deadline it would be ${worstBytes} ` +
        "(the bench's tokens are 8 characters longer than real ones, which appear 3 times in the item).",
      columns: ["Ping", "DynamoDB read units", "DynamoDB write units", "SQS requests", "Pings", "DynamoDB calls per ping"],
      rows: pingRows,
      notes: [
        `A refused ping (429, past HEARTBEAT_PINGS_PER_MINUTE) costs ${fmt(refused.rru, 3)} read units and ${fmt(refused.wru, 3)} write units on average over 10 in one minute: ` +
          "the first one in a container reads the heartbeat, nothing is written, and the container then refuses the token until the minute ends without a request.",
        "A ping that changes health (the first one, a recovery, a failure) then goes through the checker's rules like a check result: one result write, the monitor and recent results read, and the incident writes and alert message of a transition.",
      ],
    },
    {
      title: "The tick's heartbeat step by number of heartbeats",
      intro:
        `Heartbeats expected every hour with their deadlines spread over the next hour, plus ${OVERDUE} overdue. The step queries the due index's heartbeat partitions for the minutes just passed ` +
        "(never a scan), marks each overdue heartbeat missed with a conditional write, reads its monitor and queues its check job. " +
        "All read units include those monitor reads; write units are the conditional writes that file each missed heartbeat under its next deadline.",
      columns: ["Heartbeats", "Queries", "Items read by the queries", "Query read units", "All read units", "Write units", "Missed", "Jobs queued", "ms"],
      rows: sweepRows,
      notes: [
        flat
          ? `The queries read exactly the ${OVERDUE} overdue heartbeats at every size: a heartbeat that pings on time moved its deadline and is never read by the tick.`
          : "The queries read more than the overdue heartbeats at some size: see the rows.",
      ],
    },
  ],
  budgets: [
    { name: "Tick reads only overdue heartbeats", limit: `${OVERDUE} items at every size`, actual: sweepData.map((r) => r.itemsRead).join(" / "), pass: flat },
    {
      name: "A ping without a body is one conditional write",
      limit: "1 UpdateItem, no other write",
      actual: Object.entries(pingData.success!.requests).map(([k, v]) => `${v / ROUNDS} ${k}`).join(", "),
      pass: (pingData.success!.requests.UpdateItemCommand ?? 0) / ROUNDS === 1 && !pingData.success!.requests.PutItemCommand,
    },
    {
      name: "The heartbeat item a ping rewrites (with its last pings): as measured / at worst",
      limit: "≤ 1024 bytes",
      actual: `${itemBytes} / ${worstBytes} bytes`,
      pass: Math.max(itemBytes, worstBytes) <= 1024,
    },
  ],
  data: { ping: pingData, refused, itemBytes, worstBytes, sweep: sweepData },
};
await stack.stop();
finish(result);
