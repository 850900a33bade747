import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { startTarget } from "@uptime/local/testing";
import { CheckJob } from "@uptime/core/check/check-job";
import { CheckResult } from "@uptime/core/check/result";
import { handler as checkConsumer } from "@uptime/functions/check/check-consumer";
import { useStackWithTarget } from "../kit/stack-with-target";
import { messagesOf, sqsEvent } from "../kit/check-messages";
import { monitorItem } from "../kit/monitor-fixture";

/** A site that holds every request until the test releases it. */
async function startGate() {
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    held.push(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get held() {
      return held.length;
    },
    release() {
      for (const res of held.splice(0)) res.end("ok");
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const job = (o: { url: string; timeoutMs?: number }, dueAt: number): CheckJob.Job => ({
  monitor: CheckJob.snapshotOf(monitorItem({ intervalSec: 60, state: "up", ...o })),
  dueAt,
  kind: "scheduled",
});

const env = useStackWithTarget();

describe("a hanging target in the batch", () => {
  it("does not hold back its batch-mates' results: each is written as its probe ends", { timeout: 30_000 }, async () => {
    const gate = await startGate();
    let handled: Promise<unknown> | undefined;
    try {
      const dueAt = Date.now();
      const hanging = job({ url: `${gate.url}/never`, timeoutMs: 30_000 }, dueAt);
      const healthy = Array.from({ length: 19 }, (_, i) => job({ url: `${env.target.url}/m${i}` }, dueAt));
      // The hanging job shares the first message with nine healthy ones; ten more fill a second.
      handled = checkConsumer(sqsEvent(messagesOf([hanging, ...healthy])) as any);
      let done = false;
      void handled.finally(() => (done = true));

      // Every healthy result is stored while the hanging probe still waits (the gate holds it
      // until released below, far inside its 30 s timeout).
      await until(
        "the healthy results",
        async () => ((await Promise.all(healthy.map((j) => CheckResult.find(j.monitor, dueAt)))).every(Boolean) ? true : undefined),
        15_000,
      );
      expect(gate.held).toBe(1);
      expect(await CheckResult.find(hanging.monitor, dueAt)).toBeUndefined();
      expect(done).toBe(false); // the messages are deleted only once every job is settled

      gate.release();
      expect(await handled).toEqual({ batchItemFailures: [] });
      expect(await CheckResult.find(hanging.monitor, dueAt)).toMatchObject({ ok: true });
    } finally {
      gate.release();
      await handled?.catch(() => {}); // settled before the next test measures latencies
      await gate.stop();
    }
  });

  it("keeps a slow site's measured latency honest while batch-mates are being written", { timeout: 30_000 }, async () => {
    const slow = await startTarget({ status: 200, body: "ok", delayMs: 200 });
    // Batch-mates answering just before it: their result writes are signed and sent around the
    // moment its response arrives. In-process here, DynamoDB's own work (dynalite) shares the
    // thread too; writes started all at once put 50-100 ms on the slow site's latency.
    const early = await startTarget({ status: 200, body: "ok", delayMs: 190 });
    try {
      const dueAt = Date.now();
      const measured = job({ url: `${slow.url}/s` }, dueAt);
      const mates = Array.from({ length: 9 }, (_, i) => job({ url: `${early.url}/e${i}` }, dueAt));
      expect(await checkConsumer(sqsEvent(messagesOf([...mates, measured])) as any)).toEqual({ batchItemFailures: [] });
      const { latencyMs } = (await CheckResult.find(measured.monitor, dueAt))!;
      expect(latencyMs).toBeGreaterThanOrEqual(200);
      expect(latencyMs).toBeLessThan(250);
    } finally {
      await slow.stop();
      await early.stop();
    }
  });
});
