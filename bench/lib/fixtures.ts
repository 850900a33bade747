/**
 * Monitor items written straight to the table, shaped exactly as Monitor.create writes them
 * (same due keys), with deterministic pseudo-random offsets so every run seeds the same table.
 */
import { randomUUID } from "node:crypto";
import { CheckJob } from "@uptime/core/check/check-job";
import { INTERVALS, MonitorEntity, type MonitorItem } from "@uptime/core/monitors/monitor";
import { dueKeys } from "@uptime/core/schedule/due-index";

/**
 * The mix of intervals a hosted uptime service sees: mostly 1 and 5 minutes, a tail of
 * sub-minute and hourly ones, and some paused monitors (which a tick must never read).
 * Weights in percent; they add up to 100.
 */
export const INTERVAL_MIX: Array<{ intervalSec: (typeof INTERVALS)[number]; percent: number }> = [
  { intervalSec: 10, percent: 3 },
  { intervalSec: 20, percent: 2 },
  { intervalSec: 30, percent: 5 },
  { intervalSec: 60, percent: 40 },
  { intervalSec: 120, percent: 5 },
  { intervalSec: 300, percent: 25 },
  { intervalSec: 600, percent: 5 },
  { intervalSec: 900, percent: 3 },
  { intervalSec: 1800, percent: 2 },
  { intervalSec: 3600, percent: 10 },
];
export const PAUSED_PERCENT = 5;

/** Deterministic numbers in [0, 1). */
export function rng(seed: number) {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

export interface FixtureOptions {
  intervalSec: number;
  offsetSec: number;
  paused?: boolean;
  url?: string;
  ownerId?: string;
  state?: "pending" | "up" | "down";
  name?: string;
  failureThreshold?: number;
  retryIntervalSec?: number;
  alertEmails?: string[];
}

export function monitorItem(o: FixtureOptions, now = Date.now()): MonitorItem {
  const paused = o.paused ?? false;
  return {
    monitorId: randomUUID(),
    ownerId: o.ownerId ?? "bench-owner",
    name: o.name ?? "Bench monitor",
    url: o.url ?? "https://example.com/health",
    method: "GET",
    expectedStatus: ["200-399"],
    timeoutMs: 10000,
    failureThreshold: o.failureThreshold ?? 3,
    recoveryThreshold: 1,
    retryIntervalSec: o.retryIntervalSec ?? Math.min(20, o.intervalSec),
    alertEmails: o.alertEmails ?? ["ops@example.com"],
    state: o.state ?? "up",
    createdAt: now,
    updatedAt: now,
    paused,
    intervalSec: o.intervalSec,
    offsetSec: o.offsetSec,
    ...dueKeys(o.intervalSec, o.offsetSec, paused),
  } as MonitorItem;
}

/** `count` monitors following INTERVAL_MIX, with random offsets inside their interval. */
export function mixedMonitors(count: number, seed: number, owners = 1000): MonitorItem[] {
  const r = rng(seed);
  const out: MonitorItem[] = [];
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    let pick = r() * 100;
    const mix = INTERVAL_MIX.find((m) => (pick -= m.percent) < 0) ?? INTERVAL_MIX[INTERVAL_MIX.length - 1]!;
    const intervalSec = mix.intervalSec;
    out.push(
      monitorItem(
        { intervalSec, offsetSec: Math.floor(r() * intervalSec), paused: r() * 100 < PAUSED_PERCENT, ownerId: `owner-${i % owners}` },
        now,
      ),
    );
  }
  return out;
}

/** BatchWriteItem through ElectroDB (25 items a request), `concurrent` requests in flight. */
export async function seedMonitors(items: MonitorItem[], concurrent = 8) {
  const chunk = 5000;
  for (let i = 0; i < items.length; i += chunk) {
    const res = await MonitorEntity.put(items.slice(i, i + chunk)).go({ concurrent });
    if (res.unprocessed.length) throw new Error(`seeding left ${res.unprocessed.length} monitors unprocessed`);
  }
}

/** An SQS event as Lambda's event source mapping would deliver `messages` to the check consumer. */
export function sqsEvent(messages: CheckJob.Message[], receiveCount = 1) {
  return {
    Records: messages.map((m, i) => ({
      messageId: `bench-${i}-${randomUUID()}`,
      receiptHandle: "bench",
      body: JSON.stringify(m),
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: String(Date.now()),
        SenderId: "bench",
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:local-checks",
      awsRegion: "us-east-1",
    })),
  };
}

/** Jobs grouped into queue messages the way CheckJob.enqueue does (JOBS_PER_MESSAGE a message). */
export function messagesOf(jobs: CheckJob.Job[]): CheckJob.Message[] {
  const out: CheckJob.Message[] = [];
  for (let i = 0; i < jobs.length; i += CheckJob.JOBS_PER_MESSAGE) out.push({ v: 1, jobs: jobs.slice(i, i + CheckJob.JOBS_PER_MESSAGE) });
  return out;
}
