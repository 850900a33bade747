import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Monitor, MonitorEntity } from "@uptime/core/monitors/monitor";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { createUser, type TestUser } from "../kit/test-users";

let stack: TestStack;
let ada: TestUser;

beforeAll(async () => {
  stack = await startTestStack();
  ada = await createUser(stack);
});
afterAll(async () => {
  await stack?.stop();
});

const tcp = { type: "tcp", name: "Postgres", host: "db.example.com", port: 5432, paused: true };
const dns = { type: "dns", name: "Apex", recordName: "example.com", recordType: "MX", expectedValues: ["10 mail.example.com"], paused: true };

describe("monitor types over the API", () => {
  it("creates each type with its defaults and shows its target", async () => {
    const http = await ada.call("POST", "/v1/monitors", { name: "Site", url: "https://example.com/", paused: true });
    expect(http.status).toBe(201);
    expect(http.body).toMatchObject({ type: "http", url: "https://example.com/", target: "https://example.com/" });

    const t = await ada.call("POST", "/v1/monitors", tcp);
    expect(t.status).toBe(201);
    expect(t.body).toMatchObject({ type: "tcp", host: "db.example.com", port: 5432, tls: false, send: null, expectReply: null, target: "db.example.com:5432", timeoutMs: 10000 });
    expect(t.body).not.toHaveProperty("url");

    const d = await ada.call("POST", "/v1/monitors", dns);
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({ type: "dns", recordType: "MX", resolver: null, match: "any", alertOnChange: false, target: "example.com MX" });

    const list = await ada.call("GET", "/v1/monitors");
    expect(list.body.data.map((m: any) => m.type)).toEqual(["http", "tcp", "dns"]);
    const dashboard = await ada.call("GET", "/v1/dashboard");
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.monitors.map((m: any) => [m.type, m.url])).toEqual([
      ["http", "https://example.com/"],
      ["tcp", "db.example.com:5432"],
      ["dns", "example.com MX"],
    ]);
  });

  it("reads a monitor stored before types existed as an HTTP monitor", async () => {
    const created = await ada.call("POST", "/v1/monitors", { name: "Legacy", url: "https://example.com/", paused: true });
    await MonitorEntity.patch({ monitorId: created.body.id }).remove(["type"]).go();
    expect((await Monitor.get(created.body.id))!.type).toBeUndefined();
    const res = await ada.call("GET", `/v1/monitors/${created.body.id}`);
    expect(res.body).toMatchObject({ type: "http", url: "https://example.com/", method: "GET" });
    const patched = await ada.call("PATCH", `/v1/monitors/${created.body.id}`, { keyword: "ok" });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ type: "http", keyword: "ok" });
  });

  it("refuses a PATCH that changes the type, saying why", async () => {
    const t = await ada.call("POST", "/v1/monitors", tcp);
    const res = await ada.call("PATCH", `/v1/monitors/${t.body.id}`, { type: "http", url: "https://example.com/" });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "type_immutable", message: expect.stringContaining("this one is a tcp monitor") });
    // sending its own type is no change
    expect((await ada.call("PATCH", `/v1/monitors/${t.body.id}`, { type: "tcp", port: 6432 })).body).toMatchObject({ type: "tcp", port: 6432 });
  });

  it("validates a PATCH's fields against the monitor's type", async () => {
    const t = await ada.call("POST", "/v1/monitors", tcp);
    const res = await ada.call("PATCH", `/v1/monitors/${t.body.id}`, { url: "https://example.com/", recordName: "example.com" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_error");
    expect(res.body.error.details).toEqual([
      expect.objectContaining({ path: "url", message: "does not apply to a tcp monitor" }),
      expect.objectContaining({ path: "recordName", message: "does not apply to a tcp monitor" }),
    ]);
    const bad = await ada.call("PATCH", `/v1/monitors/${t.body.id}`, { port: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe("port");

    const ok = await ada.call("PATCH", `/v1/monitors/${t.body.id}`, { tls: true, send: "PING", expectReply: "PONG" });
    expect(ok.body).toMatchObject({ tls: true, send: "PING", expectReply: "PONG", target: "db.example.com:5432 (TLS)" });
    const cleared = await ada.call("PATCH", `/v1/monitors/${t.body.id}`, { send: null, expectReply: null });
    expect(cleared.body).toMatchObject({ send: null, expectReply: null });
  });

  it("checks the joined DNS rules on PATCH, and forgets the last answer when the question changes", async () => {
    const d = await ada.call("POST", "/v1/monitors", { ...dns, expectedValues: [], alertOnChange: true });
    const none = await ada.call("PATCH", `/v1/monitors/${d.body.id}`, { match: "none" });
    expect(none.status).toBe(400);
    expect(none.body.error.details[0]).toMatchObject({ path: "expectedValues" });

    await MonitorEntity.patch({ monitorId: d.body.id }).set({ lastAnswer: "10 mail.example.com" }).go();
    await ada.call("PATCH", `/v1/monitors/${d.body.id}`, { name: "Renamed" });
    expect((await Monitor.get(d.body.id))!.lastAnswer).toBe("10 mail.example.com");
    await ada.call("PATCH", `/v1/monitors/${d.body.id}`, { recordType: "TXT" });
    expect((await Monitor.get(d.body.id))!.lastAnswer).toBeUndefined();
  });

  it("refuses an unknown type and another type's fields on create", async () => {
    const unknown = await ada.call("POST", "/v1/monitors", { type: "ftp", name: "x", url: "ftp://example.com" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("validation_error");
    const mixed = await ada.call("POST", "/v1/monitors", { ...tcp, url: "https://example.com/" });
    expect(mixed.status).toBe(400);
  });
});
