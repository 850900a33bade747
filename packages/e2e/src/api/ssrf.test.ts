import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type TestStack, type Target } from "@uptime/local/testing";
import { Checker } from "@uptime/core/check/checker";
import { CheckJob } from "@uptime/core/check/check-job";
import { Monitor } from "@uptime/core/monitors/monitor";
import { Channel } from "@uptime/core/channels/channel";
import { ChannelEntity } from "@uptime/core/channels/entity";
import { ChannelSecrets } from "@uptime/core/channels/secrets";
import { createUser, type TestUser } from "../kit/test-users";

// As deployed: private targets are refused. (npm start and the other tests allow loopback.)
let stack: TestStack;
let target: Target;
let user: TestUser;
beforeAll(async () => {
  stack = await startTestStack({ env: { ALLOW_PRIVATE_TARGETS: "false" } });
  target = await startTarget();
  user = await createUser(stack);
});
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});

describe("server-side request forgery guard", () => {
  it.each([
    "http://127.0.0.1/",
    "http://localhost:8080/admin",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/",
    "http://192.168.1.1/",
    "http://[::1]/",
    "http://[fd00::1]/",
    "http://2130706433/",
  ])("refuses %s at creation with 400 blocked_target", async (url) => {
    const res = await user.call("POST", "/v1/monitors", { name: "sneaky", url });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("blocked_target");
  });

  it("refuses a private target on update too", async () => {
    const created = await user.call("POST", "/v1/monitors", { name: "fine", url: "https://example.com/", paused: true });
    expect(created.status).toBe(201);
    const res = await user.call("PATCH", `/v1/monitors/${created.body.id}`, { url: "http://127.0.0.1:22/" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("blocked_target");
  });

  it("records a check whose target resolves to a private address as a failed check with reason blocked_target", async () => {
    // A monitor stored before the rule (or whose DNS changed since): the checker re-checks after resolution.
    const created = await user.call("POST", "/v1/monitors", { name: "rebound", url: "https://example.com/", paused: true });
    const monitor = (await Monitor.get(created.body.id))!;
    const job = { monitor: { ...CheckJob.snapshotOf(monitor), url: target.url.replace("127.0.0.1", "localhost") }, dueAt: Date.now(), kind: "scheduled" as const };
    const out = await Checker.runJob(job);
    expect(out.result).toMatchObject({ ok: false, reason: "blocked_target" });
    expect(target.hits).toHaveLength(0);
  });
});

describe("TCP hosts and DNS resolvers obey the same rules", () => {
  it.each(["127.0.0.1", "localhost", "169.254.169.254", "10.0.0.5", "::1", "fd00::1"])("refuses TCP host %s with 400 blocked_target", async (host) => {
    const res = await user.call("POST", "/v1/monitors", { type: "tcp", name: "sneaky", host, port: 22 });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "blocked_target", message: expect.stringContaining("This host") });
  });

  it.each(["127.0.0.1:53", "169.254.169.253", "10.0.0.2", "[::1]:53", "[fd00::53]:5353"])("refuses DNS resolver %s with 400 blocked_target", async (resolver) => {
    const res = await user.call("POST", "/v1/monitors", { type: "dns", name: "sneaky", recordName: "example.com", resolver });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "blocked_target", message: expect.stringContaining("This resolver address") });
  });

  it("refuses them on update too", async () => {
    const tcp = await user.call("POST", "/v1/monitors", { type: "tcp", name: "db", host: "db.example.com", port: 5432, paused: true });
    expect(tcp.status).toBe(201);
    expect((await user.call("PATCH", `/v1/monitors/${tcp.body.id}`, { host: "127.0.0.1" })).body.error.code).toBe("blocked_target");
    const dns = await user.call("POST", "/v1/monitors", { type: "dns", name: "zone", recordName: "example.com", resolver: "1.1.1.1", paused: true });
    expect(dns.status).toBe(201);
    expect((await user.call("PATCH", `/v1/monitors/${dns.body.id}`, { resolver: "10.0.0.2" })).body.error.code).toBe("blocked_target");
  });

  it("at check time: a TCP host resolving to loopback and a private resolver are failed checks with reason blocked_target, nothing sent", async () => {
    const tcp = await user.call("POST", "/v1/monitors", { type: "tcp", name: "rebound db", host: "db.example.com", port: 5432, paused: true });
    const tcpMonitor = (await Monitor.get(tcp.body.id))!;
    const port = Number(new URL(target.url).port);
    const tcpJob = { monitor: { ...CheckJob.snapshotOf(tcpMonitor), host: "localhost", port }, dueAt: Date.now(), kind: "scheduled" as const };
    expect((await Checker.runJob(tcpJob)).result).toMatchObject({ ok: false, reason: "blocked_target" });
    expect(target.hits).toHaveLength(0);

    const dns = await user.call("POST", "/v1/monitors", { type: "dns", name: "rebound zone", recordName: "example.com", paused: true });
    const dnsMonitor = (await Monitor.get(dns.body.id))!;
    const dnsJob = { monitor: { ...CheckJob.snapshotOf(dnsMonitor), resolver: "127.0.0.1:53" }, dueAt: Date.now(), kind: "scheduled" as const };
    expect((await Checker.runJob(dnsJob)).result).toMatchObject({ ok: false, reason: "blocked_target" });
  });
});

describe("alert channels obey the same rules", () => {
  it.each([
    { type: "slack", url: "http://127.0.0.1:9000/hook" },
    { type: "webhook", url: "http://169.254.169.254/latest/meta-data/" },
    { type: "ntfy", url: "http://[::1]/alerts" },
    { type: "pagerduty", routingKey: "R0123456789abcdef0123456789abcde", eventsUrl: "http://10.0.0.5/v2/enqueue" },
  ])("refuses a $type channel aimed at a private address with 400 blocked_target", async (body) => {
    const res = await user.call("POST", "/v1/channels", { name: "sneaky", ...body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("blocked_target");
  });

  it("refuses to send to a channel whose address turned private after it was saved", async () => {
    const created = await user.call("POST", "/v1/channels", { name: "fine", type: "webhook", url: "https://example.com/hook" });
    expect(created.status).toBe(201);
    // As if its DNS changed since: the stored URL now names this machine.
    const res = await user.call("PATCH", `/v1/channels/${created.body.channel.id}`, { url: target.url.replace("127.0.0.1", "localhost") });
    expect(res.body.error.code).toBe("blocked_target");
    const channel = (await Channel.get(created.body.channel.id))!;
    const secrets = await ChannelSecrets.open(channel.channelId, channel.sealed);
    await ChannelEntity.patch({ channelId: channel.channelId })
      .set({ sealed: await ChannelSecrets.seal(channel.channelId, { ...secrets, url: target.url.replace("127.0.0.1", "localhost") }) })
      .go();
    const sent = await user.call("POST", `/v1/channels/${channel.channelId}/test`);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ ok: false, httpStatus: null });
    expect(sent.body.error).toMatch(/EBLOCKED/);
    expect(target.hits).toHaveLength(0);
  });
});
