import { describe, expect, it } from "vitest";
import { Snapshot } from "../check/check-job";
import { CreateInput, UpdateInput, misfits, settingsOf, typeOf } from "./fields";

const common = { name: "Thing" };
const paths = (input: unknown) => {
  const r = CreateInput.safeParse(input);
  return r.success ? "ok" : r.error.issues.map((i) => i.path.join(".") || i.message).sort().join(" ");
};

describe("create input, per type", () => {
  it.each<[string, Record<string, unknown>, string]>([
    // HTTP: without a type, as before types existed
    ["http without type", { url: "https://example.com" }, "ok"],
    ["http with type", { type: "http", url: "https://example.com" }, "ok"],
    ["http without url", { type: "http" }, "url"],
    ["http with a tcp field", { url: "https://example.com", port: 80 }, 'Unrecognized key: "port"'],
    ["http keywordMode without keyword", { url: "https://example.com", keywordMode: "contains" }, "keywordMode"],
    // TCP
    ["tcp", { type: "tcp", host: "db.example.com", port: 5432 }, "ok"],
    ["tcp on an IPv6 literal", { type: "tcp", host: "2606:4700::1111", port: 53 }, "ok"],
    ["tcp with tls, send and expect", { type: "tcp", host: "mail.example.com", port: 465, tls: true, send: "EHLO x\r\n", expectReply: "250" }, "ok"],
    ["tcp without port", { type: "tcp", host: "db.example.com" }, "port"],
    ["tcp port out of range", { type: "tcp", host: "db.example.com", port: 70000 }, "port"],
    ["tcp host with a path", { type: "tcp", host: "db.example.com/x", port: 1 }, "host"],
    ["tcp host as a URL", { type: "tcp", host: "https://db.example.com", port: 1 }, "host"],
    ["tcp with an http field", { type: "tcp", host: "db.example.com", port: 1, url: "https://example.com" }, 'Unrecognized key: "url"'],
    ["tcp with an empty expected reply", { type: "tcp", host: "db.example.com", port: 1, expectReply: "" }, "expectReply"],
    // DNS
    ["dns, any answer", { type: "dns", recordName: "example.com" }, "ok"],
    ["dns with service label", { type: "dns", recordName: "_dmarc.example.com", recordType: "TXT", expectedValues: ["v=DMARC1; p=reject"] }, "ok"],
    ["dns via a resolver with port", { type: "dns", recordName: "example.com", resolver: "1.1.1.1:53" }, "ok"],
    ["dns via an IPv6 resolver", { type: "dns", recordName: "example.com", resolver: "[2606:4700::1111]:53" }, "ok"],
    ["dns resolver by name", { type: "dns", recordName: "example.com", resolver: "dns.google" }, "resolver"],
    ["dns unknown record type", { type: "dns", recordName: "example.com", recordType: "SRV" }, "recordType"],
    ["dns all without values", { type: "dns", recordName: "example.com", match: "all" }, "expectedValues"],
    ["dns none without values", { type: "dns", recordName: "example.com", match: "none" }, "expectedValues"],
    ["dns with a tcp field", { type: "dns", recordName: "example.com", port: 53 }, 'Unrecognized key: "port"'],
    // the union itself
    ["unknown type", { type: "ftp", url: "ftp://example.com" }, "type"],
  ])("%s → %s", (_name, input, expected) => {
    expect(paths({ ...common, ...input })).toBe(expected);
  });

  it("fills each type's defaults", () => {
    expect(settingsOf({ ...common, url: "https://example.com" }, "o@example.com")).toMatchObject({ type: "http", method: "GET", expectedStatus: ["200-399"] });
    const tcp = settingsOf({ ...common, type: "tcp", host: "DB.Example.com", port: 5432 }, "o@example.com");
    expect(tcp).toMatchObject({ type: "tcp", host: "db.example.com", tls: false, timeoutMs: 10000, alertEmails: ["o@example.com"] });
    expect(tcp).not.toHaveProperty("method");
    const dns = settingsOf({ ...common, type: "dns", recordName: "example.com" }, "o@example.com");
    expect(dns).toMatchObject({ type: "dns", recordType: "A", expectedValues: [], match: "any", alertOnChange: false });
    expect(dns).not.toHaveProperty("url");
  });
});

describe("update input", () => {
  it.each<[string, Record<string, unknown>, "http" | "tcp" | "dns", string[]]>([
    ["common field on any type", { name: "x", timeoutMs: 500 }, "tcp", []],
    ["http field on http", { url: "https://example.com" }, "http", []],
    ["tcp field on http", { port: 80 }, "http", ["port"]],
    ["http fields on tcp", { url: "https://example.com", keyword: "ok" }, "tcp", ["url", "keyword"]],
    ["dns fields on tcp", { recordName: "example.com", port: 53 }, "tcp", ["recordName"]],
    ["clearing a dns field on dns", { resolver: null }, "dns", []],
    ["clearing a tcp field on dns", { send: null }, "dns", ["send"]],
  ])("%s", (_name, update, type, wrong) => {
    UpdateInput.parse(update);
    expect(misfits(update, type).map((m) => m.path)).toEqual(wrong);
    for (const m of misfits(update, type)) expect(m.message).toBe(`does not apply to a ${type} monitor`);
  });

  it("checks each field by its own rule before the type is known", () => {
    expect(UpdateInput.safeParse({ port: 0 }).success).toBe(false);
    expect(UpdateInput.safeParse({ resolver: "not an address" }).success).toBe(false);
    expect(UpdateInput.safeParse({ type: "tcp" }).success).toBe(true);
  });
});

describe("stored monitors and queued jobs without a type", () => {
  it("read as HTTP", () => {
    expect(typeOf({})).toBe("http");
    expect(typeOf({ type: "dns" })).toBe("dns");
  });

  it("a job queued before types existed still parses, as an HTTP job", () => {
    const old = { monitorId: "m", url: "https://example.com", method: "GET", expectedStatus: ["200-399"], timeoutMs: 1000, intervalSec: 60, state: "up" };
    expect(Snapshot.parse(old)).toMatchObject({ type: "http", url: "https://example.com" });
  });
});
