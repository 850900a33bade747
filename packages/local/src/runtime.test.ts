import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { sqs } from "@uptime/core/platform/aws";
import { config } from "@uptime/core/platform/config";
import type { ScheduledEvent, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalStack, type LocalStack } from "./runtime";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("startLocalStack with the real functions", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "uptime-stack-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("boots, configures the functions' environment, answers HTTP and logs each request", async () => {
    const before = process.env.DYNAMODB_ENDPOINT;
    const lines: string[] = [];
    const stack = await startLocalStack({ dataDir: dir, scheduler: false, log: (l) => lines.push(l), logError: () => {} });
    try {
      const c = config();
      expect(c.DYNAMODB_ENDPOINT).toBe(stack.endpoints.dynamodb);
      expect(c.SQS_ENDPOINT).toBe(stack.endpoints.sqs);
      expect(c.SES_ENDPOINT).toBe(stack.mailUrl);
      expect(c.CHECKS_QUEUE_URL).toBe(stack.queueUrls.checks);
      expect(c.ALERTS_QUEUE_URL).toBe(stack.queueUrls.alerts);
      expect(c.TABLE_NAME).toBe("uptime-local");
      expect(c.ALLOW_PRIVATE_TARGETS).toBe(true);
      expect(c.COOKIE_SECURE).toBe(false);
      expect(c.JWT_SECRET).toBe(readFileSync(path.join(dir, "jwt-secret"), "utf8").trim());
      expect(stack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      // Whatever the functions answer today, the request must get an HTTP answer from the chosen function.
      const unmatched = await fetch(`${stack.apiUrl}/__local-test/unmatched`);
      expect(unmatched.status).toBeGreaterThanOrEqual(200);
      await fetch(`${stack.apiUrl}/v1/me`);
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\[api\\] GET /__local-test/unmatched ${unmatched.status} \\d+ms \\(status\\)$`)));
      expect(lines).toContainEqual(expect.stringMatching(/^\[api\] GET \/v1\/me \d{3} \d+ms \(auth\)$/));
    } finally {
      await stack.stop();
    }
    expect(process.env.DYNAMODB_ENDPOINT).toBe(before);
  });

  it("keeps the JWT secret across restarts when a data dir is used", async () => {
    const saved = readFileSync(path.join(dir, "jwt-secret"), "utf8").trim();
    const stack = await startLocalStack({ dataDir: dir, scheduler: false, pollers: false, log: () => {}, logError: () => {} });
    try {
      expect(config().JWT_SECRET).toBe(saved);
    } finally {
      await stack.stop();
    }
  });

  it("rejects bad configuration before starting anything, and can start afterwards", async () => {
    await expect(startLocalStack({ inMemory: true, env: { TICK_SECONDS: "7" }, log: () => {} })).rejects.toThrow(/TICK_SECONDS/);
    const memDir = path.join(dir, "in-memory-must-not-write");
    const stack = await startLocalStack({ inMemory: true, dataDir: memDir, scheduler: false, pollers: false, log: () => {} });
    try {
      await expect(startLocalStack({ inMemory: true })).rejects.toThrow(/already running/);
      expect(stack.dataDir).toBeUndefined();
      expect(existsSync(memDir)).toBe(false);
      await expect(stack.drainQueues()).rejects.toThrow(/pollers: false/);
    } finally {
      await stack.stop();
    }
  });
});

describe("startLocalStack stop()", () => {
  it("a second call waits for the same stop instead of resolving while the emulators still run", async () => {
    const stack = await startLocalStack({ inMemory: true, scheduler: false, log: () => {}, logError: () => {} });
    const first = stack.stop();
    await stack.stop();
    await expect(fetch(stack.endpoints.dynamodb)).rejects.toThrow();
    await expect(fetch(stack.mailUrl)).rejects.toThrow();
    await first;
  });
});

describe("startLocalStack tick() and drainQueues()", () => {
  let stack: LocalStack;
  const ticks: ScheduledEvent[] = [];
  const alerts: string[] = [];
  let gate: Promise<void> | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({
      inMemory: true,
      scheduler: false,
      tickSeconds: 5,
      // Test-only: a failing check is dead-lettered after one redelivery window of 1 s.
      queueOverrides: { checks: { visibilityTimeoutSec: 1, maxReceiveCount: 1 }, alerts: { visibilityTimeoutSec: 1 } },
      log: () => {},
      logError: (m) => errors.push(m),
      handlers: {
        tick: async (event) => {
          ticks.push(event);
          if (event.time.endsWith(":13:00Z")) throw new Error("tick failed");
          // Like the real tick: enqueue work for the consumers through the configured client.
          await sqs().send(new SendMessageCommand({ QueueUrl: config().CHECKS_QUEUE_URL, MessageBody: `tick ${event.time}` }));
        },
        checkConsumer: async (event: SQSEvent): Promise<SQSBatchResponse> => {
          const failures: SQSBatchResponse["batchItemFailures"] = [];
          for (const r of event.Records) {
            if (r.body === "fail") {
              failures.push({ itemIdentifier: r.messageId });
              continue;
            }
            if (r.body === "gated") await gate;
            await sleep(100);
            await sqs().send(
              new SendMessageCommand({
                QueueUrl: config().ALERTS_QUEUE_URL,
                MessageBody: `alert for ${r.body}`,
                MessageGroupId: "g",
                MessageDeduplicationId: r.messageId,
              }),
            );
          }
          return { batchItemFailures: failures };
        },
        alertConsumer: async (event: SQSEvent) => {
          await sleep(50);
          for (const r of event.Records) alerts.push(r.body);
        },
      },
    });
  });
  afterAll(() => stack?.stop());

  const send = (body: string, delaySeconds?: number) =>
    sqs().send(new SendMessageCommand({ QueueUrl: stack.queueUrls.checks, MessageBody: body, DelaySeconds: delaySeconds }));

  it("tick() invokes the tick function with the scheduled event of the window containing `at`", async () => {
    await stack.tick(new Date("2024-01-01T12:00:07.250Z"));
    expect(ticks.at(-1)).toMatchObject({ "detail-type": "Scheduled Event", source: "aws.events", time: "2024-01-01T12:00:05Z", detail: {} });
    await expect(stack.tick(new Date("2024-01-01T12:13:02Z"))).rejects.toThrow("tick failed");
    await stack.drainQueues();
  });

  it("drainQueues() waits for consumers, messages they produce, delayed messages and dead-lettering", async () => {
    alerts.length = 0;
    await stack.tick(new Date("2024-01-01T12:00:10Z"));
    await send("one");
    await send("later", 1);
    await send("fail");
    await stack.drainQueues();
    expect(alerts.sort()).toEqual(["alert for later", "alert for one", "alert for tick 2024-01-01T12:00:10Z"]);
    const counts = await stack.queueCounts();
    expect(counts["local-checks"]).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(counts["local-alerts.fifo"]).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const dlq = await sqs().send(new ReceiveMessageCommand({ QueueUrl: stack.queueUrls.checksDlq }));
    expect(dlq.Messages?.map((m) => m.Body)).toEqual(["fail"]);
  });

  it("drainQueues({ includeDelayed: false }) returns while only delayed messages remain", async () => {
    alerts.length = 0;
    await send("much later", 1);
    await stack.drainQueues({ includeDelayed: false });
    expect((await stack.queueCounts())["local-checks"].delayed).toBe(1);
    expect(alerts).toEqual([]);
    await stack.drainQueues();
    expect(alerts).toEqual(["alert for much later"]);
  });

  it("drainQueues() times out with what is left when a consumer does not finish", async () => {
    let release!: () => void;
    gate = new Promise((r) => (release = r));
    await send("gated");
    await expect(stack.drainQueues({ timeoutMs: 300 })).rejects.toThrow(/not drained after 300ms: local-checks .*"inFlight":1.*consumers busy: true/);
    release();
    await stack.drainQueues();
    expect(errors).toEqual([]);
  });
});
