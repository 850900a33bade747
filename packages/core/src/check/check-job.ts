export * as CheckJob from "./check-job";

import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { z } from "zod";
import { sqs } from "../platform/aws";
import { mapLimit } from "../platform/concurrency";
import { config } from "../platform/config";
import type { MonitorItem } from "../monitors/entity";
import { CommonFields, STATES, typeOf, type MonitorType } from "../monitors/shape";
import { DnsProbeRequest, ProbeRequest, TcpProbeRequest } from "./probe-types";

/**
 * What travels on the checks queue: everything a checker needs to probe and to decide
 * whether anything changed, so a healthy check costs no read of the monitor item.
 * The state fields are a snapshot from when the job was made; the checker re-reads the
 * monitor only when the result could change something (a failure, or a non-up snapshot),
 * and takes thresholds and retry intervals from that read, so they do not travel here.
 * Jobs queued before a field was dropped still parse: unknown keys are stripped.
 */
const SnapshotState = z.object({
  monitorId: z.string(),
  /** Where the result is stored (monitors/cohort.ts); absent: one item per check. */
  cohort: z.string().optional(),
  intervalSec: CommonFields.shape.intervalSec,
  state: z.enum(STATES),
  openIncidentId: z.string().optional(),
  /** Scheduled maintenance mutes the monitor until then (epoch ms): checks are recorded, incidents are not opened. */
  maintenanceUntil: z.number().optional(),
  /** A passing check slower than this reads the monitor (it may turn degraded); a fast one still reads nothing. */
  degradedAboveMs: z.number().optional(),
  /** Absent: the defaults (cert-expiry.ts). */
  certExpiryDays: z.array(z.number()).optional(),
  /** The certificate warning already sent, so checks after it publish nothing (cert-expiry.ts). */
  certWarned: z.string().optional(),
});

/** One variant per monitor type; jobs queued before types existed have none and are HTTP jobs. */
const SNAPSHOT_VARIANTS = {
  http: ProbeRequest.extend(SnapshotState.shape).extend({ type: z.literal("http").default("http") }),
  tcp: TcpProbeRequest.extend(SnapshotState.shape).extend({ type: z.literal("tcp") }),
  dns: DnsProbeRequest.extend(SnapshotState.shape).extend({ type: z.literal("dns") }),
  // Nothing to probe: the tick queues a job for a missed deadline, which the checker records as a failure.
  heartbeat: SnapshotState.extend({ type: z.literal("heartbeat"), pingToken: z.string(), timeoutMs: CommonFields.shape.timeoutMs }),
} satisfies Record<MonitorType, z.ZodObject>;

export const Snapshot = z.discriminatedUnion("type", [SNAPSHOT_VARIANTS.http, SNAPSHOT_VARIANTS.tcp, SNAPSHOT_VARIANTS.dns, SNAPSHOT_VARIANTS.heartbeat]);
export type Snapshot = z.infer<typeof Snapshot>;

export const CHECK_KINDS = ["scheduled", "retry", "manual"] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export const Job = z.object({
  monitor: Snapshot,
  /** The slot: when the check is due, epoch ms. Idempotency is keyed on (monitorId, dueAt). */
  dueAt: z.number().int(),
  kind: z.enum(CHECK_KINDS),
});
export type Job = z.infer<typeof Job>;

export const Message = z.object({ v: z.literal(1), jobs: z.array(Job).min(1) });
export type Message = z.infer<typeof Message>;

export function snapshotOf(m: MonitorItem): Snapshot {
  const type = typeOf(m);
  const snapshot: Record<string, unknown> = { type };
  for (const key of Object.keys(SNAPSHOT_VARIANTS[type].shape)) if (key !== "type") snapshot[key] = m[key as keyof MonitorItem];
  return snapshot as Snapshot;
}

/** Jobs per SQS message: a message is billed per 64 KiB chunk, and a typical snapshot is under 1 KiB. */
export const JOBS_PER_MESSAGE = 10;
/** SendMessageBatch takes at most 10 entries. */
const ENTRIES_PER_BATCH = 10;
/**
 * SQS caps a message, and a whole SendMessageBatch, at 256 KiB. A monitor may carry up to
 * ~100 KiB of headers and body, so packing also stops short of this many bytes.
 */
const MAX_BATCH_BYTES = 240 * 1024;
const SENDS_IN_FLIGHT = 16;
/** SQS caps DelaySeconds at 15 minutes. */
const MAX_DELAY_SEC = 900;

/** Splits items into groups of at most `maxCount` whose sizes add up to at most `maxBytes` (an oversized item goes alone). */
export function pack<T>(items: T[], size: (item: T) => number, maxCount: number, maxBytes: number): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (group.length && (group.length >= maxCount || bytes + n > maxBytes)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(item);
    bytes += n;
  }
  if (group.length) groups.push(group);
  return groups;
}

/**
 * Sends jobs to the checks queue. Jobs due at the same second share messages, and each
 * message is delayed until its slot, which is how sub-minute intervals come out of a
 * one-minute rule. Returns how many SendMessageBatch requests were made.
 */
export async function enqueue(jobs: Job[], now = Date.now()): Promise<{ requests: number; messages: number }> {
  const byDelay = new Map<number, Job[]>();
  for (const job of jobs) {
    // Rounded up: a check may start a moment after its slot, never before it.
    const delay = Math.min(MAX_DELAY_SEC, Math.max(0, Math.ceil((job.dueAt - now) / 1000)));
    const list = byDelay.get(delay) ?? [];
    list.push(job);
    byDelay.set(delay, list);
  }
  const entries: { Id: string; MessageBody: string; DelaySeconds: number }[] = [];
  for (const [delay, list] of byDelay) {
    // Members of a cohort share a slot: in one message they are checked together and stored in one write.
    list.sort((a, b) => (a.monitor.cohort ?? a.monitor.monitorId).localeCompare(b.monitor.cohort ?? b.monitor.monitorId));
    for (const jobsOfMessage of pack(list, (job) => Buffer.byteLength(JSON.stringify(job)), JOBS_PER_MESSAGE, MAX_BATCH_BYTES)) {
      const message: Message = { v: 1, jobs: jobsOfMessage };
      entries.push({ Id: String(entries.length), MessageBody: JSON.stringify(message), DelaySeconds: delay });
    }
  }
  const batches = pack(entries, (e) => Buffer.byteLength(e.MessageBody), ENTRIES_PER_BATCH, MAX_BATCH_BYTES);
  // A bounded number in flight: the SDK's connection pool queues the rest anyway, and a tick
  // of 100,000 monitors would otherwise hold a thousand pending requests at once.
  await mapLimit(batches, SENDS_IN_FLIGHT, async (Entries) => {
    const res = await sqs().send(new SendMessageBatchCommand({ QueueUrl: config().CHECKS_QUEUE_URL, Entries }));
    if (res.Failed?.length) {
      throw new Error(`SQS refused ${res.Failed.length} check messages: ${res.Failed.map((f) => f.Message).join("; ")}`);
    }
  });
  return { requests: batches.length, messages: entries.length };
}
