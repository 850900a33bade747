import dgram from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DnsProbe } from "./probe-dns";
import type { DnsProbeRequest } from "./probe-types";
import { startDnsServer, type TestDnsServer } from "./dns-test-server";
import { setEnv, useProbeTestEnv } from "./probe-test-kit";

useProbeTestEnv();

let server: TestDnsServer;
beforeAll(async () => {
  server = await startDnsServer();
  server.set("example.test", "A", [{ address: "192.0.2.10" }, { address: "192.0.2.11" }]);
  server.set("example.test", "AAAA", [{ address: "2001:db8:0:0:0:0:0:1" }]);
  server.set("example.test", "MX", [{ exchange: "mail.example.test", priority: 10 }, { exchange: "backup.example.test", priority: 20 }]);
  server.set("example.test", "TXT", [{ data: "v=spf1 -all" }, { data: ["part one ", "part two"] }]);
  server.set("example.test", "NS", [{ ns: "ns1.example.test" }]);
  server.set("example.test", "CAA", [{ flags: 0, tag: "issue", value: "letsencrypt.org" }]);
  server.set("example.test", "SOA", [{ primary: "ns1.example.test", admin: "hostmaster.example.test", serial: 2026120601, refresh: 7200, retry: 900, expiration: 1209600, minimum: 300 }]);
  server.set("www.example.test", "CNAME", [{ domain: "example.test" }]);
});
afterAll(() => server.close());

const ask = (o: Partial<DnsProbeRequest>): DnsProbeRequest => ({
  recordName: "example.test",
  recordType: "A",
  resolver: server.address,
  expectedValues: [],
  match: "any",
  timeoutMs: 2000,
  ...o,
});

describe("DNS probe against a real DNS server", () => {
  it.each<[string, Partial<DnsProbeRequest>, boolean, string]>([
    ["A, any answer", {}, true, "192.0.2.10\n192.0.2.11"],
    ["A, any of the expected", { expectedValues: ["192.0.2.99", "192.0.2.11"] }, true, "192.0.2.10\n192.0.2.11"],
    ["A, any of the expected, none there", { expectedValues: ["192.0.2.99"] }, false, "192.0.2.10\n192.0.2.11"],
    ["A, all of the expected", { expectedValues: ["192.0.2.10", "192.0.2.11"], match: "all" }, true, "192.0.2.10\n192.0.2.11"],
    ["A, all of the expected, one missing", { expectedValues: ["192.0.2.10", "192.0.2.99"], match: "all" }, false, "192.0.2.10\n192.0.2.11"],
    ["A, none of the expected", { expectedValues: ["192.0.2.99"], match: "none" }, true, "192.0.2.10\n192.0.2.11"],
    ["A, none of the expected, one there", { expectedValues: ["192.0.2.10"], match: "none" }, false, "192.0.2.10\n192.0.2.11"],
    ["AAAA, written another way", { recordType: "AAAA", expectedValues: ["2001:DB8::1"] }, true, "2001:db8::1"],
    ["MX with priority", { recordType: "MX", expectedValues: ["10 mail.example.test"] }, true, "10 mail.example.test\n20 backup.example.test"],
    ["MX without priority, trailing dot", { recordType: "MX", expectedValues: ["Backup.Example.Test."] }, true, "10 mail.example.test\n20 backup.example.test"],
    ["TXT, chunks joined", { recordType: "TXT", expectedValues: ["part one part two"] }, true, "part one part two\nv=spf1 -all"],
    ["TXT is case-sensitive", { recordType: "TXT", expectedValues: ["V=SPF1 -all"] }, false, "part one part two\nv=spf1 -all"],
    ["NS", { recordType: "NS", expectedValues: ["ns1.example.test"] }, true, "ns1.example.test"],
    ["CAA", { recordType: "CAA", expectedValues: ['0 issue "letsencrypt.org"'] }, true, '0 issue "letsencrypt.org"'],
    ["SOA", { recordType: "SOA" }, true, "ns1.example.test hostmaster.example.test 2026120601 7200 900 1209600 300"],
    ["CNAME", { recordName: "www.example.test", recordType: "CNAME", expectedValues: ["example.test"] }, true, "example.test"],
  ])("%s", async (_name, o, ok, answer) => {
    const out = await DnsProbe.probe(ask(o));
    expect(out.answer).toBe(answer);
    expect(out.ok).toBe(ok);
    if (!ok) {
      expect(out.reason).toBe("answer_mismatch");
      expect(out.message).toContain(answer.split("\n")[0]);
    }
    expect(out.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("fails a name that does not exist as dns (NXDOMAIN)", async () => {
    const out = await DnsProbe.probe(ask({ recordName: "missing.example.test" }));
    expect(out).toMatchObject({ ok: false, reason: "dns", message: "missing.example.test does not exist (NXDOMAIN)" });
  });

  it("fails a name without records of the type as dns", async () => {
    const out = await DnsProbe.probe(ask({ recordName: "www.example.test", recordType: "TXT" }));
    expect(out).toMatchObject({ ok: false, reason: "dns", message: "www.example.test TXT: no records" });
  });

  it("times out at the monitor's timeout when the resolver never answers", async () => {
    const silent = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
    try {
      const started = Date.now();
      const out = await DnsProbe.probe(ask({ resolver: `127.0.0.1:${silent.address().port}`, timeoutMs: 300 }));
      expect(out).toMatchObject({ ok: false, reason: "timeout" });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      silent.close();
    }
  });

  it("with alertOnChange, fails once the answer differs from the last one seen, naming both", async () => {
    const same = await DnsProbe.probe(ask({ alertOnChange: true, lastAnswer: "192.0.2.10\n192.0.2.11" }));
    expect(same.ok).toBe(true);
    const first = await DnsProbe.probe(ask({ alertOnChange: true }));
    expect(first.ok).toBe(true);
    const changed = await DnsProbe.probe(ask({ alertOnChange: true, lastAnswer: "192.0.2.10" }));
    expect(changed).toMatchObject({ ok: false, reason: "answer_changed", message: "answer changed from 192.0.2.10 to 192.0.2.10, 192.0.2.11" });
  });

  it("keeps a long answer as its digest, still noticing a change", async () => {
    const long = (c: string) => Array.from({ length: 8 }, (_, i) => ({ data: `${c}${i}-${"x".repeat(200)}` }));
    server.set("big.example.test", "TXT", long("a"));
    const first = await DnsProbe.probe(ask({ recordName: "big.example.test", recordType: "TXT", alertOnChange: true }));
    expect(first.message).toBeUndefined();
    expect(first.answer).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await DnsProbe.probe(ask({ recordName: "big.example.test", recordType: "TXT", alertOnChange: true, lastAnswer: first.answer }))).ok).toBe(true);
    server.set("big.example.test", "TXT", long("b"));
    const changed = await DnsProbe.probe(ask({ recordName: "big.example.test", recordType: "TXT", alertOnChange: true, lastAnswer: first.answer }));
    expect(changed).toMatchObject({ ok: false, reason: "answer_changed" });
  });

  it("refuses a private resolver address unless private targets are allowed", async () => {
    setEnv({ ALLOW_PRIVATE_TARGETS: "false" });
    const before = server.queries;
    const out = await DnsProbe.probe(ask({}));
    expect(out).toMatchObject({ ok: false, reason: "blocked_target" });
    expect(server.queries).toBe(before);
  });

  it("follows a record change on the server", async () => {
    server.set("moving.example.test", "A", [{ address: "192.0.2.1" }]);
    expect((await DnsProbe.probe(ask({ recordName: "moving.example.test", expectedValues: ["192.0.2.1"] }))).ok).toBe(true);
    server.set("moving.example.test", "A", [{ address: "192.0.2.2" }]);
    const out = await DnsProbe.probe(ask({ recordName: "moving.example.test", expectedValues: ["192.0.2.1"] }));
    expect(out).toMatchObject({ ok: false, reason: "answer_mismatch", message: "expected any of 192.0.2.1, got 192.0.2.2" });
  });
});
