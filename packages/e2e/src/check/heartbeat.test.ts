import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { HeartbeatEntity } from "@uptime/core/heartbeat/entity";
import { Incident } from "@uptime/core/incident/incident";
import { MonitorEntity } from "@uptime/core/monitors/entity";
import { heartbeatKeys } from "@uptime/core/schedule/due-index";
import { watchDynamo } from "@uptime/core/platform/table";
import { MembershipEntity } from "@uptime/core/orgs/entity";
import { inOrg } from "../kit/orgs";
import { Tick } from "@uptime/core/schedule/tick";
import { createUser, type TestUser } from "../kit/test-users";

let stack: TestStack;
let ada: TestUser;

beforeAll(async () => {
  stack = await startTestStack({ env: { HEARTBEAT_PINGS_PER_MINUTE: "5" } });
  ada = await createUser(stack);
});
afterAll(async () => {
  await stack?.stop();
});

async function createHeartbeat(overrides: Record<string, unknown> = {}) {
  const res = await ada.call("POST", "/v1/monitors", { type: "heartbeat", name: "Nightly backup", periodSec: 60, graceSec: 0, ...overrides });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; status: string; heartbeat: { pingUrl: string; schedule: string } };
}

const tokenOf = (m: { heartbeat: { pingUrl: string } }) => m.heartbeat.pingUrl.split("/ping/")[1];
/** A ping as a cron job sends it: no credentials, only the URL. */
const ping = (m: { heartbeat: { pingUrl: string } }, suffix = "", init: RequestInit = {}) => fetch(`${stack.apiUrl}/ping/${tokenOf(m)}${suffix}`, init);
const monitor = async (id: string) => (await ada.call("GET", `/v1/monitors/${id}`)).body;
const mailsFor = async (name: string) => (await stack.emails()).filter((e: any) => String(e.subject).includes(name));

/** Each sweep claims a window of its own (a window is fanned out once), with the real clock as now. */
let window = Math.ceil(Date.now() / 60_000) * 60_000 + 3600_000;
async function tick() {
  window += 60_000;
  const report = await Tick.run(window, Date.now());
  await stack.drainQueues();
  return report.heartbeats!;
}

/** As if the schedule's deadline had just passed without a ping (the period is a minute; the test does not wait it out). */
async function lapse(m: { heartbeat: { pingUrl: string } }) {
  // A deadline after the last ping (results are ordered by time) and in a second the sweep counts as passed.
  await new Promise((r) => setTimeout(r, 2100));
  const deadline = Date.now() - 1000;
  await HeartbeatEntity.patch({ pingToken: tokenOf(m) })
    .set({ expectedAt: deadline, deadline, ...heartbeatKeys(deadline, false) })
    .go();
}

/** The DynamoDB requests `fn` makes (the API runs in this process, on the same client). */
async function dynamoCalls<T>(fn: () => Promise<T>): Promise<{ calls: string[]; result: T }> {
  const calls: string[] = [];
  const stop = watchDynamo((command, input, next) => {
    calls.push(command.replace(/Command$/, ""));
    return next(input);
  });
  try {
    return { calls, result: await fn() };
  } finally {
    stop();
  }
}

describe("heartbeat monitors", () => {
  it("stays up while pinged, goes down with the DOWN mail when pings stop past grace, recovers on the next ping", async () => {
    const m = await createHeartbeat({ name: "Backup job", cron: "0 3 * * *", timeZone: "Europe/Berlin", periodSec: undefined, graceSec: 600 });
    expect(m.status).toBe("pending");
    expect(m.heartbeat.schedule).toBe("at 03:00 every day, Europe/Berlin");
    expect(m.heartbeat.pingUrl).toMatch(new RegExp(`^${stack.apiUrl}/ping/[A-Za-z0-9_-]{24}$`));

    const first = await ping(m);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ ok: true, kind: "success" });
    expect((await monitor(m.id)).status).toBe("up");

    // Pinged on time: the sweep reads nothing at all.
    expect(await tick()).toMatchObject({ itemsRead: 0, missed: 0 });
    expect((await monitor(m.id)).status).toBe("up");

    await lapse(m);
    expect(await tick()).toMatchObject({ itemsRead: 1, missed: 1, jobs: 1 });
    const down = await monitor(m.id);
    expect(down.status).toBe("down");
    expect(down.lastError).toMatch(/^no ping by .*; last ping /);
    const downMails = await mailsFor("Backup job");
    expect(downMails.map((e: any) => e.subject.slice(0, 6))).toEqual(["[DOWN]"]);
    expect(downMails[0].body.text).toContain("no ping by");
    // Where an HTTP monitor's mail shows its URL, a heartbeat's shows its schedule.
    expect(downMails[0].body.text).toContain("Schedule: heartbeat, at 03:00 every day, Europe/Berlin");
    // A second sweep finds it filed under its next deadline: nothing more is read or mailed.
    expect(await tick()).toMatchObject({ itemsRead: 0, missed: 0 });

    const back = await ping(m, "", { method: "POST", body: "backup done: 42 GB" });
    expect(back.status).toBe(200);
    const up = await monitor(m.id);
    expect(up.status).toBe("up");
    expect(await Incident.get(down.openIncidentId)).toMatchObject({ status: "resolved" });
    await stack.drainQueues();
    expect((await mailsFor("Backup job")).map((e: any) => e.subject.slice(0, 11)).sort()).toEqual(["[DOWN] Back", "[RECOVERED]"]);

    const pings = (await ada.call("GET", `/v1/monitors/${m.id}/pings`)).body;
    expect(pings.data.map((p: any) => [p.kind, p.method, p.log])).toEqual([
      ["success", "POST", "backup done: 42 GB"],
      ["success", "GET", null],
    ]);
    expect(pings.state.healthy).toBe(true);
    // "Check now" of a heartbeat shows its last ping instead of probing anything.
    const now = (await ada.call("POST", `/v1/monitors/${m.id}/check`)).body;
    expect(now.result).toMatchObject({ ok: true, kind: "manual" });
    expect(now.result.message).toMatch(/^last ping: success at /);
  });

  it("fails a run that reported its start and never its end within the grace time, and times a run that did", async () => {
    const m = await createHeartbeat({ name: "Report run", graceSec: 1 });
    expect((await ping(m, "/start")).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1200));
    expect((await ping(m, "/0")).status).toBe(200);
    const timed = (await ada.call("GET", `/v1/monitors/${m.id}/pings`)).body.data[0];
    expect(timed.kind).toBe("success");
    expect(timed.durationMs).toBeGreaterThanOrEqual(1000);

    expect((await ping(m, "/start", { method: "HEAD" })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2200)); // past start + grace, into a later second
    expect(await tick()).toMatchObject({ missed: 1 });
    const down = await monitor(m.id);
    expect(down.status).toBe("down");
    expect(down.lastError).toMatch(/^started but did not finish within the 1 s grace time/);
  });

  it("goes down at once on /fail or a non-zero exit code, with the code in the mail", async () => {
    const m = await createHeartbeat({ name: "Exit code job" });
    await ping(m);
    expect((await ping(m, "/3", { method: "POST", body: "disk full" })).status).toBe(200);
    const down = await monitor(m.id);
    expect(down.status).toBe("down");
    await stack.drainQueues();
    const [mail] = await mailsFor("Exit code job");
    expect(mail.subject).toContain("[DOWN]");
    expect(mail.body.text).toContain("exit code 3");
    expect((await ping(m, "/0")).status).toBe(200);
    expect((await monitor(m.id)).status).toBe("up");
    expect((await ping(m, "/fail")).status).toBe(200);
    expect((await monitor(m.id)).status).toBe("down");
  });

  it("rate-limits pings per token with 429 and Retry-After, so a looping job cannot run up the bill", async () => {
    const m = await createHeartbeat({ name: "Looping job" });
    const other = await createHeartbeat({ name: "Quiet job" });
    // Five per clock minute here: start early enough in a minute that all six land in it.
    if (Date.now() % 60_000 > 50_000) await new Promise((r) => setTimeout(r, 60_000 - (Date.now() % 60_000) + 100));
    for (let i = 0; i < 5; i++) expect((await ping(m)).status).toBe(200);
    const refused = await ping(m);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused.json()) as any).error.code).toBe("too_many_pings");
    // Once refused, the rest of the minute is refused without touching the table.
    const again = await dynamoCalls(() => ping(m));
    expect(again.result.status).toBe(429);
    expect(again.calls).toEqual([]);
    // The budget is the token's own.
    expect((await ping(other)).status).toBe(200);
    expect((await ada.call("GET", `/v1/monitors/${m.id}/pings`)).body.data).toHaveLength(5);
  });

  it("costs one conditional write per ping (one read before it), and one more write only for a body", async () => {
    const m = await createHeartbeat({ name: "Counted job" });
    await ping(m); // the first good ping settles the monitor up: the rare path, not counted
    const counted = async (...args: Parameters<typeof ping>) => {
      const { calls, result } = await dynamoCalls(() => ping(...args));
      expect(result.status).toBe(200);
      return calls.sort();
    };
    expect(await counted(m)).toEqual(["GetItem", "UpdateItem"]);
    expect(await counted(m, "/start", { method: "HEAD" })).toEqual(["GetItem", "UpdateItem"]);
    expect(await counted(m, "/0", { method: "POST", body: "3 files copied" })).toEqual(["GetItem", "PutItem", "UpdateItem"]);
    const [finish] = (await ada.call("GET", `/v1/monitors/${m.id}/pings`)).body.data;
    expect(finish).toMatchObject({ kind: "success", exitCode: 0, method: "POST", log: "3 files copied" });
    expect(finish.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("answers unknown tokens and signals with clear errors, and keeps at most 10 KB of a log", async () => {
    expect((await fetch(`${stack.apiUrl}/ping/AAAAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    const m = await createHeartbeat({ name: "Chatty job" });
    const bad = await ping(m, "/restart");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.code).toBe("invalid_signal");
    expect((await ping(m, "", { method: "POST", body: "x".repeat(50_000) })).status).toBe(200);
    const [p] = (await ada.call("GET", `/v1/monitors/${m.id}/pings`)).body.data;
    expect(p.log).toHaveLength(10 * 1024);
    expect(p.logTruncated).toBe(true);
  });

  it("obeys pause: neither a passed deadline nor a failure ping of a paused heartbeat opens anything", async () => {
    const m = await createHeartbeat({ name: "Paused job" });
    await ping(m);
    expect((await ada.call("PATCH", `/v1/monitors/${m.id}`, { paused: true })).status).toBe(200);
    expect((await ping(m, "/fail")).status).toBe(200);
    await lapse(m);
    expect(await tick()).toMatchObject({ missed: 0 });
    expect((await monitor(m.id)).status).toBe("paused");
    expect((await mailsFor("Paused job")).length).toBe(0);
  });

  it("obeys maintenance: a deadline missed while muted is recorded but opens no incident and sends no mail", async () => {
    const m = await createHeartbeat({ name: "Muted job" });
    await ping(m);
    await MonitorEntity.patch({ monitorId: m.id }).set({ maintenanceUntil: Date.now() + 3600_000 }).go();
    await lapse(m);
    expect(await tick()).toMatchObject({ missed: 1, jobs: 1 });
    expect((await monitor(m.id)).status).toBe("up");
    const [result] = (await ada.call("GET", `/v1/monitors/${m.id}/results?limit=1`)).body.data;
    expect(result).toMatchObject({ ok: false, reason: "timeout", inMaintenance: true });
    expect(await mailsFor("Muted job")).toHaveLength(0);
  });

  it("deletes a heartbeat's ping URL with its monitor, and sweeps away one a broken delete left behind", async () => {
    const deleted = await createHeartbeat({ name: "Deleted job" });
    expect((await ada.call("DELETE", `/v1/monitors/${deleted.id}`)).status).toBe(204);
    expect((await ping(deleted)).status).toBe(404);

    const orphan = await createHeartbeat({ name: "Orphaned job" });
    await MonitorEntity.delete({ monitorId: orphan.id }).go(); // as if the delete stopped before its last steps
    await lapse(orphan);
    expect(await tick()).toMatchObject({ missed: 1, jobs: 0 });
    expect((await HeartbeatEntity.get({ pingToken: tokenOf(orphan) }).go()).data).toBeNull();
  });

  it("shows the ping URL only to those who may change the monitor, and no probe settings to anyone", async () => {
    const orgId = (await ada.call("POST", "/v1/orgs", { name: "Backups team" })).body.id as string;
    const viewer = await createUser(stack);
    const viewerId = (await viewer.call("GET", "/v1/me")).body.id as string;
    await MembershipEntity.put({ orgId, userId: viewerId, email: viewer.email, role: "viewer", joinedAt: Date.now() }).go();
    const asAda = inOrg(stack, ada, orgId);
    const asViewer = inOrg(stack, viewer, orgId);
    const created = (await asAda("POST", "/v1/monitors", { type: "heartbeat", name: "Team backup", periodSec: 3600 })).body;
    expect(created.heartbeat.pingUrl).toMatch(/\/ping\/[A-Za-z0-9_-]{24}$/);
    expect((await asAda("GET", `/v1/monitors/${created.id}`)).body.heartbeat.pingUrl).toBe(created.heartbeat.pingUrl);

    const seen = (await asViewer("GET", `/v1/monitors/${created.id}`)).body;
    expect(seen.heartbeat).toMatchObject({ pingUrl: null, schedule: "every hour" });
    const listed = (await asViewer("GET", "/v1/monitors")).body.data.find((m: any) => m.id === created.id);
    expect(listed.heartbeat.pingUrl).toBeNull();
    expect((await asViewer("GET", `/v1/monitors/${created.id}/pings`)).status).toBe(200);

    // Nothing probes a heartbeat: the timeout, interval and retry thresholds it stores are not shown as settings.
    for (const key of ["timeoutMs", "intervalSec", "failureThreshold", "recoveryThreshold", "retryIntervalSec", "url", "method"]) {
      expect(created, key).not.toHaveProperty(key);
      expect(seen, key).not.toHaveProperty(key);
    }
  });

  it("validates heartbeat settings on create and update", async () => {
    const bad = await ada.call("POST", "/v1/monitors", { type: "heartbeat", name: "x", cron: "0 3 * *", timeZone: "Mars/Base" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.path).sort()).toEqual(["cron", "timeZone"]);
    expect((await ada.call("POST", "/v1/monitors", { type: "heartbeat", name: "x", periodSec: 60, cron: "0 3 * * *" })).status).toBe(400);
    expect((await ada.call("POST", "/v1/monitors", { type: "heartbeat", name: "x", periodSec: 60, url: "https://example.com" })).status).toBe(400);
    const m = await createHeartbeat({ name: "Rescheduled job" });
    expect((await ada.call("PATCH", `/v1/monitors/${m.id}`, { url: "https://example.com" })).status).toBe(400);
    const moved = await ada.call("PATCH", `/v1/monitors/${m.id}`, { cron: "30 2 * * 1", timeZone: "America/New_York" });
    expect(moved.status).toBe(200);
    expect(moved.body.heartbeat).toMatchObject({ cron: "30 2 * * 1", periodSec: null, schedule: "at 02:30 every Monday, America/New_York" });
    expect(moved.body.target).toBe("heartbeat, at 02:30 every Monday, America/New_York");
  });
});
