import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetQueueAttributesCommand, PurgeQueueCommand } from "@aws-sdk/client-sqs";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { sqs } from "@uptime/core/platform/aws";
import { config, reloadConfig } from "@uptime/core/platform/config";
import { INTERVALS, MonitorEntity } from "@uptime/core/monitors/monitor";
import { DueIndex } from "@uptime/core/schedule/due-index";
import { Tick } from "@uptime/core/schedule/tick";
import { handler as tick } from "@uptime/functions/schedule/tick";
import { createMonitorFixture } from "../kit/monitor-fixture";

let stack: TestStack;
beforeAll(async () => {
  // No pollers: the test inspects what the scheduler put on the queue.
  stack = await startTestStack({ pollers: false, tickSeconds: 60 });
});
afterAll(() => stack?.stop());


async function queueCounts() {
  const res = await sqs().send(
    new GetQueueAttributesCommand({
      QueueUrl: config().CHECKS_QUEUE_URL,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"],
    }),
  );
  return { visible: Number(res.Attributes?.ApproximateNumberOfMessages), delayed: Number(res.Attributes?.ApproximateNumberOfMessagesDelayed) };
}
const purge = () => sqs().send(new PurgeQueueCommand({ QueueUrl: config().CHECKS_QUEUE_URL }));

describe("scheduler tick", () => {
  it("reads exactly the due monitors, never the rest of the table", async () => {
    const monitors = [];
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    for (let i = 0; i < 300; i++) {
      const intervalSec = INTERVALS[rand(INTERVALS.length)]!;
      monitors.push(await createMonitorFixture({ intervalSec, offsetSec: rand(intervalSec), paused: rand(10) === 0 }));
    }
    const windowStart = 1_800_000_000 - (1_800_000_000 % 3600) + 7 * 60;
    const due = monitors.filter((m) => !m.paused && DueIndex.dueTimes(m, windowStart, 60).length > 0);
    const expectedJobs = due.reduce((n, m) => n + DueIndex.dueTimes(m, windowStart, 60).length, 0);

    const report = await Tick.run(windowStart * 1000, windowStart * 1000);
    expect(report.skipped).toBe(false);
    expect(report.itemsRead).toBe(due.length);
    expect(report.jobs).toBe(expectedJobs);
    expect(report.itemsRead).toBeLessThan(monitors.length / 2);
    expect(report.readUnits).toBeGreaterThan(0);
    await purge();
    for (const m of monitors) await MonitorEntity.delete({ monitorId: m.monitorId }).go();
  });

  it("enqueues a 10-second monitor six times per minute, delayed 0, 10, ... 50 seconds", async () => {
    const m = await createMonitorFixture({ intervalSec: 10, offsetSec: 0 });
    const windowStart = Math.floor(Date.now() / 60000) * 60 + 600; // a future window, so no delay is clipped
    const report = await Tick.run(windowStart * 1000, windowStart * 1000);
    expect(report.jobs).toBe(6);
    expect(await queueCounts()).toEqual({ visible: 1, delayed: 5 });
    await purge();
    await MonitorEntity.delete({ monitorId: m.monitorId }).go();
  });

  it("fans a window out once even when the tick fires twice", async () => {
    const m = await createMonitorFixture({ intervalSec: 60, offsetSec: 0 });
    const time = new Date((Math.floor(Date.now() / 60000) - 120) * 60000).toISOString(); // late: two hours ago
    const first = await tick({ time });
    const second = await tick({ time });
    expect(first.skipped).toBe(false);
    expect(first.jobs).toBeGreaterThanOrEqual(1);
    expect(second.skipped).toBe(true);
    expect(second.jobs).toBe(0);
    const counts = await queueCounts();
    expect(counts.visible + counts.delayed).toBe(first.sqsRequests > 0 ? Math.ceil(first.jobs / 10) : 0);
    await purge();
    await MonitorEntity.delete({ monitorId: m.monitorId }).go();
  });

  it("releases the window when fan-out fails, so the retried invocation does the work", async () => {
    const m = await createMonitorFixture({ intervalSec: 60, offsetSec: 0 });
    const windowStart = 1_950_000_000 - (1_950_000_000 % 60);
    const queueUrl = process.env.CHECKS_QUEUE_URL!;
    process.env.CHECKS_QUEUE_URL = queueUrl.replace(/[^/]+$/, "no-such-queue");
    reloadConfig();
    try {
      await expect(Tick.run(windowStart * 1000, windowStart * 1000)).rejects.toThrow();
    } finally {
      process.env.CHECKS_QUEUE_URL = queueUrl;
      reloadConfig();
    }
    const retried = await Tick.run(windowStart * 1000, windowStart * 1000);
    expect(retried.skipped).toBe(false);
    expect(retried.jobs).toBe(1);
    await purge();
    await MonitorEntity.delete({ monitorId: m.monitorId }).go();
  });

  it("looks ahead: a late tick fans out the next window with each job delayed to its slot, and the next tick skips it", async () => {
    const saved = process.env.TICK_LOOKAHEAD;
    process.env.TICK_LOOKAHEAD = "true";
    reloadConfig();
    try {
      const m = await createMonitorFixture({ intervalSec: 60, offsetSec: 2 });
      const windowStart = Math.floor(Date.now() / 60000) * 60 + 1200; // a future window, so no delay is clipped
      // The rule fires 5 s into the minute: its own window's slot (second 2) has passed, the next one's has not.
      const first = await Tick.onSchedule(windowStart * 1000, (windowStart + 5) * 1000);
      expect([first.own.windowStart, first.own.skipped, first.own.jobs]).toEqual([windowStart, false, 1]);
      expect([first.next?.windowStart, first.next?.skipped, first.next?.jobs]).toEqual([windowStart + 60, false, 1]);
      // Own window: due 3 s ago, sent at once; the next window's slot: delayed 57 s.
      expect(await queueCounts()).toEqual({ visible: 1, delayed: 1 });
      const second = await Tick.onSchedule((windowStart + 60) * 1000, (windowStart + 65) * 1000);
      expect(second.own.skipped).toBe(true);
      expect(second.next?.windowStart).toBe(windowStart + 120);
      await purge();
      await MonitorEntity.delete({ monitorId: m.monitorId }).go();
    } finally {
      if (saved === undefined) delete process.env.TICK_LOOKAHEAD;
      else process.env.TICK_LOOKAHEAD = saved;
      reloadConfig();
    }
  });

  it("skips paused monitors", async () => {
    const m = await createMonitorFixture({ intervalSec: 60, offsetSec: 30, paused: true });
    const windowStart = 1_900_000_000 - (1_900_000_000 % 60);
    const report = await Tick.run(windowStart * 1000, windowStart * 1000);
    expect(report.itemsRead).toBe(0);
    await MonitorEntity.delete({ monitorId: m.monitorId }).go();
  });
});
