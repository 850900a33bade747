import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { sqs } from "@uptime/core/platform/aws";
import { config } from "@uptime/core/platform/config";
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from "aws-lambda";
import { invokeWithTimeout, lambdaContext, type LambdaHandler } from "./lambda";

export type SqsHandler = LambdaHandler<SQSEvent, SQSBatchResponse | void | undefined>;

export type PollerErrorPhase = "receive" | "handler" | "response" | "delete";

export interface PollerOptions {
  queueUrl: string;
  queueArn: string;
  /** Records per invocation (1-10), as the event source mapping's BatchSize. */
  batchSize: number;
  handler: SqsHandler;
  /** Called for every failure; defaults to console.error. Never throws into the loop. */
  onError?: (err: unknown, phase: PollerErrorPhase) => void;
  /** Defaults to the shared client from @uptime/core/aws (configured from SQS_ENDPOINT). */
  client?: SQSClient;
  /** Defaults to config().AWS_REGION. */
  region?: string;
  /** Used in logs and the Lambda context. */
  functionName?: string;
  /** Like the function timeout: a slower invocation counts as failed (nothing deleted). */
  functionTimeoutSec?: number;
  /**
   * Invocations in flight at most, as the mapping's maximum concurrency. Default 1. A batch
   * that takes long (a check waiting on a hanging target) holds one of them, not the queue:
   * further batches are received and handled while it runs.
   */
  concurrency?: number;
  /** Long-poll wait per receive; default 1 s so stop() is quick (see abandonPollOnStop). */
  waitTimeSeconds?: number;
  /**
   * stop() abandons the current long poll instead of waiting for it to end. Only for a queue that
   * goes away with the poller: the emulator would hand its next messages to the abandoned poll,
   * and they would sit in flight until their visibility timeout.
   */
  abandonPollOnStop?: boolean;
}

export interface Poller {
  /** True while any batch is between being received and finishing its deletes. */
  readonly busy: boolean;
  /** Number of batches handed to the handler so far. */
  readonly invocations: number;
  /** Stops receiving and waits for the current long poll and any batch being handled (handler and deletes). */
  stop(): Promise<void>;
}

function lambdaMessageAttributes(attrs: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, a] of Object.entries(attrs ?? {})) {
    out[name] = {
      dataType: a.DataType ?? "String",
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: Buffer.from(a.BinaryValue).toString("base64") } : {}),
      stringListValues: a.StringListValues ?? [],
      binaryListValues: (a.BinaryListValues ?? []).map((b) => Buffer.from(b).toString("base64")),
    };
  }
  return out;
}

/** The record Lambda's SQS event source mapping builds from a received message. */
export function toSqsRecord(m: Message, queueArn: string, region: string): SQSRecord {
  const a = m.Attributes ?? {};
  const attributes: SQSRecord["attributes"] = {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? "1",
    SentTimestamp: a.SentTimestamp ?? String(Date.now()),
    SenderId: a.SenderId ?? "",
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  };
  for (const k of ["MessageGroupId", "MessageDeduplicationId", "SequenceNumber", "AWSTraceHeader"] as const) {
    if (a[k] !== undefined) attributes[k] = a[k];
  }
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? "",
    attributes,
    messageAttributes: lambdaMessageAttributes(m.MessageAttributes),
    md5OfBody: m.MD5OfBody ?? "",
    ...(m.MD5OfMessageAttributes ? { md5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which records to delete after an invocation, following Lambda's partial batch response rules:
 * a returned failure list deletes everything else; an identifier that is empty or not in the batch
 * makes Lambda treat the whole batch as failed.
 */
export function recordsToDelete(records: SQSRecord[], response: unknown): { delete: SQSRecord[]; invalid?: string } {
  const failures = (response as SQSBatchResponse | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return { delete: records };
  if (!Array.isArray(failures)) return { delete: [], invalid: "batchItemFailures is not an array" };
  const ids = new Set(records.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || !ids.has(id)) {
      return { delete: [], invalid: `batchItemFailures has itemIdentifier ${JSON.stringify(id)}, not a messageId of this batch` };
    }
    failed.add(id);
  }
  return { delete: records.filter((r) => !failed.has(r.messageId)) };
}

/** Polls a queue and invokes a handler the way Lambda's SQS event source mapping does. */
export function startPoller(opts: PollerOptions): Poller {
  const client = opts.client ?? sqs();
  const region = opts.region ?? config().AWS_REGION;
  const functionName = opts.functionName ?? opts.queueArn.split(":").pop()!;
  const timeoutMs = opts.functionTimeoutSec ? opts.functionTimeoutSec * 1000 : undefined;
  const onError =
    opts.onError ?? ((err: unknown, phase: PollerErrorPhase) => console.error(`[${functionName}] ${phase} failed:`, err));
  const report = (err: unknown, phase: PollerErrorPhase) => {
    try {
      onError(err, phase);
    } catch {
      // A throwing error callback must not kill the loop.
    }
  };
  let running = true;
  let handling = 0;
  let invocations = 0;
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  // Slots for invocations: one is taken before each receive, so no more batches are held in
  // flight than can be handled at once, and given back when the batch's deletes are done.
  let slotsTaken = 0;
  const slotWaiters: Array<() => void> = [];
  const takeSlot = async () => {
    while (slotsTaken >= concurrency) await new Promise<void>((resolve) => slotWaiters.push(resolve));
    slotsTaken++;
  };
  const giveSlot = () => {
    slotsTaken--;
    slotWaiters.shift()?.();
  };
  const batches = new Set<Promise<void>>();
  const abandon = new AbortController();

  async function handleBatch(messages: Message[]) {
    const records = messages.map((m) => toSqsRecord(m, opts.queueArn, region));
    let toDelete: SQSRecord[] = [];
    invocations++;
    try {
      const response = await invokeWithTimeout(functionName, timeoutMs, () =>
        opts.handler({ Records: records }, lambdaContext(functionName, timeoutMs ?? 900_000, region)),
      );
      const outcome = recordsToDelete(records, response);
      if (outcome.invalid) report(new Error(`Invalid partial batch response: ${outcome.invalid}`), "response");
      toDelete = outcome.delete;
    } catch (err) {
      // Lambda deletes nothing when the invocation fails; every record becomes visible again.
      report(err, "handler");
    }
    if (toDelete.length === 0) return;
    try {
      const res = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: opts.queueUrl,
          Entries: toDelete.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
      if (res.Failed?.length) report(new Error(`DeleteMessageBatch failed for ${JSON.stringify(res.Failed)}`), "delete");
    } catch (err) {
      report(err, "delete");
    }
  }

  async function receiveLoop() {
    while (running) {
      await takeSlot();
      if (!running) {
        giveSlot();
        break;
      }
      let messages: Message[] | undefined;
      try {
        const res = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: opts.queueUrl,
            MaxNumberOfMessages: opts.batchSize,
            WaitTimeSeconds: opts.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
          { abortSignal: abandon.signal },
        );
        messages = res.Messages;
      } catch (err) {
        giveSlot();
        if (!running) break;
        report(err, "receive");
        // The emulator may be restarting or gone; do not spin.
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!messages?.length) {
        giveSlot();
        continue;
      }
      handling++;
      const batch = handleBatch(messages).finally(() => {
        handling--;
        batches.delete(batch);
        giveSlot();
      });
      batches.add(batch);
    }
  }

  // One receiver: each receive returns up to a whole batch, and handling does not wait on it.
  const receiver = receiveLoop();

  return {
    get busy() {
      return handling > 0;
    },
    get invocations() {
      return invocations;
    },
    async stop() {
      running = false;
      if (opts.abandonPollOnStop) abandon.abort();
      // Unless abandonPollOnStop, long polls are not aborted: fauxqs (like SQS) would still hand
      // messages to the abandoned request and they would sit in flight until the visibility timeout.
      // A poll that returns messages while stopping is handled normally, so stop() takes up to
      // waitTimeSeconds.
      await receiver;
      await Promise.all(batches);
    },
  };
}
