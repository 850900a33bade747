import { createHash } from "node:crypto";
import { ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { localCredentials, startEmulators } from "./emulators";
import { recordsToDelete, startPoller, type Poller, type PollerErrorPhase, type PollerOptions } from "./poller";

const region = "us-east-1";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(20);
  }
}

/**
 * Each test gets its own in-memory emulators (about 50 ms to start), so the tests, which mostly
 * wait for visibility timeouts, can run concurrently without sharing queues.
 */
async function setup() {
  const emu = await startEmulators({
    inMemory: true,
    stage: "p",
    tableName: "poller-test",
    // Test-only: 1 s instead of 240 s, so redelivery is observable quickly; 3 receives instead of 5.
    queueOverrides: { checks: { visibilityTimeoutSec: 1, maxReceiveCount: 3 }, alerts: { visibilityTimeoutSec: 1 } },
    log: () => {},
  });
  const sqs = new SQSClient({ region, endpoint: emu.endpoints.sqs, credentials: localCredentials });
  const pollers: Poller[] = [];
  const poll = (queue: "checks" | "alerts", handler: PollerOptions["handler"], extra: Partial<PollerOptions> = {}) => {
    const errors: Array<{ phase: PollerErrorPhase; err: unknown }> = [];
    const poller = startPoller({
      queueUrl: emu.queues[queue].url,
      queueArn: emu.queues[queue].arn,
      batchSize: 10,
      handler,
      client: sqs,
      region,
      onError: (err, phase) => errors.push({ phase, err }),
      ...extra,
    });
    pollers.push(poller);
    return { poller, errors };
  };
  const counts = async (name: string) => (await emu.queueCounts())[name];
  const teardown = async () => {
    await Promise.all(pollers.map((p) => p.stop()));
    sqs.destroy();
    await emu.stop();
  };
  return { emu, sqs, poll, counts, teardown };
}

type Ctx = Awaited<ReturnType<typeof setup>>;
const withQueues = (fn: (ctx: Ctx) => Promise<void>) => async () => {
  const ctx = await setup();
  try {
    await fn(ctx);
  } finally {
    await ctx.teardown();
  }
};

describe.concurrent("startPoller", () => {
  it(
    "deletes successes, redelivers a reported failure after the visibility timeout, then dead-letters it",
    withQueues(async ({ emu, sqs, poll, counts }) => {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: emu.queues.checks.url,
          Entries: ["A", "B", "C"].map((body, i) => ({
            Id: String(i),
            MessageBody: body,
            ...(body === "A"
              ? {
                  MessageAttributes: {
                    kind: { DataType: "String", StringValue: "check" },
                    blob: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2, 3]) },
                  },
                }
              : {}),
          })),
        }),
      );
      const seen: Array<{ record: SQSRecord; at: number }> = [];
      const { poller, errors } = poll("checks", async (event: SQSEvent): Promise<SQSBatchResponse> => {
        for (const record of event.Records) seen.push({ record, at: Date.now() });
        return { batchItemFailures: event.Records.filter((r) => r.body === "B").map((r) => ({ itemIdentifier: r.messageId })) };
      });
      await until(async () => (await counts("p-checks-dlq")).visible === 1);
      await poller.stop();
      expect(errors).toEqual([]);

      const bodies = (b: string) => seen.filter((s) => s.record.body === b);
      expect(bodies("A")).toHaveLength(1);
      expect(bodies("C")).toHaveLength(1);
      const b = bodies("B");
      expect(b.map((s) => s.record.attributes.ApproximateReceiveCount)).toEqual(["1", "2", "3"]);
      expect(b[1].at - b[0].at).toBeGreaterThanOrEqual(900);
      expect(b[2].at - b[1].at).toBeGreaterThanOrEqual(900);
      expect(await counts("p-checks")).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
      const dlq = await sqs.send(new ReceiveMessageCommand({ QueueUrl: emu.queues.checks.dlq.url, MaxNumberOfMessages: 10 }));
      expect(dlq.Messages?.map((m) => m.Body)).toEqual(["B"]);

      const a = bodies("A")[0].record;
      expect(a).toMatchObject({
        body: "A",
        md5OfBody: createHash("md5").update("A").digest("hex"),
        eventSource: "aws:sqs",
        eventSourceARN: emu.queues.checks.arn,
        awsRegion: region,
        messageAttributes: {
          kind: { dataType: "String", stringValue: "check", stringListValues: [], binaryListValues: [] },
          blob: { dataType: "Binary", binaryValue: Buffer.from([1, 2, 3]).toString("base64"), stringListValues: [], binaryListValues: [] },
        },
      });
      expect(a.messageId).toBeTruthy();
      expect(a.receiptHandle).toBeTruthy();
      expect(a.attributes.SenderId).toBeTruthy();
      expect(Number(a.attributes.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000);
      expect(Number(a.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(a.attributes.SentTimestamp));
    }),
  );

  it(
    "deletes nothing when the handler throws, so the whole batch comes back",
    withQueues(async ({ emu, sqs, poll, counts }) => {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: emu.queues.checks.url,
          Entries: [
            { Id: "1", MessageBody: "one" },
            { Id: "2", MessageBody: "two" },
          ],
        }),
      );
      const batches: SQSRecord[][] = [];
      const { errors } = poll("checks", async (event) => {
        batches.push(event.Records);
        if (batches.length === 1) throw new Error("handler crashed");
      });
      await until(() => batches.length >= 2);
      await until(async () => (await counts("p-checks")).inFlight === 0);
      expect(batches[0].map((r) => r.body).sort()).toEqual(["one", "two"]);
      expect(batches[1].map((r) => [r.body, r.attributes.ApproximateReceiveCount]).sort()).toEqual([
        ["one", "2"],
        ["two", "2"],
      ]);
      expect(errors.map((e) => [e.phase, (e.err as Error).message])).toEqual([["handler", "handler crashed"]]);
      expect(await counts("p-checks")).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    }),
  );

  it(
    "treats an unknown itemIdentifier as a failed batch, like Lambda",
    withQueues(async ({ emu, sqs, poll, counts }) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: emu.queues.checks.url, MessageBody: "x" }));
      const receiveCounts: string[] = [];
      const { errors } = poll("checks", async (event) => {
        receiveCounts.push(event.Records[0].attributes.ApproximateReceiveCount);
        return receiveCounts.length === 1 ? { batchItemFailures: [{ itemIdentifier: "not-in-batch" }] } : { batchItemFailures: [] };
      });
      await until(() => receiveCounts.length >= 2);
      await until(async () => (await counts("p-checks")).inFlight === 0);
      expect(receiveCounts).toEqual(["1", "2"]);
      expect(errors.map((e) => e.phase)).toEqual(["response"]);
    }),
  );

  it(
    "passes FIFO attributes through and delivers a deduplicated message once",
    withQueues(async ({ emu, sqs, poll }) => {
      for (let i = 0; i < 2; i++) {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: emu.queues.alerts.url,
            MessageBody: "alert",
            MessageGroupId: "incident-1",
            MessageDeduplicationId: "incident-1:down",
          }),
        );
      }
      const records: SQSRecord[] = [];
      poll("alerts", async (event) => void records.push(...event.Records));
      await until(() => records.length >= 1);
      await sleep(300);
      expect(records).toHaveLength(1);
      expect(records[0].attributes).toMatchObject({ MessageGroupId: "incident-1", MessageDeduplicationId: "incident-1:down" });
      expect(records[0].attributes.SequenceNumber).toMatch(/^\d+$/);
      expect(records[0].eventSourceARN).toBe(emu.queues.alerts.arn);
    }),
  );

  it(
    "stop() waits for the batch being handled and its deletes",
    withQueues(async ({ emu, sqs, poll, counts }) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: emu.queues.checks.url, MessageBody: "slow" }));
      let started = false;
      let finished = false;
      const { poller } = poll("checks", async () => {
        started = true;
        await sleep(300);
        finished = true;
      });
      await until(() => started);
      expect(poller.busy).toBe(true);
      await poller.stop();
      expect(finished).toBe(true);
      expect(poller.busy).toBe(false);
      expect(await counts("p-checks")).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    }),
  );

  it(
    "handles further batches while one is still running, up to `concurrency` at once",
    withQueues(async ({ emu, sqs, poll, counts }) => {
      const send = (body: string) => sqs.send(new SendMessageCommand({ QueueUrl: emu.queues.checks.url, MessageBody: body }));
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      const handled: string[] = [];
      const { poller } = poll(
        "checks",
        async (event) => {
          const body = event.Records[0].body;
          if (body === "slow") await released;
          handled.push(body);
        },
        { concurrency: 2 },
      );
      await send("slow");
      await until(async () => (await counts("p-checks")).inFlight === 1);
      await send("quick");
      await until(() => handled.includes("quick"), 800); // well inside the test queue's 1 s visibility timeout
      expect(handled).toEqual(["quick"]);
      release();
      await until(() => handled.includes("slow"));
      await poller.stop();
      expect(await counts("p-checks")).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    }),
  );

  it(
    "receives nothing more while `concurrency` batches are running",
    withQueues(async ({ emu, sqs, poll, counts }) => {
      const send = (body: string) => sqs.send(new SendMessageCommand({ QueueUrl: emu.queues.checks.url, MessageBody: body }));
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      const handled: string[] = [];
      const { poller } = poll("checks", async (event) => {
        const body = event.Records[0].body;
        if (body === "slow") await released;
        handled.push(body);
      });
      await send("slow");
      await until(async () => (await counts("p-checks")).inFlight === 1);
      await send("next");
      await sleep(300);
      expect(await counts("p-checks")).toMatchObject({ visible: 1, inFlight: 1 });
      release();
      await until(() => handled.length === 2);
      expect(handled).toEqual(["slow", "next"]);
      await poller.stop();
    }),
  );

  it(
    "counts an invocation past the function timeout as failed",
    withQueues(async ({ emu, sqs, poll, counts }) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: emu.queues.checks.url, MessageBody: "too slow" }));
      let calls = 0;
      const { errors } = poll(
        "checks",
        async () => {
          calls++;
          if (calls === 1) await sleep(400);
        },
        { functionTimeoutSec: 0.1 },
      );
      await until(() => calls >= 2);
      await until(async () => (await counts("p-checks")).inFlight === 0);
      expect(errors.map((e) => [e.phase, (e.err as Error).name])).toEqual([["handler", "InvocationTimeoutError"]]);
    }),
  );

  it(
    "with a 20 s long poll, hands a message over as soon as it is sent, and stops without waiting out the poll",
    withQueues(async ({ emu, sqs, poll, counts }) => {
      const handled: Array<{ body: string; at: number }> = [];
      const { poller, errors } = poll("checks", async (event) => {
        for (const r of event.Records) handled.push({ body: r.body, at: Date.now() });
      }, { waitTimeSeconds: 20, abandonPollOnStop: true });
      // the poll is waiting before the message is sent
      await sleep(300);
      const sentAt = Date.now();
      await sqs.send(new SendMessageCommand({ QueueUrl: emu.queues.checks.url, MessageBody: "now" }));
      await until(() => handled.length === 1);
      expect(handled[0].at - sentAt).toBeLessThan(1000);
      await until(async () => (await counts("p-checks")).inFlight === 0);
      // the next poll is waiting
      await sleep(300);

      const stopping = Date.now();
      await poller.stop();
      expect(Date.now() - stopping).toBeLessThan(2000);
      expect(errors).toEqual([]);
    }),
  );
});

describe("recordsToDelete", () => {
  const records = ["a", "b"].map((messageId) => ({ messageId }) as SQSRecord);
  it("follows Lambda's partial batch response rules", () => {
    expect(recordsToDelete(records, undefined).delete).toHaveLength(2);
    expect(recordsToDelete(records, {}).delete).toHaveLength(2);
    expect(recordsToDelete(records, { batchItemFailures: [] }).delete).toHaveLength(2);
    expect(recordsToDelete(records, { batchItemFailures: [{ itemIdentifier: "b" }] }).delete.map((r) => r.messageId)).toEqual(["a"]);
    expect(recordsToDelete(records, { batchItemFailures: [{ itemIdentifier: "" }] })).toMatchObject({ delete: [], invalid: expect.any(String) });
    expect(recordsToDelete(records, { batchItemFailures: "b" })).toMatchObject({ delete: [], invalid: expect.any(String) });
  });
});
