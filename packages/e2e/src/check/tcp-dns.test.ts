import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { startDnsServer, type TestDnsServer } from "@uptime/core/check/dns-test-server";
import { Monitor } from "@uptime/core/monitors/monitor";
import { UserText } from "@uptime/core/platform/user-text";
import { createUser, type TestUser } from "../kit/test-users";

let stack: TestStack;
let dns: TestDnsServer;
let ada: TestUser;

beforeAll(async () => {
  stack = await startTestStack();
  dns = await startDnsServer();
  ada = await createUser(stack);
});
afterAll(async () => {
  await dns?.close();
  await stack?.stop();
});

async function createMonitor(body: Record<string, unknown>) {
  const res = await ada.call("POST", "/v1/monitors", { failureThreshold: 1, ...body });
  expect(res.status).toBe(201);
  await stack.drainQueues(); // the first check queued at creation
  return (await ada.call("GET", `/v1/monitors/${res.body.id}`)).body;
}

const checkNow = async (id: string) => {
  const res = await ada.call("POST", `/v1/monitors/${id}/check`);
  expect(res.status).toBe(200);
  return res.body as { result: any; monitor: any };
};

const mailsFor = async (monitorName: string) => {
  await stack.drainQueues();
  return (await stack.emails()).filter((e: any) => String(e.subject).includes(monitorName));
};

/** A TCP listener on loopback that can be closed and opened again on the same port. */
async function tcpPort() {
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  const open = (port = 0) =>
    new Promise<number>((resolve, reject) => {
      server = net.createServer((s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("data", (d) => s.write(`+PONG ${d}`));
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve((server!.address() as net.AddressInfo).port));
    });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server!.close(() => resolve());
    });
  return { port: await open(), open, close };
}

describe("a TCP monitor in the local stack", () => {
  it("goes down when the port closes, with a DOWN mail naming host:port, and recovers when it opens again", async () => {
    const tcp = await tcpPort();
    try {
      const m = await createMonitor({ type: "tcp", name: "Cache port", host: "127.0.0.1", port: tcp.port, send: "PING\r\n", expectReply: "PONG" });
      expect(m).toMatchObject({ type: "tcp", host: "127.0.0.1", port: tcp.port, target: `127.0.0.1:${tcp.port}`, status: "up" });

      await tcp.close();
      const down = await checkNow(m.id);
      expect(down.result).toMatchObject({ ok: false, reason: "connection_refused" });
      expect(down.monitor.status).toBe("down");
      const [mail] = await mailsFor("Cache port");
      expect(mail.subject).toContain("[DOWN]");
      expect(mail.body.text).toContain(`Target: ${UserText.defang(`127.0.0.1:${tcp.port}`)}`);
      expect(mail.body.text).toContain("connection_refused");

      await tcp.open(tcp.port);
      const up = await checkNow(m.id);
      expect(up.result.ok).toBe(true);
      expect(up.monitor.status).toBe("up");
      const mails = await mailsFor("Cache port");
      expect(mails.map((x: any) => x.subject.slice(0, x.subject.indexOf("]") + 1))).toEqual(["[DOWN]", "[RECOVERED]"]);
    } finally {
      await tcp.close().catch(() => {});
    }
  });
});

describe("a DNS monitor in the local stack, against the in-process DNS server", () => {
  it("goes down when the record changes away from the expected value, and recovers when it is back", async () => {
    dns.set("shop.example.test", "A", [{ address: "192.0.2.10" }]);
    const m = await createMonitor({ type: "dns", name: "Shop DNS", recordName: "shop.example.test", resolver: dns.address, expectedValues: ["192.0.2.10"] });
    expect(m).toMatchObject({ type: "dns", recordType: "A", match: "any", target: `shop.example.test A via ${dns.address}`, status: "up" });

    dns.set("shop.example.test", "A", [{ address: "192.0.2.99" }]);
    const down = await checkNow(m.id);
    expect(down.result).toMatchObject({ ok: false, reason: "answer_mismatch", message: "expected any of 192.0.2.10, got 192.0.2.99" });
    expect(down.monitor.status).toBe("down");
    const [mail] = await mailsFor("Shop DNS");
    expect(mail.subject).toContain("[DOWN]");
    expect(mail.body.text).toContain(`Target: ${UserText.defang(`shop.example.test A via ${dns.address}`)}`);

    dns.set("shop.example.test", "A", [{ address: "192.0.2.10" }]);
    expect((await checkNow(m.id)).monitor.status).toBe("up");
  });

  it("with alertOnChange, a changed answer fails once and becomes the answer compared next", async () => {
    dns.set("api.example.test", "CNAME", [{ domain: "old-lb.example.test" }]);
    const m = await createMonitor({ type: "dns", name: "API CNAME", recordName: "api.example.test", recordType: "CNAME", resolver: dns.address, alertOnChange: true });
    expect(m.status).toBe("up");
    expect((await Monitor.get(m.id))!.lastAnswer).toBe("old-lb.example.test");

    dns.set("api.example.test", "CNAME", [{ domain: "new-lb.example.test" }]);
    const changed = await checkNow(m.id);
    expect(changed.result).toMatchObject({ ok: false, reason: "answer_changed", message: "answer changed from old-lb.example.test to new-lb.example.test" });
    expect(changed.monitor.status).toBe("down");
    expect((await Monitor.get(m.id))!.lastAnswer).toBe("new-lb.example.test");

    expect((await checkNow(m.id)).monitor.status).toBe("up");
  });
});
