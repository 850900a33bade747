/**
 * 3. Write and read cost per check: DynamoDB write and read units (from consumed capacity),
 * SQS requests and emails, for a fleet of 1-minute monitors through a whole outage:
 *   steady (all up) -> going down (first failure, retries, incident, DOWN email)
 *   -> failing with the incident open -> recovery (RECOVERED email),
 * plus the hourly rollup job amortised over the checks it summarises, and the stored bytes
 * per item the cost model needs for storage.
 *
 * Every step runs the deployed handlers (check consumer, alert consumer) on SQS events built
 * the way the queue delivers them. Retries are not waited for: the retry job the checker puts on
 * the queue (delayed 20 s) is rebuilt here exactly as Checker.runJob builds it and run at once;
 * alert events are received from the real (emulated) alerts queue. Budget: at most 1.1 write
 * units per check in steady state. Run alone: npx tsx bench/write-cost.ts
 */
import { DeleteMessageBatchCommand, PurgeQueueCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { sqs } from "@uptime/core/platform/aws";
import { CheckResult, type Result } from "@uptime/core/check/result";
import { ResultSlotEntity } from "@uptime/core/check/result-slots";
import { writeManyResults } from "@uptime/e2e/kit/test-history";
import { CheckJob } from "@uptime/core/check/check-job";
import { CheckRules } from "@uptime/core/check/rules";
import { config } from "@uptime/core/platform/config";
import { Monitor, MonitorEntity, type MonitorItem } from "@uptime/core/monitors/monitor";
import { History } from "@uptime/core/history/history";
import { RollupEntity } from "@uptime/core/history/rollup";
import { RollupJob } from "@uptime/core/history/rollup-job";
import { itemBytes } from "@uptime/core/platform/metering";
import { DAY, HOUR, floorTo } from "@uptime/core/platform/time";
import { DueIndex } from "@uptime/core/schedule/due-index";
import { startTarget, startTestStack } from "@uptime/local/testing";
import { toSqsRecord } from "@uptime/local/poller";
import { messagesOf, sqsEvent } from "@uptime/e2e/kit/check-messages";
import { rng } from "@uptime/e2e/kit/rng";
import { monitorItem, seatInCohorts, seedMonitors } from "./lib/fixtures";
import { confirmedRecipientFixtures } from "@uptime/e2e/kit/alert-recipients";
import { accumulator, installMeters, since, snapshot, sqsRequestCount, writeUnits, type Snapshot } from "./lib/meter";
import { commandFor, finish, fmt, log, type BenchResult, type Budget } from "./lib/report";

const NAME = "write-cost";
const FLEET = 20; // monitors going through the outage together
const STEADY_ROUNDS = 10;
const FAILING_ROUNDS = 5;
const ROLLUP_MONITORS = 5;
const BUDGET_WRU = 1.1;
/** DynamoDB adds this much per item to the billed storage size. */
const STORAGE_OVERHEAD = 100;
/** Where docs/architecture.md's cohort pages must bring it; one item per check cannot go below 1. */
const TARGET_WRU = 0.5;

export interface PhaseCost {
  phase: string;
  per: "check" | "incident";
  checks: number;
  count: number; // checks or incidents the figures are divided by
  wru: number;
  rru: number;
  gsiWru: number;
  sqsRequests: number;
  sqsBilled: number;
  emails: number;
  dynamoRequests: number;
}

export interface WriteCostData {
  phases: PhaseCost[];
  steadyWruPerCheck: number;
  steadyRruPerCheck: number;
  rollup: {
    wruPerCheck: number;
    rruPerCheck: number;
    fixedRruPerRun: number;
    runs: number;
    checks: number;
    hourItemBytes: number;
    dayItemBytes: number;
    /** Wall time of one hourly run per monitor in the table, ms. */
    msPerMonitorRun: number;
  };
  itemBytes: { healthyResult: number; failedResult: number; monitor: number };
  /** DynamoDB adds this much per item to the billed storage size. */
  storageOverheadBytes: number;
}

const per = (s: Snapshot, n: number) => ({
  wru: writeUnits(s.dynamo) / n,
  rru: s.dynamo.readUnits / n,
  gsiWru: s.dynamo.gsiWriteUnits / n,
  sqsRequests: sqsRequestCount(s.sqs) / n,
  sqsBilled: (s.sqs.billedSendRequests + sqsRequestCount(s.sqs) - (s.sqs.requests.SendMessageBatchCommand ?? 0) - (s.sqs.requests.SendMessageCommand ?? 0)) / n,
  dynamoRequests: Object.values(s.dynamo.requests).reduce((a, b) => a + b, 0) / n,
});

/** The slot of the k-th retry after a scheduled failure at `first`, by the checker's own rule. */
function retryChainSlot(m: MonitorItem, first: number, k: number): number {
  let at = first;
  for (let i = 0; i < k; i++) {
    const next = CheckRules.retrySlot(m, { at, kind: i === 0 ? "scheduled" : "retry" }, { newest: true, ownsResult: true });
    if (next === undefined) throw new Error(`monitor ${m.monitorId} schedules no retry: the bench expects retryIntervalSec < intervalSec`);
    at = next;
  }
  return at;
}

async function main() {
  const started = Date.now();
  const stack = await startTestStack({ pollers: false, log: () => {} });
  const target = await startTarget({ status: 200, body: "ok" });
  try {
    installMeters();
    const { handler: checkConsumer } = await import("@uptime/functions/check/check-consumer");
    const { handler: alertConsumer } = await import("@uptime/functions/alert/alert-consumer");
    const phases: PhaseCost[] = [];

    // The fleet: 1-minute monitors with the defaults (threshold 3, retries every 20 s), already up.
    // One account's monitors created one after another: cohorts of 8, 8 and 4 (monitors/cohort.ts).
    const fleet = seatInCohorts(
      Array.from({ length: FLEET }, (_, i) => monitorItem({ intervalSec: 60, url: `${target.url}/site-${i}`, name: `Site ${i}`, alertEmails: [`ops-${i}@example.com`] })),
    );
    await seedMonitors(fleet);
    await confirmedRecipientFixtures(fleet); // their alert addresses receive mail
    const current = async () => Promise.all(fleet.map(async (m) => (await Monitor.get(m.monitorId))!));

    let slot = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000; // an hour ago, minute-aligned
    type Acc = ReturnType<typeof accumulator>;
    // Only the handler invocations are metered: reading the monitors to build the jobs is the
    // tick's work (already counted in the fan-out bench), not the checker's.
    const runChecks = async (acc: Acc, monitors: MonitorItem[], kind: CheckJob.Job["kind"], dueAt: (m: MonitorItem) => number) => {
      const jobs: CheckJob.Job[] = monitors.map((m) => ({ monitor: CheckJob.snapshotOf(m), dueAt: dueAt(m), kind }));
      const event = sqsEvent(messagesOf(jobs));
      const res = await acc.run(() => checkConsumer(event as any));
      if (res.batchItemFailures.length) throw new Error(`check consumer failed ${res.batchItemFailures.length} messages`);
      return jobs.length;
    };
    // Alert events go through the real FIFO queue: receive them and run the alert consumer.
    const runAlerts = async (acc: Acc) => {
      let handled = 0;
      for (;;) {
        // receive and delete stand in for Lambda's event source mapping: metered too, as SQS requests
        const { Messages } = await acc.run(() => sqs().send(
          new ReceiveMessageCommand({ QueueUrl: config().ALERTS_QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ["All"] }),
        ));
        if (!Messages?.length) return handled;
        const event = { Records: Messages.map((m) => toSqsRecord(m, "arn:aws:sqs:us-east-1:000000000000:alerts.fifo", "us-east-1")) };
        const res = await acc.run(() => alertConsumer(event as any));
        if (res.batchItemFailures.length) throw new Error("alert consumer failed");
        await acc.run(() =>
          sqs().send(
            new DeleteMessageBatchCommand({
              QueueUrl: config().ALERTS_QUEUE_URL,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
            }),
          ),
        );
        handled += Messages.length;
      }
    };
    // Retries the checker enqueued (delayed 20 s) are rebuilt and run directly; drop the queued copies.
    const purgeChecks = () => sqs().send(new PurgeQueueCommand({ QueueUrl: config().CHECKS_QUEUE_URL }));
    const emailsNow = async () => (await stack.emails()).length;

    const record = (phase: string, unit: PhaseCost["per"], checks: number, count: number, used: Snapshot, emails: number) => {
      phases.push({ phase, per: unit, checks, count, ...per(used, count), emails: emails / count });
    };

    // -- steady: every check passes
    let acc = accumulator();
    let checks = 0;
    for (let r = 0; r < STEADY_ROUNDS; r++) {
      slot += 60_000;
      checks += await runChecks(acc, await current(), "scheduled", () => slot);
    }
    record("Steady state (all up)", "check", checks, checks, acc.total, 0);
    log(NAME, `steady: ${fmt(phases[0]!.wru, 4)} WRU, ${fmt(phases[0]!.rru, 4)} RRU per check`);

    // -- the same for 10-second monitors: their jobs are made up to a minute ahead, so the checker may treat them differently
    const fast = seatInCohorts(Array.from({ length: FLEET }, (_, i) => monitorItem({ intervalSec: 10, url: `${target.url}/fast-${i}`, name: `Fast ${i}` })));
    await seedMonitors(fast);
    acc = accumulator();
    checks = 0;
    for (let r = 0; r < STEADY_ROUNDS; r++) {
      slot += 10_000;
      checks += await runChecks(acc, fast, "scheduled", () => slot);
    }
    record("Steady state, 10-second monitors (all up)", "check", checks, checks, acc.total, 0);

    // -- going down: scheduled failure, two confirming retries 20 s apart, incident, DOWN email
    target.set({ status: 503, body: "down" });
    acc = accumulator();
    let emails0 = await emailsNow();
    checks = 0;
    slot += 60_000;
    const firstFail = slot;
    checks += await runChecks(acc, await current(), "scheduled", () => firstFail);
    for (let k = 1; k <= 2; k++) {
      // as Checker.runJob enqueues it: a fresh snapshot, at the slot the checker's retry rule names
      const monitors = await current();
      checks += await runChecks(acc, monitors, "retry", (m) => retryChainSlot(m, firstFail, k));
    }
    await runAlerts(acc);
    record("Going down (3 failing checks, incident opened, DOWN email)", "incident", checks, FLEET, acc.total, (await emailsNow()) - emails0);
    await purgeChecks();
    const downs = (await current()).filter((m) => m.openIncidentId).length;
    if (downs !== FLEET) throw new Error(`expected ${FLEET} open incidents, found ${downs}`);

    // -- failing while the incident is open
    acc = accumulator();
    checks = 0;
    for (let r = 0; r < FAILING_ROUNDS; r++) {
      slot += 60_000;
      checks += await runChecks(acc, await current(), "scheduled", () => slot);
    }
    record("Failing, incident open", "check", checks, checks, acc.total, 0);
    await purgeChecks();

    // -- recovery: the next scheduled check passes, the incident resolves, RECOVERED email
    target.set({ status: 200, body: "ok" });
    acc = accumulator();
    emails0 = await emailsNow();
    slot += 60_000;
    checks = await runChecks(acc, await current(), "scheduled", () => slot);
    await runAlerts(acc);
    record("Recovery (1 passing check, incident resolved, RECOVERED email)", "incident", checks, FLEET, acc.total, (await emailsNow()) - emails0);
    const stillDown = (await current()).filter((m) => m.openIncidentId).length;
    if (stillDown) throw new Error(`${stillDown} incidents still open after recovery`);
    log(NAME, `outage phases measured for ${FLEET} monitors`);

    // -- stored bytes per check (DynamoDB's size rule), for the storage line of the cost model: a
    // full cohort's slot item, healthy and failing, with DynamoDB's per-item overhead, shared by its entries
    const stored = async (m: CheckResult.Owner, ok: boolean) => (await CheckResult.list(m, { limit: 50 })).data.find((r) => r.ok === ok)!;
    const bytesPerResult = async (r: Result) => {
      const { data } = await ResultSlotEntity.get({ cohort: fleet[0]!.cohort!, at: r.at }).go();
      const entries = Object.keys(data!.e as object).length;
      return (itemBytes((ResultSlotEntity.put(data!).params() as any).Item) + STORAGE_OVERHEAD) / entries;
    };
    const healthy = await stored(fleet[0]!, true);
    const failed = await stored(fleet[0]!, false);
    const monitorBytes = itemBytes((MonitorEntity.put(fleet[0]!).params() as any).Item);

    // -- rollups: one day of 1-minute results for a few monitors, rolled up hour by hour as the job runs
    const day = floorTo(Date.now(), DAY) - 2 * DAY;
    const rollupMonitors = seatInCohorts(Array.from({ length: ROLLUP_MONITORS }, (_, i) => monitorItem({ intervalSec: 60, name: `Rolled ${i}`, ownerId: "bench-rolled" })));
    await seedMonitors(rollupMonitors);
    const r = rng(7);
    for (const m of rollupMonitors) {
      const items = [];
      for (let at = day; at < day + DAY; at += 60_000) {
        const ok = r() > 0.002;
        items.push({
          monitorId: m.monitorId,
          at,
          ok,
          ...(ok ? {} : { reason: "status_mismatch", message: "expected 200-399, got 503", httpStatus: 503 }),
          latencyMs: Math.round(80 + r() * 300),
          kind: "scheduled" as const,
          checkedAt: at + 250,
        });
      }
      await writeManyResults([m], items);
    }
    // What every run pays regardless of size: listing the monitors through the due index.
    const fixedBefore = snapshot();
    const listed = await DueIndex.allMonitors({ concurrency: config().ROLLUP_CONCURRENCY });
    const fixed = since(fixedBefore);
    const before = snapshot();
    const r0 = performance.now();
    for (let h = 0; h < 24; h++) await RollupJob.runHour(day + h * HOUR);
    // Wall time per monitor per run, for the rollup Lambda's duration (dynalite: an upper bound).
    const rollupMsPerMonitorRun = (performance.now() - r0) / 24 / listed.length;
    const rolled = since(before);
    const rollupChecks = ROLLUP_MONITORS * 1440;
    // The other monitors in the table (the fleet) have no results that day; their part of the
    // job is the listing (fixed cost) and one empty query each, subtracted below.
    const emptyQueries = (listed.length - ROLLUP_MONITORS) * 24 * 0.5; // each empty query: 0.5 RRU minimum
    const rollupRru = (rolled.dynamo.readUnits - 24 * fixed.dynamo.readUnits - emptyQueries) / rollupChecks;
    const rollupWru = writeUnits(rolled.dynamo) / rollupChecks;
    const hourItems = await History.readRollups(rollupMonitors[0]!.monitorId, "hour", day, day + DAY);
    const dayItems = await History.readRollups(rollupMonitors[0]!.monitorId, "day", day, day + DAY);
    const bytesOf = (i: any) => itemBytes((RollupEntity.put(i).params() as any).Item);
    const hourItemBytes = hourItems.reduce((s, i) => s + bytesOf(i), 0) / hourItems.length;
    const dayItemBytes = dayItems.length ? bytesOf(dayItems[0]) : NaN;
    log(NAME, `rollup: ${fmt(rollupWru, 3)} WRU, ${fmt(rollupRru, 3)} RRU per check`);

    const steady = phases[0]!;
    const data: WriteCostData = {
      phases,
      steadyWruPerCheck: steady.wru,
      steadyRruPerCheck: steady.rru,
      rollup: {
        wruPerCheck: rollupWru,
        rruPerCheck: rollupRru,
        fixedRruPerRun: fixed.dynamo.readUnits,
        runs: 24,
        checks: rollupChecks,
        hourItemBytes,
        dayItemBytes,
        msPerMonitorRun: rollupMsPerMonitorRun,
      },
      itemBytes: {
        healthyResult: await bytesPerResult(healthy),
        failedResult: await bytesPerResult(failed),
        monitor: monitorBytes,
      },
      storageOverheadBytes: STORAGE_OVERHEAD,
    };

    const steadyWithRollup = steady.wru + rollupWru;
    const steadyRow = steady;
    const fastRow = phases.find((p) => p.phase.startsWith("Steady state, 10-second"))!;
    const budgets: Budget[] = [
      {
        name: "Write units per check, steady state (checker + hourly rollup job)",
        limit: `≤ ${BUDGET_WRU}`,
        actual: `${fmt(steadyWithRollup, 4)} (${fmt(steady.wru, 4)} checker + ${fmt(rollupWru, 3)} rollup)`,
        pass: steadyWithRollup <= BUDGET_WRU,
      },
      {
        name: "Write units per healthy check, steady state (issue 22 target; stretch ≤ 0.2)",
        limit: `≤ ${TARGET_WRU}`,
        actual: fmt(steadyWithRollup, 4),
        pass: steadyWithRollup <= TARGET_WRU,
      },
      {
        // No read of the monitor (prompt recovery without a read); the cohort's live-figures item is
        // read once per cohort slot, eventually consistent: 0.5 RRU shared by up to 8 checks.
        name: "Read units per healthy check of a 10-second monitor (no monitor read; the cohort's live item, shared)",
        limit: "≤ 0.1",
        actual: fmt(fastRow.rru, 3),
        pass: fastRow.rru <= 0.1,
      },
    ];

    const row = (p: PhaseCost) => [
      p.phase,
      p.per === "check" ? "per check" : `per incident (${fmt(p.checks / p.count)} checks)`,
      fmt(p.wru, 4),
      fmt(p.gsiWru, 4),
      fmt(p.rru, 4),
      fmt(p.dynamoRequests, 3),
      fmt(p.sqsRequests, 3),
      fmt(p.emails, 3),
    ];
    const result: BenchResult<WriteCostData> = {
      name: NAME,
      title: "Write and read cost per check",
      command: commandFor(NAME),
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      tables: [
        {
          title: "DynamoDB units per check through an outage",
          intro:
            `${FLEET} one-minute monitors (failure threshold 3, retries every 20 s, one alert recipient each) go through an outage together; ` +
            `every step runs the deployed check-consumer and alert-consumer handlers. Units are DynamoDB's consumed capacity as dynalite reports it ` +
            `(GetItem/Query: 4 KB steps, halved when eventually consistent; writes: 1 KB steps), plus the index writes DynamoDB adds for items ` +
            `in global secondary indexes (monitor and incident items are in two each; dynalite does not report them) and refused conditional writes.`,
          columns: ["Phase", "Unit", "Write units", "of which index writes", "Read units", "DynamoDB requests", "SQS requests sent", "Emails"],
          rows: phases.map(row),
          notes: [
            `A healthy check of a healthy 1-minute monitor cost ${fmt(steadyRow.wru, 3)} write units and ${fmt(steadyRow.rru, 3)} read units in ${fmt(steadyRow.dynamoRequests, 3)} request(s): ` +
              "the conditional PutItem of its result (the slot key makes redelivery harmless). The steady-state budget applies to this row plus the rollup job.",
            `A 10-second monitor's healthy check cost ${fmt(fastRow.wru, 3)} WRU and ${fmt(fastRow.rru, 3)} RRU: its jobs are made up to a minute before they run, ` +
              "but a check that opens an incident queues fresh jobs for the rest of that minute (docs/architecture.md, \"Prompt recovery without a read\"), so a passing check trusts its snapshot.",
            "While failing with the incident open, each check also reads the monitor (consistent GetItem) to learn that an incident is already open.",
            "Going down: each failing check reads the monitor and the last 3 results (consistent), the first two enqueue a confirming retry; the third opens the incident (incident item + monitor update, each with 2 index writes) and publishes to the alerts queue; the alert consumer reads the incident, claims the notification, sends, and marks it sent.",
            "SQS requests are the sends made by the functions (retries, alert events) and the alert consumer's receive/delete here; the check queue's receive and delete are made by Lambda's event source mapping and are priced in the cost model.",
          ],
        },
        {
          title: "Hourly rollup job, amortised",
          intro:
            `One day of 1-minute results for ${ROLLUP_MONITORS} monitors, rolled up by running \`RollupJob.runHour\` for each of its 24 hours ` +
            `(24 hour items and 1 day item per monitor). The fixed part of every run (listing all monitors through the due index, ` +
            `${fmt(fixed.dynamo.readUnits)} RRU here) is shown separately; at scale it is one read of every monitor item per hour.`,
          columns: ["Write units per check", "Read units per check", "Hour item", "Day item", "Fixed RRU per run (this table)", "Run time per monitor"],
          rows: [[fmt(rollupWru, 3), fmt(rollupRru, 3), `${fmt(hourItemBytes)} B`, `${fmt(dayItemBytes)} B`, fmt(fixed.dynamo.readUnits), `${fmt(rollupMsPerMonitorRun)} ms`]],
        },
        {
          title: "Stored item sizes",
          intro: "DynamoDB's size rule (attribute names plus values) applied to the items as written; DynamoDB bills 100 bytes more per item for storage.",
          columns: ["Item", "Bytes"],
          rows: [
            ["Check result, passing (share of its cohort's slot item, per-item overhead included)", data.itemBytes.healthyResult],
            ["Check result, failing (share of its cohort's slot item, per-item overhead included)", data.itemBytes.failedResult],
            ["Monitor", data.itemBytes.monitor],
            ["Hour rollup (mean)", fmt(hourItemBytes)],
            ["Day rollup", fmt(dayItemBytes)],
          ],
        },
      ],
      budgets,
      data,
    };
    await target.stop();
    await stack.stop();
    finish(result);
  } catch (err) {
    await target.stop().catch(() => {});
    await stack.stop().catch(() => {});
    throw err;
  }
}

await main();
