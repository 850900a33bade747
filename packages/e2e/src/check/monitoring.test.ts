import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SQSEvent } from "aws-lambda";
import { startTarget, startTestStack, type TestStack, type Target } from "@uptime/local/testing";
import { Alert } from "@uptime/core/alert/alert";
import { CheckResult } from "@uptime/core/check/result";
import { Checker } from "@uptime/core/check/checker";
import { CheckJob } from "@uptime/core/check/check-job";
import { Incident } from "@uptime/core/incident/incident";
import { Monitor } from "@uptime/core/monitors/monitor";
import { UserText } from "@uptime/core/platform/user-text";
import { createUser, type TestUser } from "../kit/test-users";
import { confirmRecipients } from "../kit/alert-recipients";
import * as MonitorApi from "../kit/monitor-api";
import { handler as checkConsumer } from "@uptime/functions/check/check-consumer";

let stack: TestStack;
let target: Target;
let ada: TestUser;

beforeAll(async () => {
  stack = await startTestStack({ env: { MANUAL_CHECK_MAX_MS: "800" } });
  target = await startTarget();
  ada = await createUser(stack);
});
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});
beforeEach(() => target.set({ status: 200, body: "all good" }));

// Confirming re-checks 5 s after a failure (the default is 20 s): each test's createMonitor drains
// the queues, delayed messages included, so a re-check left by an earlier test is waited for.
const createMonitor = (overrides: Record<string, unknown> = {}) =>
  MonitorApi.createMonitor(stack, ada, { name: "Shop", url: target.url, failureThreshold: 2, retryIntervalSec: 5, ...overrides });
const checkNow = (id: string) => MonitorApi.checkNow(ada, id);

const mailsFor = async (monitorName: string) =>
  (await stack.emails()).filter((e: any) => String(e.subject).includes(monitorName));

describe("incident lifecycle", () => {
  it("opens after the threshold, mails DOWN once, resolves on recovery, mails RECOVERED once", async () => {
    const m = await createMonitor({ name: "Lifecycle shop", failureThreshold: 2 });
    target.set({ status: 503 });

    const first = await checkNow(m.id);
    expect(first.result).toMatchObject({ ok: false, reason: "status_mismatch", httpStatus: 503 });
    expect(first.monitor.status).toBe("up"); // one failure is below the threshold
    const second = await checkNow(m.id);
    expect(second.monitor.status).toBe("down");
    expect(second.monitor.openIncidentId).toBeTruthy();

    await stack.drainQueues();
    let mails = await mailsFor("Lifecycle shop");
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toContain("[DOWN]");
    expect(mails[0].destination.to).toContain(ada.email);
    // The monitor's URL is its owner's words: shown, but never as a link (docs/security.md).
    expect(mails[0].body.text).toContain(UserText.defang(target.url));
    expect(mails[0].body.text).toContain("status_mismatch");
    expect(mails[0].body.text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(mails[0].body.html).toContain("DOWN");
    // The web app's monitor screen, in the monitor's organisation (here the personal one: the user's id).
    const me = (await ada.call("GET", "/v1/me")).body.id;
    expect(mails[0].body.text).toContain(`Details: ${stack.apiUrl}/monitors/${m.id}?org=${me}`);

    // Still down: no more mail.
    await checkNow(m.id);
    await stack.drainQueues();
    expect(await mailsFor("Lifecycle shop")).toHaveLength(1);

    target.set({ status: 200 });
    const recovered = await checkNow(m.id);
    expect(recovered.monitor.status).toBe("up");
    expect(recovered.monitor.openIncidentId).toBeNull();
    await stack.drainQueues();
    mails = await mailsFor("Lifecycle shop");
    expect(mails).toHaveLength(2);
    const recoveryMail = mails.find((e: any) => e.subject.includes("[RECOVERED]"));
    expect(recoveryMail?.body.text).toMatch(/Downtime: \d+/);

    const incident = await Incident.get(second.monitor.openIncidentId);
    expect(incident).toMatchObject({ status: "resolved" });
    expect(incident!.durationMs).toBeGreaterThan(0);
    const notes = await Alert.listForIncident(incident!.incidentId);
    expect(notes.map((n) => `${n.transition}:${n.recipient}:${n.status}`).sort()).toEqual([
      `opened:${ada.email}:sent`,
      `resolved:${ada.email}:sent`,
    ]);
  });

  it("honours recoveryThreshold", async () => {
    const m = await createMonitor({ name: "Slow healer", failureThreshold: 1, recoveryThreshold: 2 });
    target.set({ status: 500 });
    expect((await checkNow(m.id)).monitor.status).toBe("down");
    target.set({ status: 200 });
    expect((await checkNow(m.id)).monitor.status).toBe("down");
    expect((await checkNow(m.id)).monitor.status).toBe("up");
  });

  it("mails every alert recipient exactly once", async () => {
    const m = await createMonitor({ name: "Two readers", failureThreshold: 1, alertEmails: ["ops@example.com", "cto@example.com"] });
    await confirmRecipients(stack, ["ops@example.com", "cto@example.com"]);
    target.set({ status: 500 });
    await checkNow(m.id);
    await stack.drainQueues();
    const mails = await mailsFor("Two readers");
    expect(mails.flatMap((e: any) => e.destination.to).sort()).toEqual(["cto@example.com", "ops@example.com"]);
  });

  it("closes the open incident, without an email, when its monitor is deleted", async () => {
    const m = await createMonitor({ name: "Deleted while down", failureThreshold: 1 });
    target.set({ status: 500 });
    const incidentId = (await checkNow(m.id)).monitor.openIncidentId;
    await stack.drainQueues();
    expect((await ada.call("DELETE", `/v1/monitors/${m.id}`)).status).toBe(204);
    await stack.drainQueues();
    expect(await Incident.get(incidentId)).toMatchObject({ status: "resolved", closedReason: "monitor_deleted" });
    expect((await mailsFor("Deleted while down")).map((e: any) => e.subject.slice(0, 6))).toEqual(["[DOWN]"]);
  });

  it("notices recovery at once for a sub-minute monitor whose queued job predates the incident", async () => {
    const m = await createMonitor({ name: "Stale snapshot", intervalSec: 10, failureThreshold: 1 });
    const before = CheckJob.snapshotOf((await Monitor.get(m.id))!); // as the tick saw it: up
    // Clear of a tick window's last slot, after which the next tick's jobs carry the incident anyway.
    const toWindowEnd = 60_000 - (Date.now() % 60_000);
    if (toWindowEnd < 15_000) await new Promise((r) => setTimeout(r, toWindowEnd + 100));
    target.set({ status: 500 });
    const opened = await Checker.runNow((await Monitor.get(m.id))!);
    expect(opened.opened).toBeTruthy();
    expect(opened.refreshAt).toBeGreaterThan(opened.result.at);
    target.set({ status: 200 });
    // The job queued before the incident, for the next slot: stores its pass and, trusting its snapshot, reads nothing.
    const stale = await Checker.runJob({ monitor: before, dueAt: opened.refreshAt!, kind: "scheduled" });
    expect(stale).toMatchObject({ created: true, result: { ok: true } });
    expect(stale.resolved).toBeUndefined();
    // The fresh job the opening queued for the same slot acts on that stored pass: resolved as of that check.
    await stack.drainQueues();
    expect(await Incident.get(opened.opened!)).toMatchObject({ status: "resolved", resolvedAt: opened.refreshAt });
    expect((await Monitor.get(m.id))!.openIncidentId).toBeUndefined();
  });
});

describe("at-least-once delivery", () => {
  it("processes a redelivered message into one result, one incident and one email", async () => {
    const m = await createMonitor({ name: "Redelivered", failureThreshold: 1 });
    target.set({ status: 500 });
    const monitor = (await Monitor.get(m.id))!;
    const dueAt = Date.now() + 7;
    const message: CheckJob.Message = { v: 1, jobs: [{ monitor: CheckJob.snapshotOf(monitor), dueAt, kind: "scheduled" }] };
    const event = (receiveCount: number): SQSEvent => ({
      Records: [
        {
          messageId: "m-1",
          receiptHandle: "r",
          body: JSON.stringify(message),
          attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: "0", SenderId: "x", ApproximateFirstReceiveTimestamp: "0" },
          messageAttributes: {},
          md5OfBody: "",
          eventSource: "aws:sqs",
          eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:checks",
          awsRegion: "us-east-1",
        },
      ],
    });
    const hitsBefore = target.hits.length;
    expect(await checkConsumer(event(1))).toEqual({ batchItemFailures: [] });
    expect(await checkConsumer(event(2))).toEqual({ batchItemFailures: [] });
    expect(target.hits.length - hitsBefore).toBe(1); // the redelivery found the stored result and did not probe again
    await stack.drainQueues();

    const results = await CheckResult.list((await Monitor.get(m.id))!, { from: dueAt, to: dueAt });
    expect(results.data).toHaveLength(1);
    const incidents = await Incident.listByMonitor(m.id);
    expect(incidents.data).toHaveLength(1);
    expect(await mailsFor("Redelivered")).toHaveLength(1);

    // An alert event delivered again (past SQS's de-duplication window) sends nothing more.
    const again = await Alert.notify({ type: "incident.opened", incidentId: incidents.data[0]!.incidentId, monitorId: m.id, at: dueAt });
    expect(again.sent).toEqual([]);
    expect(await mailsFor("Redelivered")).toHaveLength(1);
  });

  it("a redelivered old failure never names the incident of a newer outage", async () => {
    const m = await createMonitor({ name: "Old news", failureThreshold: 2 });
    const snapshot = () => Monitor.get(m.id).then((x) => CheckJob.snapshotOf(x!));
    const t = Date.now();
    target.set({ status: 500 });
    await Checker.runJob({ monitor: await snapshot(), dueAt: t + 1, kind: "scheduled" });
    const opened = await Checker.runJob({ monitor: await snapshot(), dueAt: t + 2, kind: "scheduled" });
    expect(opened.opened).toBeTruthy();
    target.set({ status: 200 });
    expect((await Checker.runJob({ monitor: await snapshot(), dueAt: t + 3, kind: "scheduled" })).resolved).toBe(opened.opened);

    // A new outage's results are stored, but their jobs have not been evaluated yet...
    for (const at of [t + 4, t + 5]) {
      await CheckResult.record({ monitorId: m.id, at, ok: false, reason: "status_mismatch", latencyMs: 1, kind: "scheduled", checkedAt: at }, (await Monitor.get(m.id))!);
    }
    // ...when the job that opened the first incident is delivered again.
    await Checker.runJob({ monitor: await snapshot(), dueAt: t + 2, kind: "scheduled" }, { redelivered: true });
    expect((await Monitor.get(m.id))!.openIncidentId).not.toBe(opened.opened);
    // The new outage's own job opens its own incident.
    target.set({ status: 500 });
    const second = await Checker.runJob({ monitor: await snapshot(), dueAt: t + 5, kind: "scheduled" }, { redelivered: true });
    expect(second.opened).toBeTruthy();
    expect(second.opened).not.toBe(opened.opened);
  });

  it("fails only the message whose job threw", async () => {
    const good: CheckJob.Message = {
      v: 1,
      jobs: [{ monitor: CheckJob.snapshotOf((await Monitor.get((await createMonitor({ name: "Batch mate" })).id))!), dueAt: Date.now(), kind: "scheduled" }],
    };
    const record = (id: string, body: string) => ({
      messageId: id,
      receiptHandle: id,
      body,
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: "0", SenderId: "x", ApproximateFirstReceiveTimestamp: "0" },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:checks",
      awsRegion: "us-east-1",
    });
    const res = await checkConsumer({ Records: [record("ok", JSON.stringify(good)), record("poison", "{not json")] });
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: "poison" }]);
  });
});

describe("probe classification through the pipeline", () => {
  it("records a hanging target as a timeout", async () => {
    const m = await createMonitor({ name: "Hangs", timeoutMs: 300 });
    target.set({ hang: true });
    const { result } = await checkNow(m.id);
    expect(result).toMatchObject({ ok: false, reason: "timeout" });
    expect(result.latencyMs).toBeGreaterThanOrEqual(250);
  });

  it("caps a check run through the API below API Gateway's 30 s, whatever the monitor's timeout", async () => {
    const m = await createMonitor({ name: "Slow to hang", timeoutMs: 20000 });
    target.set({ hang: true });
    const { result } = await checkNow(m.id);
    expect(result).toMatchObject({ ok: false, reason: "timeout" });
    expect(result.latencyMs).toBeLessThan(5000);
  });

  it("applies keyword rules and status ranges", async () => {
    const contains = await createMonitor({ name: "Keyword", keyword: "all good" });
    const absent = await createMonitor({ name: "No error word", keyword: "error", keywordMode: "not-contains" });
    const redirects = await createMonitor({ name: "Range", expectedStatus: ["200-204", 418] });
    target.set({ status: 200, body: "something else" });
    expect((await checkNow(contains.id)).result).toMatchObject({ ok: false, reason: "keyword_mismatch" });
    expect((await checkNow(absent.id)).result.ok).toBe(true);
    target.set({ status: 200, body: "fatal error" });
    expect((await checkNow(absent.id)).result).toMatchObject({ ok: false, reason: "keyword_mismatch" });
    target.set({ status: 418, body: "teapot" });
    expect((await checkNow(redirects.id)).result.ok).toBe(true);
    target.set({ status: 205 });
    expect((await checkNow(redirects.id)).result).toMatchObject({ ok: false, reason: "status_mismatch" });
  });

  it("schedules a confirming re-check sooner than the interval after a first failure", async () => {
    const m = await createMonitor({ name: "Confirm", intervalSec: 300, retryIntervalSec: 5, failureThreshold: 2 });
    target.set({ status: 500 });
    const monitor = (await Monitor.get(m.id))!;
    const dueAt = Date.now();
    const out = await Checker.runJob({ monitor: CheckJob.snapshotOf(monitor), dueAt, kind: "scheduled" });
    expect(out.retryAt).toBe(dueAt + 5000);
    expect((await stack.queueCounts())[Object.keys(await stack.queueCounts()).find((n) => n.endsWith("-checks"))!]!.delayed).toBe(1);
  });
});
